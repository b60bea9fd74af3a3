using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>textDocument/inlineCompletion (LSP 3.18): ghost text at the cursor.</summary>
internal sealed class InlineCompletionHandler()
    : LspRequestHandler<InlineCompletionParams, InlineCompletionList?>(LspJsonContext.Default.InlineCompletionParams, LspJsonContext.Default.InlineCompletionList)
{
    public override string Method => Methods.TextDocumentInlineCompletion;

    protected override async Task<InlineCompletionList?> HandleAsync(InlineCompletionParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var suggestion = await CompletionAtCursor.SuggestAsync(context, parameters.TextDocument.Uri, parameters.Position, cancellationToken).ConfigureAwait(false);
        return suggestion is null
            ? null
            : new InlineCompletionList([new InlineCompletionItem(suggestion, new Protocol.Range(parameters.Position, parameters.Position))]);
    }
}
