using LlmLsp.Engine;

namespace LlmLsp.Tests.Engine;

public sealed class KvReusePlannerTests
{
    private static int[] Range(int from, int count) => Enumerable.Range(from, count).ToArray();

    [Fact]
    public void Without_chunk_reuse_only_the_common_prefix_is_kept()
    {
        int[] cached = [.. Range(0, 50), .. Range(1000, 30)];
        int[] prompt = [.. Range(0, 50), 7, .. Range(1000, 30)];

        var plan = KvReusePlanner.Create(cached, prompt, minimumChunk: 0);

        Assert.Equal(50, plan.CommonPrefix);
        Assert.Empty(plan.Moves);
        Assert.Equal(Enumerable.Range(50, 31), plan.PositionsToEvaluate);
    }

    [Fact]
    public void An_insertion_moves_the_following_chunk_right_and_evaluates_only_new_tokens_and_the_last()
    {
        int[] cached = [.. Range(0, 50), .. Range(1000, 30), 9999, 5, 6, 7];  // prompt, then generated tokens
        int[] prompt = [.. Range(0, 50), 7, 8, .. Range(1000, 30), 9999];

        var plan = KvReusePlanner.Create(cached, prompt, minimumChunk: 8);

        Assert.Equal(50, plan.CommonPrefix);
        var move = Assert.Single(plan.Moves);
        Assert.Equal(new ChunkMove(50, 52, 30), move);
        Assert.Equal([50, 51, 82], plan.PositionsToEvaluate);
    }

    [Fact]
    public void A_deletion_moves_the_following_chunk_left()
    {
        int[] cached = [.. Range(0, 50), 7, 8, 9, .. Range(1000, 30), 9999];
        int[] prompt = [.. Range(0, 50), .. Range(1000, 30), 9999];

        var plan = KvReusePlanner.Create(cached, prompt, minimumChunk: 8);

        Assert.Equal(new ChunkMove(53, 50, 30), Assert.Single(plan.Moves));
        Assert.Equal([80], plan.PositionsToEvaluate);
    }

    [Fact]
    public void Short_matches_below_the_minimum_are_evaluated_again()
    {
        int[] cached = [.. Range(0, 10), 1, 2, 3, 4, 99];
        int[] prompt = [.. Range(0, 10), 42, 1, 2, 3, 4, 99];

        var plan = KvReusePlanner.Create(cached, prompt, minimumChunk: 8);

        Assert.Empty(plan.Moves);
        Assert.Equal(Enumerable.Range(10, 6), plan.PositionsToEvaluate);
    }

    [Fact]
    public void An_identical_prompt_still_evaluates_its_last_token()
    {
        int[] prompt = Range(0, 40);

        var plan = KvReusePlanner.Create(prompt, prompt, minimumChunk: 8);

        Assert.Equal(39, plan.CommonPrefix);
        Assert.Equal([39], plan.PositionsToEvaluate);
    }

    [Fact]
    public void A_short_run_far_ahead_does_not_hide_the_long_run_before_it()
    {
        // Cached: prefix, suffix (30), middle marker, the line typed so far (10). The new prompt has the finished
        // line before the suffix: both runs reappear, in the other order; the long suffix is the one to keep.
        int[] line = Range(500, 10);
        int[] cached = [.. Range(0, 50), 7777, .. Range(1000, 30), 8888, .. line];
        int[] prompt = [.. Range(0, 50), .. line, 42, 7777, .. Range(1000, 30), 8888, 43];

        var plan = KvReusePlanner.Create(cached, prompt, minimumChunk: 8);

        Assert.Equal(new ChunkMove(50, 61, 32), Assert.Single(plan.Moves));
        Assert.Equal([.. Enumerable.Range(50, 11), 93], plan.PositionsToEvaluate);
    }
}
