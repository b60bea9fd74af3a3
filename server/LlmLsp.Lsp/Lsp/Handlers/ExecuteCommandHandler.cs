using System.Globalization;
using System.Text.Json;
using LlmLsp.Features.Indexing;
using LlmLsp.Index;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>workspace/executeCommand. <c>llmlsp.indexFolder</c> indexes a folder (argument: its URI; default the
/// workspace folders) with cancellable work-done progress; the index commits in batches, so a cancel leaves it
/// consistent and the next run finishes the job.</summary>
internal sealed class ExecuteCommandHandler()
    : LspRequestHandler<ExecuteCommandParams, object>(LspJsonContext.Default.ExecuteCommandParams, LspJsonContext.Default.Object)
{
    private static readonly TimeSpan s_reportEvery = TimeSpan.FromMilliseconds(200);

    public override string Method => Methods.WorkspaceExecuteCommand;

    protected override async Task<object> HandleAsync(ExecuteCommandParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        if (parameters.Command != Methods.IndexFolderCommand)
        {
            throw new InvalidParamsException($"unknown command \"{parameters.Command}\"");
        }
        var folder = FolderArgument(parameters) ?? DocumentPaths.WorkspaceFolder(context.State)
            ?? throw new LlmLspException(ErrorKind.InvalidInput, "No folder to index: pass a folder URI or open a workspace folder.");

        await using var work = await context.Progress.BeginAsync("Indexing " + Path.GetFileName(folder.TrimEnd(Path.DirectorySeparatorChar)),
            parameters.WorkDoneToken, cancellable: true, percentage: 0, cancellationToken: cancellationToken).ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, work.CancellationToken);
        var latest = new LatestProgress<IndexProgress>();
        var indexing = context.Features.Index.IndexFolderAsync(new IndexFolderRequest(folder), latest, linked.Token);
        // Reports go out from this loop, never from the indexer's callback, so begin/report/end stay in order.
        while (!indexing.IsCompleted)
        {
            await Task.WhenAny(indexing, Task.Delay(s_reportEvery, CancellationToken.None)).ConfigureAwait(false);
            if (latest.Take() is { } progress && progress.FilesTotal > 0)
            {
                var message = string.Create(CultureInfo.InvariantCulture, $"{progress.FilesDone}/{progress.FilesTotal} {progress.CurrentPath}");
                await work.ReportAsync(message, progress.FilesDone * 100 / progress.FilesTotal).ConfigureAwait(false);
            }
        }
        IndexRunSummary summary;
        try
        {
            summary = await indexing.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await work.EndAsync("cancelled").ConfigureAwait(false);
            throw;
        }
        var rebuilt = summary.ReplacedSchema is null ? "" : " (rebuilt: the index was written by an older llmlsp)";
        var vectors = summary.EmbeddingProblem is { } problem ? $"; keyword search only: {problem}"
            : summary.PreviousEmbeddingModel is { } previous && summary.FilesReembedded > 0
                ? $"; {summary.FilesReembedded} files re-embedded with {summary.EmbeddingModel} (was {previous})"
                : "";
        await work.EndAsync(string.Create(CultureInfo.InvariantCulture, $"{summary.FilesIndexed} files indexed, {summary.TotalChunks} chunks{rebuilt}{vectors}")).ConfigureAwait(false);
        return new IndexFolderResult(summary.Root, summary.FilesIndexed, summary.FilesUnchanged, summary.FilesRemoved, summary.Skipped.Count,
            summary.TotalChunks, Math.Round(summary.Elapsed.TotalMilliseconds, 1), summary.FilesReembedded, summary.EmbeddingModel, summary.EmbeddingProblem);
    }

    private static string? FolderArgument(ExecuteCommandParams parameters)
    {
        if (parameters.Arguments is not [var first, ..] || first.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        var value = first.GetString()!;
        return DocumentPaths.ToPath(value) ?? (Path.IsPathRooted(value) ? value : throw new InvalidParamsException("the argument must be a folder URI"));
    }
}
