using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

/// <summary>How to create a context. Threads must not exceed the physical cores: oversubscribing the
/// prebuilt thread pool collapses generation speed by two orders of magnitude.</summary>
internal sealed record ContextSettings(
    int ContextSize,
    int BatchSize,
    int MicroBatchSize,
    int Threads,
    int MaxSequences = 1,
    bool Embeddings = false,
    int PoolingType = -1,
    bool UnifiedKvCache = false);

/// <summary>Owns a llama_context and its abort flag. Never used from two threads at once: the engine's
/// scheduler is its only caller.</summary>
internal sealed unsafe class SafeLlamaContextHandle : SafeHandle
{
    private readonly SafeLlamaModelHandle _model;
    private nint _abortFlag;
    private CpuThreadpool? _threadpool;

    private SafeLlamaContextHandle(SafeLlamaModelHandle model) : base(0, ownsHandle: true)
    {
        _model = model;
    }

    public override bool IsInvalid => handle == 0;

    public static SafeLlamaContextHandle Create(SafeLlamaModelHandle model, ContextSettings settings)
    {
        var context = new SafeLlamaContextHandle(model);
        var addedRef = false;
        model.DangerousAddRef(ref addedRef);
        var parameters = Interop.Llama.llama_context_default_params();
        parameters.NCtx = (uint)settings.ContextSize;
        parameters.NBatch = (uint)settings.BatchSize;
        parameters.NUbatch = (uint)settings.MicroBatchSize;
        parameters.NSeqMax = (uint)settings.MaxSequences;
        parameters.NThreads = settings.Threads;
        parameters.NThreadsBatch = settings.Threads;
        parameters.Embeddings = settings.Embeddings ? (byte)1 : (byte)0;
        parameters.PoolingType = settings.PoolingType;
        parameters.KvUnified = settings.UnifiedKvCache ? (byte)1 : (byte)0;
        // The flag lives in native memory so the abort callback can read it without a GC handle.
        context._abortFlag = (nint)NativeMemory.AllocZeroed(sizeof(int));
        parameters.AbortCallback = (delegate* unmanaged[Cdecl]<void*, byte>)&ShouldAbort;
        parameters.AbortCallbackData = (void*)context._abortFlag;
        var raw = Interop.Llama.llama_init_from_model(model.Raw, parameters);
        if (raw == 0)
        {
            context.Dispose();
            throw new LlmLspException(ErrorKind.InvalidModel,
                $"llama.cpp could not create a context (n_ctx {settings.ContextSize}, n_batch {settings.BatchSize}); see the log for its reason.");
        }
        context.SetHandle(raw);
        context._threadpool = CpuThreadpool.TryCreate(settings.Threads);
        if (context._threadpool is { } pool)
        {
            Interop.Llama.llama_attach_threadpool(raw, pool.Raw, 0);
        }
        return context;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte ShouldAbort(void* data) => Volatile.Read(ref *(int*)data) != 0 ? (byte)1 : (byte)0;

    protected override bool ReleaseHandle()
    {
        if (handle != 0)
        {
            Interop.Llama.llama_free(handle);
        }
        // After the context: llama_free must not find its attached pool gone.
        _threadpool?.Dispose();
        FreeAbortFlagAndModel();
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // A context that never got a native handle is "invalid" and ReleaseHandle is not called for it.
        if (IsInvalid)
        {
            FreeAbortFlagAndModel();
        }
    }

    private void FreeAbortFlagAndModel()
    {
        var flag = Interlocked.Exchange(ref _abortFlag, 0);
        if (flag == 0)
        {
            return;
        }
        NativeMemory.Free((void*)flag);
        _model.DangerousRelease();
    }

    private nint Raw
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return handle;
        }
    }

    private nint Memory => Interop.Llama.llama_get_memory(Raw);

    /// <summary>llama.cpp's own "load time" for this context (see <see cref="LlamaPerfContextData.LoadMs"/>);
    /// meaningful once the context has evaluated something.</summary>
    public double LlamaLoadMilliseconds()
    {
        Interop.Llama.llama_synchronize(Raw);
        return Interop.Llama.llama_perf_context(Raw).LoadMs;
    }

    public int ContextSize => (int)Interop.Llama.llama_n_ctx(Raw);

    public int BatchSize => (int)Interop.Llama.llama_n_batch(Raw);

    public int MicroBatchSize => (int)Interop.Llama.llama_n_ubatch(Raw);

    public int MaxSequences => (int)Interop.Llama.llama_n_seq_max(Raw);

    public int PoolingType => Interop.Llama.llama_pooling_type(Raw);

    /// <summary>Makes the decode in progress (and any started before <see cref="ClearAbort"/>) stop early.
    /// Safe from any thread.</summary>
    public void RequestAbort() => Volatile.Write(ref *(int*)_abortFlag, 1);

    public void ClearAbort() => Volatile.Write(ref *(int*)_abortFlag, 0);

    /// <summary>0 on success, 1 when no KV slot was found, 2 when aborted, negative on error.</summary>
    public int Decode(LlamaBatch batch)
    {
        using var scope = NativeLog.Decoding(_abortFlag);
        return Interop.Llama.llama_decode(Raw, batch.Native);
    }

    public int Encode(LlamaBatch batch)
    {
        using var scope = NativeLog.Decoding(_abortFlag);
        return Interop.Llama.llama_encode(Raw, batch.Native);
    }

    public ReadOnlySpan<float> Logits(int batchIndex, int vocabSize)
    {
        var logits = Interop.Llama.llama_get_logits_ith(Raw, batchIndex);
        return logits is null ? throw new InvalidOperationException($"No logits for batch index {batchIndex}.") : new ReadOnlySpan<float>(logits, vocabSize);
    }

    public ReadOnlySpan<float> SequenceEmbedding(int sequence, int size)
    {
        var embedding = Interop.Llama.llama_get_embeddings_seq(Raw, sequence);
        return embedding is null ? default : new ReadOnlySpan<float>(embedding, size);
    }

    public ReadOnlySpan<float> TokenEmbedding(int batchIndex, int size)
    {
        var embedding = Interop.Llama.llama_get_embeddings_ith(Raw, batchIndex);
        return embedding is null ? default : new ReadOnlySpan<float>(embedding, size);
    }

    public void ClearMemory() => Interop.Llama.llama_memory_clear(Memory, data: true);

    /// <summary>Removes positions [from, to) of a sequence; to &lt; 0 means to the end.</summary>
    public bool RemoveTokens(int sequence, int from, int to) => Interop.Llama.llama_memory_seq_rm(Memory, sequence, from, to);

    public void CopySequence(int source, int destination, int from, int to) => Interop.Llama.llama_memory_seq_cp(Memory, source, destination, from, to);

    public void KeepOnlySequence(int sequence) => Interop.Llama.llama_memory_seq_keep(Memory, sequence);

    /// <summary>Moves positions [from, to) of a sequence by <paramref name="delta"/> (RoPE shift).</summary>
    public void ShiftPositions(int sequence, int from, int to, int delta) => Interop.Llama.llama_memory_seq_add(Memory, sequence, from, to, delta);

    public int MaxPosition(int sequence) => Interop.Llama.llama_memory_seq_pos_max(Memory, sequence);

    public bool CanShift => Interop.Llama.llama_memory_can_shift(Memory);

    internal nint RawForSampler => Raw;
}
