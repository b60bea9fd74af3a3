using LlmLsp.Engine.Native;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Engine;

/// <summary>GGUF file types llama.cpp can quantise to (llama_ftype values).</summary>
public enum ModelFileType
{
    F16 = 1,
    Q8_0 = 7,
    Q4_K_M = 15,
}

/// <summary>Quantises GGUF files with llama.cpp's own quantiser (the code behind `llama-quantize`).</summary>
public static class ModelQuantizer
{
    /// <summary>Writes <paramref name="output"/> from an F32/F16 <paramref name="input"/>. Runs on the calling
    /// thread with <paramref name="threads"/> native workers; it does not touch any loaded model.</summary>
    public static void Quantize(string input, string output, ModelFileType type, int threads, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentException.ThrowIfNullOrEmpty(output);
        NativeLibraryLoader.Load(logger);
        var status = LlamaQuantizer.Quantize(input, output, (int)type, Math.Max(1, threads));
        if (status != 0)
        {
            throw new LlmLspException(ErrorKind.InvalidModel, $"llama.cpp could not quantise {input} to {type} (status {status}); see the log.");
        }
    }
}
