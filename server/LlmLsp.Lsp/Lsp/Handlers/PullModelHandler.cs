using System.Globalization;
using LlmLsp.Models;
using LlmLsp.Options;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>llmlsp/pullModel: downloads a catalogue model (resuming, SHA-256 verified) with cancellable
/// work-done progress, so an editor can offer "download the recommended model" on first run.</summary>
internal sealed class PullModelHandler()
    : LspRequestHandler<PullModelParams, ModelDto>(LspJsonContext.Default.PullModelParams, LspJsonContext.Default.ModelDto)
{
    private static readonly TimeSpan s_reportEvery = TimeSpan.FromMilliseconds(250);

    public override string Method => Methods.PullModel;

    protected override async Task<ModelDto> HandleAsync(PullModelParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        using var manager = new ModelManager(UserDirectories.FromEnvironment(), loggerFactory: context.LoggerFactory);
        await using var work = await context.Progress.BeginAsync($"Downloading {parameters.Name}", parameters.WorkDoneToken,
            cancellable: true, percentage: 0, cancellationToken: cancellationToken).ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, work.CancellationToken);
        var latest = new LatestProgress<DownloadProgress>();
        var pull = manager.PullAsync(parameters.Name, latest, linked.Token);
        // Reports go out from this loop, never from the download's callback, so begin/report/end stay in order.
        while (!pull.IsCompleted)
        {
            await Task.WhenAny(pull, Task.Delay(s_reportEvery, CancellationToken.None)).ConfigureAwait(false);
            if (latest.Take() is { } progress)
            {
                var megabytes = string.Create(CultureInfo.InvariantCulture, $"{progress.Phase}: {progress.BytesReceived / 1_048_576.0:F1} MB");
                await work.ReportAsync(megabytes, progress.Fraction is { } fraction ? (int)(fraction * 100) : null).ConfigureAwait(false);
            }
        }
        var status = await pull.ConfigureAwait(false);
        await work.EndAsync("done").ConfigureAwait(false);
        return ModelsHandler.ToDto(status);
    }
}
