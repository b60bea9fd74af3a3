using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.EndToEnd;

public sealed class CliTests
{
    [Fact]
    public async Task Generate_streams_text_from_a_model()
    {
        var result = await CliProcess.RunAsync(["generate", "--model", TinyModels.Suggester(), "--max-tokens", "12", "--stats", "hello world"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Concat(Enumerable.Repeat(TinyModels.SuggesterWord, 12)), result.Stdout.TrimEnd('\n'));
        Assert.Contains("generated 12 tokens", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_logging_names_the_cpu_backend_ggml_chose()
    {
        var result = await CliProcess.RunAsync(["generate", "-v", "--model", TinyModels.Decoder(), "-n", "2", "hi"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches("ggml chose the CPU backend '[a-z0-9]+'", result.Stderr);
    }

    [Fact]
    public async Task Embed_prints_the_dimension_and_the_first_values()
    {
        var result = await CliProcess.RunAsync(["embed", "--model", TinyModels.Encoder(), "hello world"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("dimension: 64", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"values: \[-?\d\.\d{6}, ", result.Stdout);
    }

    [Fact]
    public async Task Embed_without_a_model_uses_the_builtin_one_with_no_download()
    {
        using var home = new LlmLsp.Tests.Models.ModelTestHome();

        var result = await CliProcess.RunAsync(["embed", "put my half-done edits aside"], home.Environment);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("all-minilm-l6-v2-q8_0.gguf", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("dimension: 384", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_product_version()
    {
        var result = await CliProcess.RunAsync(["--version"]);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("0.1.0", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_required_option_is_a_usage_error()
    {
        var result = await CliProcess.RunAsync(["generate", "hello"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--model", result.Stderr, StringComparison.Ordinal);
    }
}
