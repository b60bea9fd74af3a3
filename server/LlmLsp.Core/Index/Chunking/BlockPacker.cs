using System.Text;

namespace LlmLsp.Index.Chunking;

/// <summary>Turns structural blocks into chunks: neighbours of one group are packed together up to the
/// budget, and a block that alone is over budget is cut by lines (with overlap), and a line that alone
/// is over budget by characters, so the budget is a hard limit.</summary>
internal static class BlockPacker
{
    public static List<ChunkDraft> Pack(IEnumerable<TextBlock> blocks, ChunkingOptions options)
    {
        var chunks = new List<ChunkDraft>();
        var pending = new List<TextBlock>();
        var pendingTokens = 0;

        void Flush()
        {
            if (pending.Count == 0)
            {
                return;
            }

            var text = pending.Count == 1 ? pending[0].Text : string.Join("\n", pending.Select(b => b.Text));
            var heading = pending.Count == 1 ? pending[0].Heading : pending[0].GroupHeading ?? pending[0].Heading;
            chunks.Add(new ChunkDraft(text, pending[0].StartLine, pending[^1].EndLine, heading, pending[0].Page));
            pending.Clear();
            pendingTokens = 0;
        }

        foreach (var block in blocks)
        {
            if (string.IsNullOrWhiteSpace(block.Text))
            {
                continue;
            }

            var tokens = options.Count(block.Text);
            if (tokens > options.MaxTokens)
            {
                Flush();
                chunks.AddRange(SplitOversized(block, options));
                continue;
            }

            var sameGroup = pending.Count > 0
                && (pending[0].GroupKey ?? pending[0].Heading) == (block.GroupKey ?? block.Heading)
                && pending[0].Page == block.Page;
            // +1 for the joining newline.
            if (!sameGroup || pendingTokens + tokens + 1 > options.MaxTokens)
            {
                Flush();
            }

            pending.Add(block);
            pendingTokens += tokens + 1;
        }

        Flush();
        return chunks;
    }

    private static IEnumerable<ChunkDraft> SplitOversized(TextBlock block, ChunkingOptions options)
    {
        var lines = block.Text.Split('\n');
        var start = 0;
        while (start < lines.Length)
        {
            var builder = new StringBuilder();
            var end = start;
            while (end < lines.Length)
            {
                var candidate = builder.Length == 0 ? lines[end] : builder + "\n" + lines[end];
                if (options.Count(candidate) > options.MaxTokens)
                {
                    break;
                }

                builder.Clear().Append(candidate);
                end++;
            }

            if (end == start)
            {
                // One line alone is over budget: cut it into pieces that fit.
                foreach (var piece in SplitLine(lines[start], options))
                {
                    yield return new ChunkDraft(piece, block.StartLine + start, block.StartLine + start, block.Heading, block.Page);
                }

                start++;
                continue;
            }

            yield return new ChunkDraft(builder.ToString(), block.StartLine + start, block.StartLine + end - 1, block.Heading, block.Page);
            if (end >= lines.Length)
            {
                break;
            }

            // Step back by the overlap, but always move forward.
            start = Math.Max(start + 1, end - options.OverlapLines);
        }
    }

    private static IEnumerable<string> SplitLine(string line, ChunkingOptions options)
    {
        var position = 0;
        while (position < line.Length)
        {
            var length = Math.Min(line.Length - position, Math.Max(1, options.MaxTokens * 4));
            while (length > 1 && options.Count(line.Substring(position, length)) > options.MaxTokens)
            {
                length /= 2;
            }

            yield return line.Substring(position, length);
            position += length;
        }
    }

    /// <summary>Splits text into paragraphs separated by blank lines, with 1-based line numbers.</summary>
    public static IEnumerable<(string Text, int StartLine, int EndLine)> Paragraphs(IReadOnlyList<string> lines, int firstLineNumber = 1)
    {
        var start = -1;
        for (var i = 0; i <= lines.Count; i++)
        {
            var blank = i == lines.Count || string.IsNullOrWhiteSpace(lines[i]);
            if (!blank && start < 0)
            {
                start = i;
            }
            else if (blank && start >= 0)
            {
                yield return (string.Join("\n", lines.Skip(start).Take(i - start)), start + firstLineNumber, i - 1 + firstLineNumber);
                start = -1;
            }
        }
    }

    public static string[] SplitLines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
}
