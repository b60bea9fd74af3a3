using LlmLsp.Options;

namespace LlmLsp.Tests.Lsp;

public sealed class OptionsLoaderTests
{
    [Fact]
    public void Empty_input_gives_defaults()
    {
        var (options, problems) = OptionsLoader.Load(new Dictionary<string, object?>());
        Assert.Equal(LlmLspOptions.Default, options);
        Assert.Empty(problems);
    }

    [Fact]
    public void Valid_values_apply_and_bad_ones_keep_the_default_and_name_the_setting()
    {
        var (options, problems) = OptionsLoader.Load(new Dictionary<string, object?>
        {
            ["completion.maxTokens"] = 128L,
            ["completion.timeBudgetMs"] = "fast",
            ["completion.languages"] = new object?[] { "csharp", "python" },
            ["model.completion"] = "/models/a.gguf",
            ["chat.maxTokens"] = -1L,
            ["index.exclude"] = new object?[] { 1L },
            ["completion.typo"] = true,
        });

        Assert.Equal(128, options.Completion.MaxTokens);
        Assert.Equal(new CompletionOptions().TimeBudgetMs, options.Completion.TimeBudgetMs);
        Assert.Equal(["csharp", "python"], options.Completion.Languages);
        Assert.Equal("/models/a.gguf", options.Model.CompletionModelPath);
        Assert.Equal(new ChatOptions().MaxTokens, options.Chat.MaxTokens);
        Assert.Equal(
            ["llmlsp.chat.maxTokens", "llmlsp.completion.timeBudgetMs", "llmlsp.completion.typo", "llmlsp.index.exclude"],
            problems.Select(p => p.Setting).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Benchmark_only_ignore_end_of_generation_settings_default_off_and_load()
    {
        Assert.False(LlmLspOptions.Default.Completion.IgnoreEndOfGeneration);
        Assert.False(LlmLspOptions.Default.Chat.IgnoreEndOfGeneration);
        var (options, problems) = OptionsLoader.Load(new Dictionary<string, object?>
        {
            ["completion.ignoreEndOfGeneration"] = true,
            ["chat.ignoreEndOfGeneration"] = true,
        });
        Assert.Empty(problems);
        Assert.True(options.Completion.IgnoreEndOfGeneration);
        Assert.True(options.Chat.IgnoreEndOfGeneration);
    }
}
