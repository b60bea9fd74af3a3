using LlmLsp.Engine;
using LlmLsp.Tests.EndToEnd;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.Engine;

/// <summary>Every bad model file is a clear error, in the library and through the CLI, and never a crash.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("llmlsp-bad-input-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, string> BadModels() => new()
    {
        { "missing", "Model file not found" },
        { "truncated", "truncated" },
        { "random", "not a GGUF file" },
        { "unknown-architecture", "unknown model architecture" },
        { "folder", "is a folder" },
        { "empty", "too short" },
    };

    private string MakeBadModel(string kind) => kind switch
    {
        "missing" => Path.Combine(_directory, "nope.gguf"),
        "truncated" => TinyModels.TruncatedCopy(TinyModels.Decoder(), _directory),
        "random" => TinyModels.RandomBytesFile(_directory),
        "unknown-architecture" => TinyModels.UnknownArchitecture(),
        "folder" => _directory,
        "empty" => WriteEmpty(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private string WriteEmpty()
    {
        var path = Path.Combine(_directory, "empty.gguf");
        File.WriteAllBytes(path, []);
        return path;
    }

    [Theory]
    [MemberData(nameof(BadModels))]
    public void Loading_a_bad_model_is_a_clear_error(string kind, string expectedMessage)
    {
        var path = MakeBadModel(kind);

        var error = Assert.Throws<LlmLspException>(() => LlamaEngine.Load(new EngineOptions { ModelPath = path }));

        Assert.Contains(expectedMessage, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(BadModels))]
    public async Task The_cli_reports_a_bad_model_and_exits_non_zero(string kind, string expectedMessage)
    {
        var path = MakeBadModel(kind);

        var result = await CliProcess.RunAsync(["generate", "--model", path, "hello"]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(expectedMessage, result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_wrong_native_directory_names_every_path_tried()
    {
        var result = await CliProcess.RunAsync(["generate", "--model", TinyModels.Decoder(), "hello"],
            new Dictionary<string, string> { ["LLMLSP_NATIVE_DIR"] = _directory });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Could not load the llama.cpp libraries", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_directory, "libllama.v0.5.0.so"), result.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_directory, "libggml-base.so"), result.Stderr, StringComparison.Ordinal);
        Assert.Contains("file not found", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_library_that_is_not_llama_cpp_is_refused_with_the_os_error()
    {
        foreach (var name in new[] { "libggml-base.so", "libggml.v0.5.0.so", "libllama.v0.5.0.so" })
        {
            await File.WriteAllTextAsync(Path.Combine(_directory, name), string.Concat(Enumerable.Repeat("not a shared library\n", 200)));
        }

        var result = await CliProcess.RunAsync(["generate", "--model", TinyModels.Decoder(), "hello"],
            new Dictionary<string, string> { ["LLMLSP_NATIVE_DIR"] = _directory });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Could not load the llama.cpp libraries", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("invalid ELF header", result.Stderr, StringComparison.OrdinalIgnoreCase);
    }
}
