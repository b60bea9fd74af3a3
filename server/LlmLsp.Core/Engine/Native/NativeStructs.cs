using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

// Blittable mirrors of the llama.h structs we pass by value. Field order and types follow the header of
// the pinned release exactly; C `bool` is one byte. Sizes are asserted at start-up (LlamaAbi).

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaModelParams
{
    public void* Devices;
    public void* TensorBuftOverrides;
    public int NGpuLayers;
    public int SplitMode;
    public int LoadMode;
    public int LazyMode;
    public int MainGpu;
    public float* TensorSplit;
    public void* ProgressCallback;
    public void* ProgressCallbackUserData;
    public void* KvOverrides;
    public byte VocabOnly;
    public byte CheckTensors;
    public byte UseExtraBufts;
    public byte NoHost;
    public byte NoAlloc;
    public byte LoadMtp;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaContextParams
{
    public uint NCtx;
    public uint NBatch;
    public uint NUbatch;
    public uint NSeqMax;
    public uint NRsSeq;
    public uint NOutputsMax;
    public uint NOutputsMaxPerSeq;
    public int NThreads;
    public int NThreadsBatch;
    public int CtxType;
    public int RopeScalingType;
    public int PoolingType;
    public int AttentionType;
    public int FlashAttnType;
    public float RopeFreqBase;
    public float RopeFreqScale;
    public float YarnExtFactor;
    public float YarnAttnFactor;
    public float YarnBetaFast;
    public float YarnBetaSlow;
    public uint YarnOrigCtx;
    public float DefragThold;
    public void* CbEval;
    public void* CbEvalUserData;
    public int TypeK;
    public int TypeV;
    public void* AbortCallback;
    public void* AbortCallbackData;
    public byte Embeddings;
    public byte OffloadKqv;
    public byte NoPerf;
    public byte OpOffload;
    public byte SwaFull;
    public byte KvUnified;
    public void* Samplers;
    public nuint NSamplers;
    public void* CtxOther;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaBatchNative
{
    public int NTokens;
    public int* Token;
    public float* Embd;
    public int* Pos;
    public int* NSeqId;
    public int** SeqId;
    public sbyte* Logits;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaSamplerChainParams
{
    public byte NoPerf;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaChatMessageNative
{
    public byte* Role;
    public byte* Content;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaModelQuantizeParams
{
    public int NThread;
    public int FileType;
    public int OutputTensorType;
    public int TokenEmbeddingType;
    public byte AllowRequantize;
    public byte QuantizeOutputTensor;
    public byte OnlyCopy;
    public byte Pure;
    public byte KeepSplit;
    public byte DryRun;
    public void* Imatrix;
    public void* KvOverrides;
    public void* TensorTypeOverrides;
    public int* PruneLayers;
    public nuint MaxBufSize;
}

/// <summary>struct ggml_threadpool_params (ggml.h); filled by ggml_threadpool_params_init.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GgmlThreadpoolParams
{
    public fixed byte CpuMask[512];
    public int Threads;
    public int Priority;
    public uint Poll;
    public byte StrictCpu;
    public byte Paused;
}

/// <summary>llama_perf_context_data: llama.cpp's own timers, the ones its tools print. <see cref="LoadMs"/> runs from
/// the start of loading the model's weights (after its metadata is read) to the end of the context's first evaluation.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaPerfContextData
{
    public double StartMs;
    public double LoadMs;
    public double PromptEvalMs;
    public double EvalMs;
    public int PromptTokens;
    public int EvalTokens;
    public int GraphsReused;
}
