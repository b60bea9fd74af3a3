using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

internal static unsafe partial class Interop
{
    internal static partial class Llama
    {
        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial LlamaModelQuantizeParams llama_model_quantize_default_params();

        /// <summary>0 on success.</summary>
        [LibraryImport(LlamaAbi.LlamaLibrary, StringMarshalling = StringMarshalling.Utf8)]
        public static partial uint llama_model_quantize(string fnameInp, string fnameOut, LlamaModelQuantizeParams* parameters);
    }
}
