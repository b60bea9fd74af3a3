using LlmLsp.Features.Docs;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>llmlsp/ask: answers from the workspace index with citations that point at real indexed ranges;
/// without a chat model it returns the best passages and a notice saying how to get one.</summary>
internal sealed class AskHandler()
    : LspRequestHandler<AskParams, Protocol.AskResult>(LspJsonContext.Default.AskParams, LspJsonContext.Default.AskResult)
{
    public override string Method => Methods.Ask;

    protected override async Task<Protocol.AskResult> HandleAsync(AskParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var folder = DocumentPaths.WorkspaceFolder(context.State);
        var ask = await context.Features.GetAskAsync(cancellationToken).ConfigureAwait(false);
        Features.Docs.AskResult? result = null;
        await foreach (var update in ask.AskAsync(new AskRequest(parameters.Question, parameters.Top ?? 5, Directory: folder), cancellationToken).ConfigureAwait(false))
        {
            if (update.Result is not null)
            {
                result = update.Result;
            }
            else if (parameters.PartialResultToken is { } token)
            {
                await context.Progress.ReportPartialResultAsync(token, new TextDelta(update.Delta), LspJsonContext.Default.TextDelta).ConfigureAwait(false);
            }
        }
        var done = result ?? throw new InvalidOperationException("The answer ended without a result.");
        var root = context.Features.Index.IndexedRoot ?? folder;
        return new Protocol.AskResult(done.Answer, done.Citations.Select(c => Citations.ToLsp(c, root)).ToList(), done.FinishReason, done.Notice);
    }
}
