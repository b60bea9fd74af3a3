using System.Collections.Immutable;
using System.Text;

namespace LlmLsp.Documents;

/// <summary>One version of an open document. Immutable so that concurrent readers (completion, chat) can hold a
/// snapshot while later edits produce new ones.</summary>
public sealed class TextDocumentSnapshot
{
    private readonly ImmutableArray<int> _lineStarts;

    public TextDocumentSnapshot(string uri, string languageId, int version, string text)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(languageId);
        ArgumentNullException.ThrowIfNull(text);
        Uri = uri;
        LanguageId = languageId;
        Version = version;
        Text = text;
        _lineStarts = ComputeLineStarts(text);
    }

    public string Uri { get; }

    public string LanguageId { get; }

    public int Version { get; }

    public string Text { get; }

    public int LineCount => _lineStarts.Length;

    /// <summary>Applies edits in order, each against the text the previous one produced (as LSP specifies).
    /// Out-of-range positions are clamped rather than rejected: a notification has no way to report an error
    /// and clamping matches what editors themselves do.</summary>
    public TextDocumentSnapshot WithChanges(IReadOnlyList<TextChange> changes, int version, PositionEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var current = this;
        foreach (var change in changes)
        {
            if (change.Range is not { } range)
            {
                current = new TextDocumentSnapshot(Uri, LanguageId, version, change.Text);
                continue;
            }

            int start = current.GetOffset(range.Start, encoding);
            int end = current.GetOffset(range.End, encoding);
            if (end < start)
            {
                (start, end) = (end, start);
            }

            string text = string.Concat(current.Text.AsSpan(0, start), change.Text, current.Text.AsSpan(end));
            current = new TextDocumentSnapshot(Uri, LanguageId, version, text);
        }

        return current.Version == version ? current : new TextDocumentSnapshot(Uri, LanguageId, version, current.Text);
    }

    /// <summary>The UTF-16 offset of <paramref name="position"/>, clamped into the document: lines past the end
    /// map to the end of the text, characters past the end of a line to the end of that line (before its line
    /// break), and a position inside a character (between surrogates, inside a UTF-8 sequence) to its start.</summary>
    public int GetOffset(TextPosition position, PositionEncoding encoding)
    {
        if (position.Line < 0)
        {
            return 0;
        }

        if (position.Line >= _lineStarts.Length)
        {
            return Text.Length;
        }

        int lineStart = _lineStarts[position.Line];
        int lineEnd = LineContentEnd(position.Line);
        if (position.Character <= 0)
        {
            return lineStart;
        }

        return encoding switch
        {
            PositionEncoding.Utf16 => Utf16Offset(lineStart, lineEnd, position.Character),
            PositionEncoding.Utf8 => Utf8Offset(lineStart, lineEnd, position.Character),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        };
    }

    /// <summary>The position of a UTF-16 offset (clamped into the text) in the given encoding.</summary>
    public TextPosition GetPosition(int offset, PositionEncoding encoding)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        int line = _lineStarts.BinarySearch(offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        int lineStart = _lineStarts[line];
        int end = Math.Min(offset, LineContentEnd(line));
        var span = Text.AsSpan(lineStart, end - lineStart);
        int character = encoding switch
        {
            PositionEncoding.Utf16 => span.Length,
            PositionEncoding.Utf8 => Utf8Length(span),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        };
        return new TextPosition(line, character);
    }

    private int Utf16Offset(int lineStart, int lineEnd, int character)
    {
        int offset = lineStart + Math.Min(character, lineEnd - lineStart);
        if (offset > lineStart && offset < lineEnd && char.IsHighSurrogate(Text[offset - 1]) && char.IsLowSurrogate(Text[offset]))
        {
            offset--;
        }

        return offset;
    }

    private int Utf8Offset(int lineStart, int lineEnd, int character)
    {
        int bytes = 0;
        int i = lineStart;
        while (i < lineEnd)
        {
            int width;
            int units;
            if (char.IsHighSurrogate(Text[i]) && i + 1 < lineEnd && char.IsLowSurrogate(Text[i + 1]))
            {
                width = 4;
                units = 2;
            }
            else
            {
                // Lone surrogates are written as U+FFFD (three bytes) by UTF-8 encoders.
                char c = Text[i];
                width = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
                units = 1;
            }

            if (bytes + width > character)
            {
                break;
            }

            bytes += width;
            i += units;
        }

        return i;
    }

    private static int Utf8Length(ReadOnlySpan<char> span)
    {
        int bytes = 0;
        for (int i = 0; i < span.Length; i++)
        {
            char c = span[i];
            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                bytes += 4;
                i++;
            }
            else
            {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }

        return bytes;
    }

    private int LineContentEnd(int line)
    {
        int end = line + 1 < _lineStarts.Length ? _lineStarts[line + 1] : Text.Length;
        if (end > _lineStarts[line] && Text[end - 1] == '\n')
        {
            end--;
        }

        if (end > _lineStarts[line] && Text[end - 1] == '\r')
        {
            end--;
        }

        return end;
    }

    // LSP line breaks are \n, \r\n and \r.
    private static ImmutableArray<int> ComputeLineStarts(string text)
    {
        var builder = ImmutableArray.CreateBuilder<int>();
        builder.Add(0);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\r')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                builder.Add(i + 1);
            }
            else if (c == '\n')
            {
                builder.Add(i + 1);
            }
        }

        return builder.ToImmutable();
    }

    public override string ToString() => new StringBuilder().Append(Uri).Append('@').Append(Version).ToString();
}
