using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

internal static unsafe partial class Interop
{
    internal static partial class Llama
    {
        [LibraryImport(LlamaAbi.LlamaLibrary, StringMarshalling = StringMarshalling.Utf8)]
        public static partial nint llama_model_load_from_file(string pathModel, LlamaModelParams parameters);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial void llama_model_free(nint model);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial nint llama_model_get_vocab(nint model);

        [LibraryImport(LlamaAbi.LlamaLibrary, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int llama_model_meta_val_str(nint model, string key, byte* buf, nuint bufSize);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_model_n_ctx_train(nint model);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_model_n_embd(nint model);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_model_n_layer(nint model);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial byte* llama_model_chat_template(nint model, byte* name);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        [return: MarshalAs(UnmanagedType.U1)]
        public static partial bool llama_model_has_encoder(nint model);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        [return: MarshalAs(UnmanagedType.U1)]
        public static partial bool llama_model_has_decoder(nint model);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial int llama_model_desc(nint model, byte* buf, nuint bufSize);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial ulong llama_model_size(nint model);

        [LibraryImport(LlamaAbi.LlamaLibrary)]
        public static partial ulong llama_model_n_params(nint model);
    }
}
