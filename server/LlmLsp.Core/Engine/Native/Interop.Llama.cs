using System.Runtime.InteropServices;

[assembly: System.Runtime.CompilerServices.DisableRuntimeMarshalling]

namespace LlmLsp.Engine.Native;

/// <summary>Raw llama.cpp imports: native names kept, grouped by area in partial files. Only the wrappers
/// in this folder call them; nothing outside Engine/Native sees a pointer.</summary>
internal static unsafe partial class Interop
{
    internal static partial class Llama
    {
        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_backend_init();

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial LlamaModelParams llama_model_default_params();

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial LlamaContextParams llama_context_default_params();

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial LlamaSamplerChainParams llama_sampler_chain_default_params();

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial byte* llama_print_system_info();

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_log_set(delegate* unmanaged[Cdecl]<int, byte*, void*, void> callback, void* userData);
    }
}
