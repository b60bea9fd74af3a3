using System.CommandLine;
using LlmLsp.Engine;
using LlmLsp.Models;
using LlmLsp.Options;

namespace LlmLsp.Cli.Commands;

/// <summary>The options every command that loads a model shares, so they are spelled the same everywhere.</summary>
internal sealed class EngineCommandOptions
{
    private readonly ModelRole? _defaultRole;

    /// <param name="defaultRole">When set, --model is optional and defaults to the model chosen for this role
    /// (`llmlsp models use`), else the recommended one if downloaded.</param>
    public EngineCommandOptions(ModelRole? defaultRole = null)
    {
        _defaultRole = defaultRole;
        Model = new Option<string?>("--model", "-m")
        {
            Description = defaultRole is null
                ? "Path to a GGUF model file."
                : $"Path to a GGUF model file (default: the {defaultRole.Value.ToName()} model chosen with `llmlsp models use`).",
            Required = defaultRole is null,
        };
    }

    public Option<string?> Model { get; }

    public Option<int?> Threads { get; } = new("--threads", "-t")
    {
        Description = "Compute threads (default: the number of physical cores).",
    };

    public Option<int> ContextSize { get; } = new("--ctx-size", "-c")
    {
        Description = "Context size in tokens (0 = the model's trained length).",
        DefaultValueFactory = _ => 4096,
    };

    public Option<int> GpuLayers { get; } = new("--gpu-layers", "-ngl")
    {
        Description = "Layers to offload to a GPU backend (needs the CUDA libraries, see docs/benchmarks.md); 0 = CPU only.",
        DefaultValueFactory = _ => 0,
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Log engine details (library, CPU backend, timings) to stderr.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Threads);
        command.Options.Add(ContextSize);
        command.Options.Add(GpuLayers);
        command.Options.Add(Verbose);
    }

    public EngineOptions ToEngineOptions(ParseResult parse) => new()
    {
        ModelPath = ModelPath(parse),
        Threads = parse.GetValue(Threads),
        ContextSize = parse.GetValue(ContextSize),
        GpuLayers = parse.GetValue(GpuLayers),
    };

    private string ModelPath(ParseResult parse)
    {
        if (parse.GetValue(Model) is { } path)
        {
            return path;
        }
        using var manager = new ModelManager(UserDirectories.FromEnvironment());
        var resolved = manager.Resolve(_defaultRole ?? ModelRole.Chat);
        return resolved.Reason == ModelResolution.Builtin
            ? new Models.Builtin.BuiltinEmbedder(Models.Builtin.BuiltinEmbedder.DefaultPackageFile).EnsureFile(manager.Directories.ModelsDirectory)
            : resolved.Path;
    }
}
