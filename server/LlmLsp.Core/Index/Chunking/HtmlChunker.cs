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
        var withoutCode = NonContent().Replace(html, KeepLineBreaks);
        // Generated docs follow each heading's title with a "#" or "¶" link to itself: not part of the title.
        var withoutPermalinks = Permalink().Replace(withoutCode, KeepLineBreaks);
        // Mark headings with a sentinel before the tags go, so they can still be recognised as headings.
        var marked = HeadingOpen().Replace(withoutPermalinks, "\u0001");
        var text = Tag().Replace(marked, KeepLineBreaks);
        var lines = text.Split('\n');
        var blocks = new List<TextBlock>();
        // A section is named by its own heading alone. The path of enclosing headings, as Markdown chunks get it,
        // was measured too: generated HTML often puts the site's name in h1 above every page ("Node.js v20
        // documentation > Readline > ..."), which diluted the heading field (Node.js docs questions: 83% → 80%).
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

    /// <summary>What replaces removed markup: its line breaks alone, so line numbers still match the file.</summary>
    private static string KeepLineBreaks(Match removed) => new('\n', removed.Value.Count(c => c == '\n'));

    [GeneratedRegex(@"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex NonContent();

    /// <summary>A link to an anchor on the same page whose whole text is a mark: #, ¶ or §, written or as an entity.</summary>
    [GeneratedRegex(@"<a\b[^>]*\bhref\s*=\s*[""']#[^""']*[""'][^>]*>\s*(?:#|¶|§|&para;|&sect;|&#182;|&#x[bB]6;|&#167;)\s*</a\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex Permalink();

    [GeneratedRegex(@"<h[1-6]\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex HeadingOpen();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.Singleline)]
    private static partial Regex Tag();

    [GeneratedRegex(@"[ \t\f\v]+")]
    private static partial Regex Whitespace();
}
