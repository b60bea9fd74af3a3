using LlmLsp.Engine;
using LlmLsp.Features.Completion;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.Completion;

public sealed class CompletionFeatureTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly LlamaEngine _engine = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Suggester(), ContextSize = 2048, Threads = 2 });

    public void Dispose() => _engine.Dispose();

    private static string Source()
    {
        var lines = new List<string> { "using System;", "", "public static class Maths", "{" };
        for (var i = 0; i < 40; i++)
        {
            lines.Add($"    public static int Add{i}(int a, int b) => a + b + {i};");
        }
        lines.Add("    public static int Sum(int[] values)");
        lines.Add("    {");
        lines.Add("        var total = 0;");
        lines.Add("        ");
        lines.Add("        return total;");
        lines.Add("    }");
        for (var i = 0; i < 10; i++)
        {
            lines.Add($"    public static int Twice{i}(int value) => value * 2 + {i};");
        }
        lines.Add("}");
        return string.Join('\n', lines) + "\n";
    }

    private static int CursorOffset(string text)
    {
        var at = text.IndexOf("var total = 0;\n        ", StringComparison.Ordinal);
        Assert.True(at >= 0);
        return at + "var total = 0;\n        ".Length;
    }

    [Fact]
    public void The_fim_prompt_uses_the_models_own_tokens_in_prefix_suffix_middle_order()
    {
        using var feature = new CompletionFeature(_engine);
        var template = ((EngineInfillModel)feature.Model).Template;

        var tokens = template.Assemble([], [100, 101], [200]);

        Assert.Equal("model", template.Source);
        Assert.Equal([TinyDecoderVocab.Bos, TinyDecoderVocab.FimPrefix, 100, 101, TinyDecoderVocab.FimSuffix, 200, TinyDecoderVocab.FimMiddle], tokens);
        Assert.Equal(TinyDecoderVocab.FileSeparator, template.FileSeparator);
        Assert.Equal(TinyDecoderVocab.RepoName, template.RepoName);
    }

    [Fact]
    public void The_cursor_lines_start_goes_after_the_middle_marker_so_typing_on_a_line_keeps_the_rest_cached()
    {
        using var feature = new CompletionFeature(_engine);
        var template = ((EngineInfillModel)feature.Model).Template;

        var tokens = template.Assemble([], [100, 101], [200], lineStart: [300, 301]);

        Assert.Equal([TinyDecoderVocab.Bos, TinyDecoderVocab.FimPrefix, 100, 101, TinyDecoderVocab.FimSuffix, 200, TinyDecoderVocab.FimMiddle, 300, 301], tokens);
        var codestral = new FimTemplate("codestral", Prefix: 7, Suffix: 8, Middle: null, FimOrder.SuffixPrefix, null, null, AddBos: true, Bos: 1);
        Assert.Equal([1, 8, 200, 7, 100, 300], codestral.Assemble([], [100], [200], lineStart: [300]));
    }

    [Fact]
    public async Task Typing_a_word_on_a_line_evaluates_only_the_lines_new_tokens_each_time()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var feature = new CompletionFeature(_engine, new CompletionSettings { MaxTokens = 1, IgnoreEndOfGeneration = true });
        var text = Source();
        var offset = CursorOffset(text);
        await feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", text, offset), timeout.Token);

        // Characters that no suggestion starts with, so each keystroke goes to the model.
        foreach (var typed in new[] { "ç", "çq", "çqz" })
        {
            var result = await feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", text.Insert(offset, typed), offset + typed.Length), timeout.Token);
            Assert.Equal(CompletionSource.Model, result.Source);
            // Only the cursor line's tokens after the middle marker can change; the suffix never moves.
            Assert.InRange(result.EvaluatedTokens, 1, 8);
        }
    }

    [Fact]
    public async Task Finishing_a_line_reuses_the_moved_suffix_instead_of_evaluating_it_again()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var feature = new CompletionFeature(_engine, new CompletionSettings { MaxTokens = 1, IgnoreEndOfGeneration = true, DebounceMs = 0 });
        var text = Source();
        var offset = CursorOffset(text);
        await feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", text.Insert(offset, "total += 1;"), offset + 11), timeout.Token);

        const string line = "total += 1;\n        ";
        var result = await feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", text.Insert(offset, line), offset + line.Length), timeout.Token);

        Assert.Equal(CompletionSource.Model, result.Source);
        Assert.True(result.PromptTokens > 300, $"prompt of {result.PromptTokens} tokens");
        // The finished line and the markers around the suffix; the suffix itself is moved, not evaluated.
        Assert.InRange(result.EvaluatedTokens, 1, 40);
    }

    [Fact]
    public void A_suffix_first_family_puts_the_suffix_before_the_prefix()
    {
        var codestral = new FimTemplate("codestral", Prefix: 7, Suffix: 8, Middle: null, FimOrder.SuffixPrefix, null, null, AddBos: true, Bos: 1);

        Assert.Equal([1, 8, 200, 201, 7, 100], codestral.Assemble([], [100], [200, 201]));
        Assert.Contains(FimTemplate.KnownFamilies, f => f.Name == "deepseek-coder" && f.Order == FimOrder.PrefixSuffixMiddle);
    }

    [Fact]
    public async Task Typing_one_more_character_evaluates_only_a_handful_of_tokens()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var feature = new CompletionFeature(_engine, new CompletionSettings { MaxTokens = 8 });
        var text = Source();
        var offset = CursorOffset(text);

        var first = await feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", text, offset), timeout.Token);
        // A character the suggestion (" value value …") does not start with, so typed-ahead reuse cannot answer.
        Assert.StartsWith(TinyModels.SuggesterWord, first.Text, StringComparison.Ordinal);
        var edited = text.Insert(offset, "q");
        var second = await feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", edited, offset + 1), timeout.Token);

        Assert.Equal(CompletionSource.Model, first.Source);
        Assert.True(first.PromptTokens > 300, $"prompt of {first.PromptTokens} tokens");
        Assert.Equal(CompletionSource.Model, second.Source);
        Assert.InRange(second.EvaluatedTokens, 1, 6);
    }

    [Fact]
    public async Task Typing_the_start_of_the_suggestion_answers_from_memory_without_the_model()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var feature = new CompletionFeature(_engine, new CompletionSettings { MaxTokens = 12 });
        var text = Source();
        var offset = CursorOffset(text);
        var first = await feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", text, offset), timeout.Token);
        Assert.StartsWith(TinyModels.SuggesterWord + TinyModels.SuggesterWord, first.Text, StringComparison.Ordinal);
        var evaluatedBefore = _engine.EvaluatedTokenCount;

        var typed = first.Text![..1];
        var second = await feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", text.Insert(offset, typed), offset + 1), timeout.Token);

        Assert.Equal(CompletionSource.TypedAhead, second.Source);
        Assert.Equal(first.Text[1..], second.Text);
        Assert.Equal(evaluatedBefore, _engine.EvaluatedTokenCount);
    }

    [Fact]
    public async Task The_same_request_again_comes_from_the_result_cache()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var feature = new CompletionFeature(_engine, new CompletionSettings { MaxTokens = 8 });
        var text = Source();
        var offset = CursorOffset(text);

        var first = await feature.CompleteAsync(new CompletionRequest("a", "Maths.cs", text, offset), timeout.Token);
        var evaluatedBefore = _engine.EvaluatedTokenCount;
        var again = await feature.CompleteAsync(new CompletionRequest("b", "Maths.cs", text, offset), timeout.Token);

        Assert.Equal(CompletionSource.Cache, again.Source);
        Assert.Equal(first.Text, again.Text);
        Assert.Equal(evaluatedBefore, _engine.EvaluatedTokenCount);
    }

    [Fact]
    public async Task A_newer_request_for_the_same_document_cancels_the_older_one()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var feature = new CompletionFeature(_engine, new CompletionSettings { MaxTokens = 200, TimeBudgetMs = 60_000 });
        var text = Source();
        var offset = CursorOffset(text);

        var older = feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", text, offset), timeout.Token);
        var newer = feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", text.Insert(offset, "v"), offset + 1), timeout.Token);

        var newest = await newer;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => older);
        Assert.Equal(CompletionSource.Model, newest.Source);
    }

    [Fact]
    public async Task A_request_superseded_within_the_debounce_costs_no_model_work()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var feature = new CompletionFeature(_engine, new CompletionSettings { MaxTokens = 4, DebounceMs = 500 });
        var text = Source();
        var offset = CursorOffset(text);
        var evaluatedBefore = _engine.EvaluatedTokenCount;

        var older = feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", text, offset, Version: 1), timeout.Token);
        var newer = feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", text.Insert(offset, "v"), offset + 1, Version: 2), timeout.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => older);
        var newest = await newer;
        Assert.Equal(CompletionSource.Model, newest.Source);
        // Only the newer request reached the engine: its prompt and its generated tokens.
        Assert.InRange(_engine.EvaluatedTokenCount - evaluatedBefore, newest.EvaluatedTokens, newest.EvaluatedTokens + 4);
    }

    [Fact]
    public async Task No_suggestion_is_computed_inside_a_word()
    {
        using var feature = new CompletionFeature(_engine);
        var text = "var identifier = 1;\n";

        var result = await feature.CompleteAsync(new CompletionRequest("doc", "a.cs", text, 8), CancellationToken.None);

        Assert.Equal(CompletionSource.Skipped, result.Source);
        Assert.Null(result.Text);
    }

    [Fact]
    public async Task A_cursor_outside_the_document_is_a_clear_error()
    {
        using var feature = new CompletionFeature(_engine);

        var error = await Assert.ThrowsAsync<LlmLspException>(() => feature.CompleteAsync(new CompletionRequest("doc", "a.cs", "abc", 10), CancellationToken.None));

        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
    }
}
