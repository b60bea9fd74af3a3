using LlmLsp.Documents;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp;

/// <summary>LSP positions ↔ Core positions. Both count characters in the negotiated encoding, so this is a
/// change of type only; the encoding-aware arithmetic lives in <see cref="TextDocumentSnapshot"/>.</summary>
internal static class PositionMapping
{
    public static TextPosition ToCore(this Position position) => new(position.Line, position.Character);

    public static TextRange ToCore(this Protocol.Range range) => new(range.Start.ToCore(), range.End.ToCore());

    public static Position ToLsp(this TextPosition position) => new(position.Line, position.Character);

    public static Protocol.Range ToLsp(this TextRange range) => new(range.Start.ToLsp(), range.End.ToLsp());

    public static TextChange ToCore(this TextDocumentContentChangeEvent change) => new(change.Range?.ToCore(), change.Text);

    public static string ToLsp(this PositionEncoding encoding) => encoding switch
    {
        PositionEncoding.Utf8 => PositionEncodingKind.Utf8,
        _ => PositionEncodingKind.Utf16,
    };

    /// <summary>The first encoding in the client's list we support; UTF-16 when it offers none (LSP's default).</summary>
    public static PositionEncoding Negotiate(IReadOnlyList<string>? offered)
    {
        foreach (string kind in offered ?? [])
        {
            switch (kind)
            {
                case PositionEncodingKind.Utf16:
                    return PositionEncoding.Utf16;
                case PositionEncodingKind.Utf8:
                    return PositionEncoding.Utf8;
                default:
                    continue;
            }
        }

        return PositionEncoding.Utf16;
    }
}
