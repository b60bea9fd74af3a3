using System.Runtime.CompilerServices;

namespace LlmLsp.Engine.Native;

/// <summary>Checks, before any real call, that our struct mirrors have the header's sizes and that the
/// library's default parameters read back as the header's documented defaults. A shifted field would make
/// every later call pass garbage; this turns that into a clear refusal at start-up.</summary>
internal static class AbiSelfTest
{
    public static void Run()
    {
        var problems = new List<string>();
        Expect(problems, "sizeof(llama_model_params)", Unsafe.SizeOf<LlamaModelParams>(), LlamaAbi.ModelParamsSize);
        Expect(problems, "sizeof(llama_context_params)", Unsafe.SizeOf<LlamaContextParams>(), LlamaAbi.ContextParamsSize);
        Expect(problems, "sizeof(ggml_threadpool_params)", Unsafe.SizeOf<GgmlThreadpoolParams>(), LlamaAbi.ThreadpoolParamsSize);
        Expect(problems, "sizeof(llama_batch)", Unsafe.SizeOf<LlamaBatchNative>(), LlamaAbi.BatchSize);
        Expect(problems, "sizeof(llama_model_quantize_params)", Unsafe.SizeOf<LlamaModelQuantizeParams>(), LlamaAbi.ModelQuantizeParamsSize);
        Expect(problems, "sizeof(llama_perf_context_data)", Unsafe.SizeOf<LlamaPerfContextData>(), LlamaAbi.PerfContextDataSize);

        var model = Interop.Llama.llama_model_default_params();
        Expect(problems, "model.n_gpu_layers", model.NGpuLayers, -1);
        Expect(problems, "model.split_mode", model.SplitMode, 1);
        Expect(problems, "model.use_extra_bufts", model.UseExtraBufts, (byte)1);
        Expect(problems, "model.load_mtp", model.LoadMtp, (byte)0);

        var context = Interop.Llama.llama_context_default_params();
        Expect(problems, "context.n_ctx", context.NCtx, 512u);
        Expect(problems, "context.n_batch", context.NBatch, 2048u);
        Expect(problems, "context.n_ubatch", context.NUbatch, 512u);
        Expect(problems, "context.n_seq_max", context.NSeqMax, 1u);
        Expect(problems, "context.n_outputs_max_per_seq", context.NOutputsMaxPerSeq, 1u);
        Expect(problems, "context.yarn_ext_factor", context.YarnExtFactor, -1.0f);
        Expect(problems, "context.type_k", context.TypeK, 1);
        Expect(problems, "context.offload_kqv", context.OffloadKqv, (byte)1);
        Expect(problems, "context.no_perf", context.NoPerf, (byte)1);
        Expect(problems, "context.swa_full", context.SwaFull, (byte)1);
        Expect(problems, "context.kv_unified", context.KvUnified, (byte)0);
        Expect(problems, "context.n_samplers", context.NSamplers, (nuint)0);

        var quantize = Interop.Llama.llama_model_quantize_default_params();
        Expect(problems, "quantize.ftype", quantize.FileType, 7);
        Expect(problems, "quantize.output_tensor_type", quantize.OutputTensorType, LlamaAbi.GgmlTypeCount);
        Expect(problems, "quantize.quantize_output_tensor", quantize.QuantizeOutputTensor, (byte)1);
        Expect(problems, "quantize.dry_run", quantize.DryRun, (byte)0);

        if (problems.Count > 0)
        {
            throw new LlmLspException(ErrorKind.NativeLibrary,
                $"The llama.cpp library does not match the {LlamaAbi.ReleaseTag} header these bindings mirror: " + string.Join("; ", problems));
        }
    }

    private static void Expect<T>(List<string> problems, string what, T actual, T expected)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
        {
            problems.Add($"{what} is {actual}, expected {expected}");
        }
    }
}
