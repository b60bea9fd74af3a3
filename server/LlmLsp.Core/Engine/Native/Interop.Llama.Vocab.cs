using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

internal static unsafe partial class Interop
{
    internal static partial class Llama
    {
        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_vocab_n_tokens(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_vocab_bos(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_vocab_eos(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_vocab_eot(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        [return: MarshalAs(UnmanagedType.U1)]
        public static partial bool llama_vocab_is_eog(nint vocab, int token);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        [return: MarshalAs(UnmanagedType.U1)]
        public static partial bool llama_vocab_is_control(nint vocab, int token);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        [return: MarshalAs(UnmanagedType.U1)]
        public static partial bool llama_vocab_get_add_bos(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        [return: MarshalAs(UnmanagedType.U1)]
        public static partial bool llama_vocab_get_add_eos(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_vocab_fim_pre(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_vocab_fim_suf(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_vocab_fim_mid(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_vocab_fim_pad(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_vocab_fim_rep(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_vocab_fim_sep(nint vocab);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_tokenize(nint vocab, byte* text, int textLen, int* tokens, int nTokensMax,
            [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_token_to_piece(nint vocab, int token, byte* buf, int length, int lstrip,
            [MarshalAs(UnmanagedType.U1)] bool special);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_detokenize(nint vocab, int* tokens, int nTokens, byte* text, int textLenMax,
            [MarshalAs(UnmanagedType.U1)] bool removeSpecial, [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);
    }
}
