using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

internal static unsafe partial class Interop
{
    internal static partial class Llama
    {
        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial nint llama_sampler_chain_init(LlamaSamplerChainParams parameters);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_sampler_chain_add(nint chain, nint sampler);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial nint llama_sampler_init_greedy();

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial nint llama_sampler_init_dist(uint seed);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial nint llama_sampler_init_top_k(int k);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial nint llama_sampler_init_top_p(float p, nuint minKeep);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial nint llama_sampler_init_min_p(float p, nuint minKeep);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial nint llama_sampler_init_temp(float t);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial nint llama_sampler_init_penalties(int penaltyLastN, float penaltyRepeat, float penaltyFreq, float penaltyPresent);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_sampler_sample(nint sampler, nint context, int idx);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_sampler_accept(nint sampler, int token);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_sampler_reset(nint sampler);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_sampler_free(nint sampler);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_chat_apply_template(byte* template, LlamaChatMessageNative* chat, nuint nMsg,
            [MarshalAs(UnmanagedType.U1)] bool addAssistant, byte* buf, int length);
    }
}
