namespace LlmLsp.Engine.Native;

/// <summary>llama.cpp's own quantiser (what `llama-quantize` runs), so benchmark models get exactly the
/// tensor type mix a user's downloaded file would have.</summary>
internal static unsafe class LlamaQuantizer
{
    /// <summary>Quantises <paramref name="input"/> (F32/F16 GGUF) to <paramref name="output"/>; <paramref name="fileType"/>
    /// is a llama_ftype value. Returns llama.cpp's status (0 = success).</summary>
    public static uint Quantize(string input, string output, int fileType, int threads)
    {
        var parameters = Interop.Llama.llama_model_quantize_default_params();
        parameters.FileType = fileType;
        parameters.NThread = threads;
        return Interop.Llama.llama_model_quantize(input, output, &parameters);
    }
}
