using LlmLsp.Features.Chat;
using LlmLsp.Features.Docs;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>llmlsp/chat: streams the answer as <see cref="TextDelta"/> values on the request's
/// partialResultToken; the result carries the whole text, finish reason, token counts and timing. A
/// cancelled request stops within a decode step and still returns what was produced.</summary>
internal sealed class ChatHandler()
    : LspRequestHandler<ChatParams, Protocol.ChatResult>(LspJsonContext.Default.ChatParams, LspJsonContext.Default.ChatResult)
{
    public override string Method => Methods.Chat;

    protected override async Task<Protocol.ChatResult> HandleAsync(ChatParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        if (parameters.Messages.Count == 0)
        {
            throw new InvalidParamsException("messages must not be empty");
        }
        var chat = await context.Features.GetChatAsync(cancellationToken).ConfigureAwait(false);
        var request = new ChatRequest(parameters.Messages.Select(m => new ChatTurn(m.Role, m.Content)).ToList(), ToCore(parameters.Context, context.State));
        Features.Chat.ChatResult? result = null;
        await foreach (var update in chat.ChatAsync(request, cancellationToken).ConfigureAwait(false))
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
        var done = result ?? throw new InvalidOperationException("The chat ended without a result.");
        var root = DocumentPaths.WorkspaceFolder(context.State);
        return new Protocol.ChatResult(done.Text, done.FinishReason, done.PromptTokens, done.CompletionTokens,
            Math.Round(done.Elapsed.TotalMilliseconds, 1), done.Citations.Select(c => Citations.ToLsp(c, root)).ToList());
    }

    private static ChatContext? ToCore(ChatContextDto? dto, ServerState state)
    {
        if (dto is null)
        {
            return null;
        }
        string? path = null;
        string? text = null;
        string? selection = null;
        var selectionLine = 1;
        if (dto.Uri is { } uri)
        {
            path = DocumentPaths.ToPath(uri) ?? uri;
            if (state.Documents.TryGet(uri, out var document))
            {
                text = document.Text;
                if (dto.Selection is { } range)
                {
                    var start = document.GetOffset(range.Start.ToCore(), state.PositionEncoding);
                    var end = document.GetOffset(range.End.ToCore(), state.PositionEncoding);
                    selection = document.Text[Math.Min(start, end)..Math.Max(start, end)];
                    selectionLine = range.Start.Line + 1;
                }
            }
        }
        return new ChatContext(path, dto.IncludeDocument == true ? text : null, selection, selectionLine, dto.Workspace == true);
    }
}
