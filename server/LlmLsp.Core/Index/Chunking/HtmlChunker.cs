using System.Net;
using System.Text.RegularExpressions;

namespace LlmLsp.Index.Chunking;

/// <summary>HTML as text: scripts, styles and tags are removed in place (newlines kept, so line numbers
/// still point into the original file), entities decoded, and h1-h6 name the sections.</summary>
internal sealed partial class HtmlChunker : IChunker
{
    public IReadOnlyList<ChunkDraft> Chunk(string relativePath, byte[] content, ChunkingOptions options)
    {
        if (!FileContentReader.TryDecodeUtf8(content, out var html))
        {
            throw new ChunkingException(SkipReason.InvalidUtf8, "not valid UTF-8");
        }

        html = html.Replace("\r\n", "\n", StringComparison.Ordinal);
        var withoutCode = NonContent().Replace(html, m => new string('\n', m.Value.Count(c => c == '\n')));
        // Mark headings with a sentinel before the tags go, so they can still be recognised as headings.
        var marked = HeadingOpen().Replace(withoutCode, "\u0001");
        var text = Tag().Replace(marked, m => new string('\n', m.Value.Count(c => c == '\n')));
        var lines = text.Split('\n');
        var blocks = new List<TextBlock>();
        var heading = Path.GetFileName(relativePath);
        var current = new List<string>();
        var blockStart = 0;

        void Flush(int endIndex)
        {
            if (current.Count > 0)
            {
                blocks.Add(new TextBlock(string.Join("\n", current), blockStart + 1, endIndex + 1, heading, GroupKey: heading, GroupHeading: heading));
                current.Clear();
            }
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = Whitespace().Replace(WebUtility.HtmlDecode(lines[i]), " ").Trim();
            var isHeading = line.Contains('\u0001', StringComparison.Ordinal);
            line = line.Replace("\u0001", "", StringComparison.Ordinal).Trim();
            if (line.Length == 0 || isHeading)
            {
                Flush(i - 1);
            }

            if (line.Length == 0)
            {
                continue;
            }

            if (isHeading)
            {
                heading = line;
            }

            if (current.Count == 0)
            {
                blockStart = i;
            }

            current.Add(line);
        }

        Flush(lines.Length - 1);
        return BlockPacker.Pack(blocks, options);
    }

    [GeneratedRegex(@"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex NonContent();

    [GeneratedRegex(@"<h[1-6]\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex HeadingOpen();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.Singleline)]
    private static partial Regex Tag();

    [GeneratedRegex(@"[ \t\f\v]+")]
    private static partial Regex Whitespace();
}
