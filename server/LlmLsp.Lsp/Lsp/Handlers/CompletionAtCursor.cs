using LlmLsp.Features.Completion;
using LlmLsp.Protocol;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Lsp.Handlers;

/// <summary>What textDocument/inlineCompletion and textDocument/completion share: find the open document,
/// convert the position, ask the completion feature. Null means "no suggestion".</summary>
internal static partial class CompletionAtCursor
{
    public static async Task<string?> SuggestAsync(RequestContext context, string uri, Position position, CancellationToken cancellationToken)
    {
        if (!context.State.Documents.TryGet(uri, out var document))
        {
            return null;
        }
        CompletionFeature? feature;
        try
        {
            feature = await context.Features.GetCompletionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (LlmLspException ex)
        {
            // A model that cannot load or cannot fill in the middle: typing goes on without suggestions.
            LogUnavailable(context.LoggerFactory.CreateLogger("LlmLsp.Completion"), ex.Message);
            return null;
        }
        if (feature is null)
        {
            return null;
        }
        var offset = document.GetOffset(position.ToCore(), context.State.PositionEncoding);
        var path = DocumentPaths.ToPath(uri) is { } local ? Path.GetFileName(local) : uri;
        var result = await feature.CompleteAsync(new CompletionRequest(uri, path, document.Text, offset, document.LanguageId, document.Version), cancellationToken).ConfigureAwait(false);
        LogCompleted(context.LoggerFactory.CreateLogger("LlmLsp.Completion"), result.Source, result.PromptTokens, result.EvaluatedTokens, result.Elapsed.TotalMilliseconds);
        return result.Text;
    }

    // Debug only; bench/completion.sh parses this line (keep its shape).
    [LoggerMessage(Level = LogLevel.Debug, Message = "Completion answered: source={Source} promptTokens={PromptTokens} evaluatedTokens={EvaluatedTokens} ms={ElapsedMs:F1}")]
    private static partial void LogCompleted(ILogger logger, CompletionSource source, int promptTokens, int evaluatedTokens, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Completion unavailable: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
