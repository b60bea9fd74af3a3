namespace LlmLsp.Engine;

/// <summary>A run of cached tokens that reappears in the new prompt at another position: its KV entries are
/// kept and moved (RoPE shift) instead of being decoded again.</summary>
internal readonly record struct ChunkMove(int From, int To, int Length)
{
    public int Delta => To - From;
}

/// <summary>The KV cache edits a <see cref="KvReusePlanner.Plan"/> needs (llama_memory_seq_cp/rm/add); the engine's
/// context and the LLamaSharp benchmark (bench/LlamaSharpBench) each implement it over their binding.</summary>
internal interface IKvSequenceEditor
{
    void Copy(int source, int destination, int from, int to);

    void Remove(int sequence, int from, int to);

    void Shift(int sequence, int from, int to, int delta);
}

/// <summary>Which prompt tokens can come from the KV cache: the longest common prefix, plus (when asked)
/// later chunks of at least <c>minimumChunk</c> tokens found again after an edit, the idea behind
/// llama.cpp's cache reuse. A keystroke in the middle of a fill-in-the-middle prompt then costs the tokens
/// around the cursor instead of the whole suffix. Moved chunks keep the attention they computed over the
/// old text before them: a deliberate approximation that editors' completion servers make too.</summary>
internal static class KvReusePlanner
{
    /// <summary>How a plan is carried out: keep the common prefix in the generation sequence, park the reused chunks
    /// in a staging sequence at their new positions, then bring each back as evaluation reaches it. llama.cpp only
    /// appends to a sequence (a batch must start right after its last position), so chunks cannot be moved in place.
    /// </summary>
    public sealed record Plan(int CommonPrefix, IReadOnlyList<ChunkMove> Moves, IReadOnlyList<int> PositionsToEvaluate)
    {
        /// <summary>Trims the generation sequence to the common prefix and parks the moved chunks in the staging sequence.
        /// Moves are shifted in an order where no chunk lands on one that has not moved yet.</summary>
        public void Park<TCache>(TCache cache, int generation, int staging) where TCache : IKvSequenceEditor
        {
            foreach (var move in Moves)
            {
                cache.Copy(generation, staging, move.From, move.From + move.Length);
            }
            cache.Remove(generation, CommonPrefix, -1);
            foreach (var move in Moves.Where(m => m.Delta < 0))
            {
                cache.Shift(staging, move.From, move.From + move.Length, move.Delta);
            }
            foreach (var move in Moves.Where(m => m.Delta > 0).Reverse())
            {
                cache.Shift(staging, move.From, move.From + move.Length, move.Delta);
            }
        }

        /// <summary>Brings back every parked chunk that sits before <paramref name="position"/>, starting at move
        /// <paramref name="nextMove"/>; returns the index of the first move still parked.</summary>
        public int Unpark<TCache>(TCache cache, int generation, int staging, int position, int nextMove) where TCache : IKvSequenceEditor
        {
            while (nextMove < Moves.Count && Moves[nextMove].To < position)
            {
                var move = Moves[nextMove++];
                cache.Copy(staging, generation, move.To, move.To + move.Length);
            }
            return nextMove;
        }

        /// <summary>Where the parked chunk <paramref name="nextMove"/> starts: a batch must stop before it.</summary>
        public int ParkedStart(int nextMove) => nextMove < Moves.Count ? Moves[nextMove].To : int.MaxValue;
    }

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
        if (minimumChunk > 0 && cached.Count > common && last - common >= minimumChunk)
        {
            var index = new Dictionary<int, List<int>>();
            for (var i = common; i < cached.Count; i++)
            {
                if (!index.TryGetValue(cached[i], out var list))
                {
                    index[cached[i]] = list = [];
                }
                list.Add(i);
            }
            AnchorMoves(cached, prompt, common, last, common, cached.Count, minimumChunk, index, moves);
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

    /// <summary>Plans moves within prompt[promptFrom, promptTo) and cached[cacheFrom, cacheTo): the longest
    /// common run is kept first, then the parts left and right of it are planned the same way, so moves stay
    /// in order in both lists. Taking the first match instead can pick a short run far ahead in the cache (the
    /// line just typed, cached after the FIM middle marker) and so lose the long suffix before it.</summary>
    private static void AnchorMoves(IReadOnlyList<int> cached, ReadOnlySpan<int> prompt, int promptFrom, int promptTo,
        int cacheFrom, int cacheTo, int minimumChunk, Dictionary<int, List<int>> index, List<ChunkMove> moves)
    {
        if (promptTo - promptFrom < minimumChunk || cacheTo - cacheFrom < minimumChunk)
        {
            return;
        }
        var best = new ChunkMove(0, 0, 0);
        for (var p = promptFrom; p + minimumChunk <= promptTo; p++)
        {
            if (!index.TryGetValue(prompt[p], out var candidates))
            {
                continue;
            }
            foreach (var c in candidates)
            {
                if (c < cacheFrom || c >= cacheTo)
                {
                    continue;
                }
                // Only maximal runs: one that extends to the left was measured from its real start.
                if (p > promptFrom && c > cacheFrom && cached[c - 1] == prompt[p - 1])
                {
                    continue;
                }
                var length = 1;
                while (p + length < promptTo && c + length < cacheTo && cached[c + length] == prompt[p + length])
                {
                    length++;
                }
                if (length > best.Length)
                {
                    best = new ChunkMove(c, p, length);
                }
            }
        }
        if (best.Length < minimumChunk)
        {
            return;
        }
        AnchorMoves(cached, prompt, promptFrom, best.To, cacheFrom, best.From, minimumChunk, index, moves);
        moves.Add(best);
        AnchorMoves(cached, prompt, best.To + best.Length, promptTo, best.From + best.Length, cacheTo, minimumChunk, index, moves);
    }
}
