using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

internal static unsafe partial class Interop
{
    internal static partial class Llama
    {
        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial nint llama_init_from_model(nint model, LlamaContextParams parameters);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_free(nint context);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_attach_threadpool(nint context, nint threadpool, nint threadpoolBatch);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial uint llama_n_ctx(nint context);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial uint llama_n_batch(nint context);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial uint llama_n_ubatch(nint context);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial uint llama_n_seq_max(nint context);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_pooling_type(nint context);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_encode(nint context, LlamaBatchNative batch);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_decode(nint context, LlamaBatchNative batch);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_set_abort_callback(nint context, delegate* unmanaged[Cdecl]<void*, byte> callback, void* data);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial float* llama_get_logits_ith(nint context, int i);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial float* llama_get_embeddings_seq(nint context, int seqId);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial float* llama_get_embeddings_ith(nint context, int i);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_synchronize(nint context);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial LlamaPerfContextData llama_perf_context(nint context);
    }
}
