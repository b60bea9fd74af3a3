namespace LlmLsp.Engine;

/// <summary>A run of cached tokens that reappears in the new prompt at another position: its KV entries are
/// kept and moved (RoPE shift) instead of being decoded again.</summary>
internal readonly record struct ChunkMove(int From, int To, int Length)
{
    public int Delta => To - From;
}

/// <summary>Which prompt tokens can come from the KV cache: the longest common prefix, plus (when asked)
/// later chunks of at least <c>minimumChunk</c> tokens found again after an edit, the idea behind
/// llama.cpp's cache reuse. A keystroke in the middle of a fill-in-the-middle prompt then costs the tokens
/// around the cursor instead of the whole suffix. Moved chunks keep the attention they computed over the
/// old text before them: a deliberate approximation that editors' completion servers make too.</summary>
internal static class KvReusePlanner
{
    public sealed record Plan(int CommonPrefix, IReadOnlyList<ChunkMove> Moves, IReadOnlyList<int> PositionsToEvaluate);

    public static Plan Create(IReadOnlyList<int> cached, ReadOnlySpan<int> prompt, int minimumChunk)
    {
        var common = 0;
        var limit = Math.Min(cached.Count, prompt.Length);
        while (common < limit && cached[common] == prompt[common])
        {
            common++;
        }
        // The last prompt token is always decoded: its logits pick the first new token.
        var last = prompt.Length - 1;
        common = Math.Min(common, last);

        var moves = new List<ChunkMove>();
        if (minimumChunk > 0 && cached.Count > common)
        {
            var positionsByToken = new Dictionary<int, List<int>>();
            for (var i = common; i < cached.Count; i++)
            {
                if (!positionsByToken.TryGetValue(cached[i], out var list))
                {
                    positionsByToken[cached[i]] = list = [];
                }
                list.Add(i);
            }
            var promptAt = common;
            var cacheAt = common;
            while (promptAt + minimumChunk <= last && cacheAt < cached.Count)
            {
                var found = FindChunk(cached, prompt, promptAt, cacheAt, minimumChunk, positionsByToken);
                if (found < 0)
                {
                    promptAt++;
                    continue;
                }
                var length = minimumChunk;
                while (found + length < cached.Count && promptAt + length < last && cached[found + length] == prompt[promptAt + length])
                {
                    length++;
                }
                moves.Add(new ChunkMove(found, promptAt, length));
                promptAt += length;
                cacheAt = found + length;
            }
        }

        var evaluate = new List<int>();
        var next = 0;
        for (var position = common; position < prompt.Length; position++)
        {
            while (next < moves.Count && moves[next].To + moves[next].Length <= position)
            {
                next++;
            }
            var reused = next < moves.Count && position >= moves[next].To;
            if (!reused)
            {
                evaluate.Add(position);
            }
        }
        return new Plan(common, moves, evaluate);
    }

    private static int FindChunk(IReadOnlyList<int> cached, ReadOnlySpan<int> prompt, int promptAt, int cacheFrom, int length,
        Dictionary<int, List<int>> positionsByToken)
    {
        if (!positionsByToken.TryGetValue(prompt[promptAt], out var candidates))
        {
            return -1;
        }
        foreach (var start in candidates)
        {
            if (start < cacheFrom || start + length > cached.Count)
            {
                continue;
            }
            var matches = true;
            for (var k = 1; k < length && matches; k++)
            {
                matches = cached[start + k] == prompt[promptAt + k];
            }
            if (matches)
            {
                return start;
            }
        }
        return -1;
    }
}
