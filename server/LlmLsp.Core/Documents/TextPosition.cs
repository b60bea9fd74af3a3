namespace LlmLsp.Documents;

/// <summary>How the <c>Character</c> of a <see cref="TextPosition"/> counts: the unit the client and the server
/// agreed on at initialize. The text itself is always a .NET (UTF-16) string.</summary>
public enum PositionEncoding
{
    /// <summary>UTF-16 code units: the LSP default and what .NET strings index by.</summary>
    Utf16,

    /// <summary>UTF-8 bytes.</summary>
    Utf8,
}

/// <summary>A zero-based line and character in some <see cref="PositionEncoding"/>. Deliberately not an LSP type:
/// features work with it and the LSP layer converts.</summary>
public readonly record struct TextPosition(int Line, int Character);

/// <summary>A half-open range between two positions.</summary>
public readonly record struct TextRange(TextPosition Start, TextPosition End);

/// <summary>One edit: replace <see cref="Range"/> (or the whole text when it is null) with <see cref="Text"/>.</summary>
public sealed record TextChange(TextRange? Range, string Text);
