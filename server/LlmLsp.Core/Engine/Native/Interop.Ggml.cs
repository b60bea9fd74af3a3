using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

internal static unsafe partial class Interop
{
    internal static partial class Ggml
    {
        [LibraryImport(LlamaAbi.GgmlLibrary, StringMarshalling = StringMarshalling.Utf8)]
        public static partial void ggml_backend_load_all_from_path(string dirPath);

        [LibraryImport(LlamaAbi.GgmlLibrary)]
        public static partial nuint ggml_backend_dev_count();

        [LibraryImport(LlamaAbi.GgmlLibrary)]
        public static partial nint ggml_backend_dev_get(nuint index);

        [LibraryImport(LlamaAbi.GgmlBaseLibrary)]
        public static partial byte* ggml_backend_dev_name(nint device);

        [LibraryImport(LlamaAbi.GgmlBaseLibrary)]
        public static partial byte* ggml_backend_dev_description(nint device);

        [LibraryImport(LlamaAbi.GgmlLibrary)]
        public static partial nint ggml_backend_dev_by_type(int type);

        [LibraryImport(LlamaAbi.GgmlBaseLibrary)]
        public static partial nint ggml_backend_dev_backend_reg(nint device);

        [LibraryImport(LlamaAbi.GgmlBaseLibrary, StringMarshalling = StringMarshalling.Utf8)]
        public static partial nint ggml_backend_reg_get_proc_address(nint registry, string name);

        [LibraryImport(LlamaAbi.GgmlBaseLibrary)]
        public static partial void ggml_threadpool_params_init(GgmlThreadpoolParams* parameters, int threads);

        [LibraryImport(LlamaAbi.GgmlBaseLibrary)]
        public static partial byte* ggml_version();

        [LibraryImport(LlamaAbi.GgmlBaseLibrary)]
        public static partial byte* ggml_commit();
    }
}
