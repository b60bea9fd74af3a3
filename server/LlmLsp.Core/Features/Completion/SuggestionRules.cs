namespace LlmLsp.Features.Completion;

/// <summary>Where a suggestion should end and what it must not repeat. Pure text rules, so they are
/// testable without a model.</summary>
public static class SuggestionRules
{
    private const int MaxRightOfCursor = 4;

    /// <summary>False where a suggestion is useless: inside a word, or with real code right of the cursor
    /// (closing brackets, quotes and semicolons do not count).</summary>
    public static bool ShouldTrigger(string text, int offset)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (offset < 0 || offset > text.Length)
        {
            return false;
        }
        if (offset < text.Length && IsWordChar(text[offset]) && offset > 0 && IsWordChar(text[offset - 1]))
        {
            return false;
        }
        var lineEnd = text.IndexOf('\n', offset);
        var rest = text[offset..(lineEnd < 0 ? text.Length : lineEnd)].Trim();
        var meaningful = rest.Count(c => !")]}\"'`;,>".Contains(c, StringComparison.Ordinal));
        return meaningful <= MaxRightOfCursor;
    }

    /// <summary>True when the cursor has non-blank text after it on its line: then a suggestion ends at the
    /// end of the line.</summary>
    public static bool IsMidLine(string text, int offset)
    {
        var lineEnd = text.IndexOf('\n', offset);
        return !string.IsNullOrWhiteSpace(text[offset..(lineEnd < 0 ? text.Length : lineEnd)]);
    }

    /// <summary>The indentation of the cursor's line (its leading whitespace).</summary>
    public static string LineIndent(string text, int offset)
    {
        var lineStart = offset == 0 ? 0 : text.LastIndexOf('\n', offset - 1) + 1;
        var end = lineStart;
        while (end < text.Length && end < offset && text[end] is ' ' or '\t')
        {
            end++;
        }
        return text[lineStart..end];
    }

    /// <summary>Cuts generated text at the natural end: the end of the line for a mid-line cursor; otherwise
    /// the first complete line that is less indented than the block the cursor is in. Returns the kept text
    /// and whether generation can stop now.</summary>
    public static (string Text, bool Done) Cut(string generated, bool midLine, string blockIndent, bool final = false)
    {
        if (midLine)
        {
            var newline = generated.IndexOf('\n', StringComparison.Ordinal);
            return newline < 0 ? (generated, false) : (generated[..newline], true);
        }
        var lines = generated.Split('\n');
        // While streaming only complete lines (followed by a newline) can be judged; the first line continues
        // the cursor's line.
        var judged = final ? lines.Length : lines.Length - 1;
        for (var i = 1; i < judged; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0)
            {
                continue;
            }
            var indent = line.Length - line.TrimStart(' ', '\t').Length;
            if (indent < blockIndent.Length)
            {
                return (string.Join('\n', lines[..i]).TrimEnd(), true);
            }
        }
        return (generated, false);
    }

    /// <summary>Removes the end of a suggestion that the document already has right after the cursor
    /// (a closing bracket on the same line, or whole lines of the suffix), so accepting it never duplicates text.</summary>
    public static string TrimSuffixOverlap(string suggestion, string textAfterCursor)
    {
        ArgumentNullException.ThrowIfNull(suggestion);
        ArgumentNullException.ThrowIfNull(textAfterCursor);
        var result = suggestion.TrimEnd();
        var lineEnd = textAfterCursor.IndexOf('\n', StringComparison.Ordinal);
        var restOfLine = (lineEnd < 0 ? textAfterCursor : textAfterCursor[..lineEnd]).Trim();
        if (restOfLine.Length > 0)
        {
            var lastLineStart = result.LastIndexOf('\n') + 1;
            var lastLine = result[lastLineStart..];
            for (var k = restOfLine.Length; k > 0; k--)
            {
                if (lastLine.EndsWith(restOfLine[..k], StringComparison.Ordinal))
                {
                    result = result[..^k];
                    break;
                }
            }
        }
        // Drop trailing suggestion lines that repeat the document's next non-blank lines.
        var suffixLines = (lineEnd < 0 ? "" : textAfterCursor[(lineEnd + 1)..]).Split('\n').Select(l => l.TrimEnd()).Where(l => l.Trim().Length > 0).Take(8).ToList();
        var suggestionLines = result.Split('\n').ToList();
        if (suffixLines.Count > 0 && suggestionLines.Count > 1)
        {
            for (var take = Math.Min(suffixLines.Count, suggestionLines.Count - 1); take > 0; take--)
            {
                var tail = suggestionLines.Skip(suggestionLines.Count - take).Select(l => l.TrimEnd()).ToList();
                if (tail.SequenceEqual(suffixLines.Take(take)))
                {
                    suggestionLines.RemoveRange(suggestionLines.Count - take, take);
                    result = string.Join('\n', suggestionLines).TrimEnd();
                    break;
                }
            }
        }
        return result;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
