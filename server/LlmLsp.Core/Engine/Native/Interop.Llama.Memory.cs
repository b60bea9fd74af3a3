using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

internal static unsafe partial class Interop
{
    internal static partial class Llama
    {
        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial nint llama_get_memory(nint context);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_memory_clear(nint memory, [MarshalAs(UnmanagedType.U1)] bool data);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        [return: MarshalAs(UnmanagedType.U1)]
        public static partial bool llama_memory_seq_rm(nint memory, int seqId, int p0, int p1);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_memory_seq_cp(nint memory, int seqIdSrc, int seqIdDst, int p0, int p1);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_memory_seq_keep(nint memory, int seqId);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_memory_seq_add(nint memory, int seqId, int p0, int p1, int delta);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_memory_seq_pos_max(nint memory, int seqId);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        [return: MarshalAs(UnmanagedType.U1)]
        public static partial bool llama_memory_can_shift(nint memory);
    }
}
