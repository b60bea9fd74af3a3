using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>textDocument/completion for clients without inline completion: one item whose text is the
/// suggestion, inserted exactly at the cursor and sorted first.</summary>
internal sealed class CompletionHandler()
    : LspRequestHandler<CompletionParams, CompletionList?>(LspJsonContext.Default.CompletionParams, LspJsonContext.Default.CompletionList)
{
    private const int TextKind = 1;
    private const int PlainTextFormat = 1;
    private const int MaxLabelLength = 60;

    public override string Method => Methods.TextDocumentCompletion;

    protected override async Task<CompletionList?> HandleAsync(CompletionParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var suggestion = await CompletionAtCursor.SuggestAsync(context, parameters.TextDocument.Uri, parameters.Position, cancellationToken).ConfigureAwait(false);
        if (suggestion is null)
        {
            return new CompletionList(IsIncomplete: true, []);
        }
        var firstLine = suggestion.Split('\n')[0].Trim();
        var label = firstLine.Length > MaxLabelLength ? firstLine[..MaxLabelLength] + "…" : firstLine.Length == 0 ? suggestion.Trim() : firstLine;
        var item = new CompletionItem(
            Label: label,
            InsertText: suggestion,
            Kind: TextKind,
            SortText: "0",
            FilterText: suggestion,
            Preselect: true,
            InsertTextFormat: PlainTextFormat,
            TextEdit: new TextEdit(new Protocol.Range(parameters.Position, parameters.Position), suggestion),
            Detail: "llmlsp");
        // Incomplete: the next keystroke asks again instead of filtering this one suggestion.
        return new CompletionList(IsIncomplete: true, [item]);
    }
}
