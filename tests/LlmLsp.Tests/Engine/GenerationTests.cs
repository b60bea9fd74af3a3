using LlmLsp.Engine;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class GenerationTests(EngineFixture fixture)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    // End-of-generation is ignored unless a test is about it: where the random weights emit their end token at a
    // given prompt changes with the seed or the llama.cpp build, and the tests below count tokens.
    private static GenerationRequest Greedy(string prompt, int maxTokens = 24) =>
        new() { Prompt = prompt, MaxTokens = maxTokens, IgnoreEndOfGeneration = true };

    [Fact]
    public async Task Greedy_generation_is_identical_across_fresh_engines()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var first = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 512, Threads = 2 });
        using var second = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 512, Threads = 2 });

        var a = await first.GenerateTextAsync(Greedy("the quick brown fox", 32), timeout.Token);
        var b = await second.GenerateTextAsync(Greedy("the quick brown fox", 32), timeout.Token);

        Assert.Equal(32, a.GeneratedTokens);
        Assert.Equal(FinishReason.MaxTokens, a.FinishReason);
        Assert.False(string.IsNullOrEmpty(a.Text));
        Assert.Equal(a.Text, b.Text);
    }

    [Fact]
    public async Task Plain_greedy_picks_what_llama_cpps_sampler_chain_picks()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        // Plain greedy takes the argmax of the logits itself; top-k 1 goes through llama.cpp's sampler chain
        // (top-k, temperature, dist) and can only pick the same largest logit.
        var throughChain = Greedy("the quick brown fox", 32) with { Sampling = new SamplingOptions { Temperature = 0.8f, TopK = 1, Seed = 7 } };

        var plain = await fixture.Decoder.GenerateTextAsync(Greedy("the quick brown fox", 32) with { ReuseCachedPrefix = false }, timeout.Token);
        var chain = await fixture.Decoder.GenerateTextAsync(throughChain with { ReuseCachedPrefix = false }, timeout.Token);

        Assert.Equal(32, plain.GeneratedTokens);
        Assert.Equal(chain.Text, plain.Text);
    }

    [Fact]
    public async Task Seeded_sampling_repeats_with_the_same_seed()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var sampled = Greedy("return x", 24) with { Sampling = new SamplingOptions { Temperature = 1.0f, TopK = 0, TopP = 1f, MinP = 0f, Seed = 1234 } };

        var a = await fixture.Decoder.GenerateTextAsync(sampled, timeout.Token);
        var b = await fixture.Decoder.GenerateTextAsync(sampled, timeout.Token);
        var other = await fixture.Decoder.GenerateTextAsync(sampled with { Sampling = sampled.Sampling with { Seed = 99 } }, timeout.Token);

        Assert.Equal(a.Text, b.Text);
        Assert.NotEqual(a.Text, other.Text);
    }

    [Fact]
    public async Task Streamed_pieces_add_up_to_the_final_text()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var pieces = new List<string>();
        GenerationResult? result = null;

        var request = Greedy("for (int i = 0;", 40) with { ReuseCachedPrefix = false };
        await foreach (var update in fixture.Decoder.GenerateAsync(request, timeout.Token))
        {
            if (update.Result is not null)
            {
                result = update.Result;
            }
            else
            {
                pieces.Add(update.Text);
            }
        }

        Assert.NotNull(result);
        Assert.True(pieces.Count > 1);
        Assert.Equal(result.Text, string.Concat(pieces));

        // The whole-text call skips the pieces, not the text.
        var whole = await fixture.Decoder.GenerateTextAsync(request, timeout.Token);
        Assert.Equal(result.Text, whole.Text);
        Assert.Equal(result.GeneratedTokens, whole.GeneratedTokens);
    }

    [Fact]
    public async Task A_stop_sequence_ends_generation_before_it()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var free = await fixture.Decoder.GenerateTextAsync(Greedy("hello world", 40), timeout.Token);
        // Pick text from the middle of what the model says anyway, so the stop sequence is sure to come.
        var text = free.Text;
        var stop = text.Substring(text.Length / 2, Math.Min(3, text.Length - text.Length / 2));
        var expected = text[..text.IndexOf(stop, StringComparison.Ordinal)];

        var stopped = await fixture.Decoder.GenerateTextAsync(Greedy("hello world", 40) with { StopSequences = [stop] }, timeout.Token);

        Assert.Equal(FinishReason.StopSequence, stopped.FinishReason);
        Assert.Equal(expected, stopped.Text);
        Assert.DoesNotContain(stop, stopped.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_tokens_limits_the_output()
    {
        using var timeout = new CancellationTokenSource(s_timeout);

        var result = await fixture.Decoder.GenerateTextAsync(Greedy("int main()", 5), timeout.Token);

        Assert.Equal(FinishReason.MaxTokens, result.FinishReason);
        Assert.Equal(5, result.GeneratedTokens);
    }

    [Fact]
    public async Task An_end_of_generation_token_stops_generation()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var engine = LlamaEngine.Load(new EngineOptions
        {
            ModelPath = TinyModels.Decoder(new TinyModels.DecoderSpec(Seed: 3, FavouredToken: TinyDecoderVocab.EndOfText)),
            ContextSize = 256,
            Threads = 2,
        });

        var result = await engine.GenerateTextAsync(Greedy("hello", 50) with { IgnoreEndOfGeneration = false }, timeout.Token);
        var ignored = await engine.GenerateTextAsync(Greedy("hello", 7), timeout.Token);

        Assert.Equal(FinishReason.EndOfGeneration, result.FinishReason);
        Assert.Equal(0, result.GeneratedTokens);
        Assert.Equal(FinishReason.MaxTokens, ignored.FinishReason);
        Assert.Equal(7, ignored.GeneratedTokens);
    }

    [Fact]
    public async Task A_time_budget_ends_generation()
    {
        using var timeout = new CancellationTokenSource(s_timeout);

        var result = await fixture.Decoder.GenerateTextAsync(
            Greedy("while (true)", 100_000) with { TimeBudget = TimeSpan.Zero }, timeout.Token);

        Assert.Equal(FinishReason.TimeBudget, result.FinishReason);
        Assert.Equal(0, result.GeneratedTokens);
    }

    [Fact]
    public async Task Cancellation_stops_within_one_step_and_the_engine_serves_the_next_call()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var engine = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 2048, Threads = 2 });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var piecesAfterCancel = 0;
        long evaluatedAtCancel = -1;
        // Read the counter the moment the token is cancelled: the engine keeps decoding while this test's thread waits
        // for a core, and those steps come before the cancellation, not after it.
        using var atCancel = cancel.Token.Register(() => evaluatedAtCancel = engine.EvaluatedTokenCount);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in engine.GenerateAsync(Greedy("once upon a time", 1500), cancel.Token))
            {
                if (cancel.IsCancellationRequested)
                {
                    piecesAfterCancel++;
                }
                else
                {
                    await cancel.CancelAsync();
                }
            }
        });
        // The next call runs after the cancelled one has released the context.
        var next = await engine.GenerateTextAsync(Greedy("once upon a time", 8), timeout.Token);

        Assert.Equal(0, piecesAfterCancel);
        Assert.Equal(8, next.GeneratedTokens);
        // Everything decoded since the cancel: at most the one token step in flight, then the next call's own work.
        var afterCancel = engine.EvaluatedTokenCount - evaluatedAtCancel - next.EvaluatedPromptTokens - next.GeneratedTokens;
        Assert.InRange(afterCancel, 0, 1);
    }

    [Fact]
    public async Task Cancelling_a_long_prompt_decode_aborts_it_and_keeps_the_cache_consistent()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var reference = await fixture.Decoder.GenerateTextAsync(Greedy("def f(x):", 16), timeout.Token);
        var longPrompt = string.Join(' ', Enumerable.Repeat("the engine decodes many tokens", 60));
        Assert.InRange(fixture.Decoder.Tokenize(longPrompt).Count, 600, fixture.Decoder.ContextSize - 100);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(5));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => fixture.Decoder.GenerateTextAsync(Greedy(longPrompt, 64), cancel.Token));
        var again = await fixture.Decoder.GenerateTextAsync(Greedy("def f(x):", 16), timeout.Token);

        Assert.Equal(reference.Text, again.Text);
    }

    [Fact]
    public async Task Eight_concurrent_generations_each_get_their_own_answer()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var prompts = Enumerable.Range(0, 8).Select(i => $"prompt number {i}: the value is").ToArray();
        var expected = new List<string>();
        foreach (var prompt in prompts)
        {
            expected.Add((await fixture.Decoder.GenerateTextAsync(Greedy(prompt, 20), timeout.Token)).Text);
        }

        var concurrent = await Task.WhenAll(prompts.Select(p => Task.Run(() => fixture.Decoder.GenerateTextAsync(Greedy(p, 20), timeout.Token))));

        Assert.Equal(expected, concurrent.Select(r => r.Text));
        Assert.All(concurrent, r => Assert.True(r.GeneratedTokens > 0));
    }

    [Fact]
    public async Task A_prompt_sharing_a_prefix_evaluates_only_its_new_tokens()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var engine = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 1024, Threads = 2 });
        var prefix = engine.Tokenize(string.Join(' ', Enumerable.Repeat("shared context line", 80)), addSpecial: true).Take(200).ToArray();
        Assert.Equal(200, prefix.Length);
        int[] first = [.. prefix, .. engine.Tokenize(" first question")];
        int[] second = [.. prefix, .. engine.Tokenize(" another ending here")];

        var a = await engine.GenerateTextAsync(new GenerationRequest { PromptTokens = first, MaxTokens = 4 }, timeout.Token);
        var b = await engine.GenerateTextAsync(new GenerationRequest { PromptTokens = second, MaxTokens = 4 }, timeout.Token);
        var same = await engine.GenerateTextAsync(new GenerationRequest { PromptTokens = second, MaxTokens = 4 }, timeout.Token);

        Assert.Equal(first.Length, a.EvaluatedPromptTokens);
        Assert.Equal(second.Length - 200, b.EvaluatedPromptTokens);
        Assert.Equal(1, same.EvaluatedPromptTokens);
        Assert.Equal(b.Text, same.Text);
    }

    [Fact]
    public async Task Reused_prefix_gives_the_same_text_as_a_fresh_context()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var fresh = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 1024, Threads = 2 });
        using var warmed = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 1024, Threads = 2 });
        var shared = string.Join(' ', Enumerable.Repeat("public int Count", 30));

        await warmed.GenerateTextAsync(Greedy(shared + " { get;", 10), timeout.Token);
        var reused = await warmed.GenerateTextAsync(Greedy(shared + " => items", 12), timeout.Token);
        var cold = await fresh.GenerateTextAsync(Greedy(shared + " => items", 12), timeout.Token);

        Assert.True(reused.EvaluatedPromptTokens < reused.PromptTokens);
        Assert.Equal(cold.Text, reused.Text);
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_a_clear_error()
    {
        using var engine = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 64, Threads = 2 });
        var prompt = string.Join(' ', Enumerable.Repeat("word", engine.ContextSize + 10));

        var error = await Assert.ThrowsAsync<LlmLspException>(() => engine.GenerateTextAsync(Greedy(prompt)));

        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains($"context holds {engine.ContextSize}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generation_stops_cleanly_when_the_context_fills()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var engine = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 32, Threads = 2 });

        var result = await engine.GenerateTextAsync(Greedy("a b c", 1000), timeout.Token);

        Assert.Equal(FinishReason.ContextFull, result.FinishReason);
        Assert.True(result.PromptTokens + result.GeneratedTokens <= engine.ContextSize);
        Assert.True(result.GeneratedTokens > 0);
    }

    [Fact]
    public async Task An_edit_in_the_middle_reuses_the_shifted_tail_of_the_cache()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var engine = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 2048, Threads = 2 });
        var head = engine.Tokenize(string.Join(' ', Enumerable.Repeat("int value = compute(input);", 30)), addSpecial: true).ToArray();
        var tail = engine.Tokenize(string.Join(' ', Enumerable.Repeat(" return value + offset;", 20))).ToArray();
        var typed = engine.Tokenize(" x").ToArray();
        int[] before = [.. head, .. tail];
        int[] after = [.. head, .. typed, .. tail];
        var request = new GenerationRequest { MaxTokens = 4, ReuseChunkMinimum = 16 };

        await engine.GenerateTextAsync(request with { PromptTokens = before }, timeout.Token);
        var edited = await engine.GenerateTextAsync(request with { PromptTokens = after }, timeout.Token);
        var again = await engine.GenerateTextAsync(request with { PromptTokens = after, MaxTokens = 6 }, timeout.Token);

        // The typed tokens and the final token, instead of the whole tail.
        Assert.Equal(typed.Length + 1, edited.EvaluatedPromptTokens);
        Assert.True(tail.Length > 100);
        Assert.Equal(1, again.EvaluatedPromptTokens);
        Assert.Equal(6, again.GeneratedTokens);
    }

    [Fact]
    public async Task Breaking_out_of_the_stream_stops_the_generation()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var engine = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 2048, Threads = 2 });

        await foreach (var update in engine.GenerateAsync(Greedy("let x", 1500), timeout.Token))
        {
            break;
        }
        var next = await engine.GenerateTextAsync(Greedy("let x", 3), timeout.Token);

        Assert.Equal(3, next.GeneratedTokens);
        Assert.True(engine.EvaluatedTokenCount < 200, $"{engine.EvaluatedTokenCount} tokens decoded: the abandoned generation kept running");
    }
}
