using System.CommandLine;
using LlmLsp.Engine;

namespace LlmLsp.Cli.Commands;

/// <summary>The options every command that loads a model shares, so they are spelled the same everywhere.</summary>
internal sealed class EngineCommandOptions
{
    public Option<string> Model { get; } = new("--model", "-m")
    {
        Description = "Path to a GGUF model file.",
        Required = true,
    };

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
        ModelPath = parse.GetValue(Model)!,
        Threads = parse.GetValue(Threads),
        ContextSize = parse.GetValue(ContextSize),
        GpuLayers = parse.GetValue(GpuLayers),
    };
}
