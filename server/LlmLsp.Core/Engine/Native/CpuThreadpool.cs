namespace LlmLsp.Engine.Native;

/// <summary>A ggml CPU threadpool that lives as long as its context. Without one, ggml starts and joins fresh worker
/// threads for every graph, i.e. for every generated token; llama.cpp's own tools attach a persistent pool too
/// (docs/benchmarks.md, Engine). The functions live in the CPU backend variant
/// ggml chose at run time, so they are looked up through the backend registry, as llama.cpp's tools do.</summary>
internal sealed unsafe class CpuThreadpool : IDisposable
{
    private const int CpuDeviceType = 0; // GGML_BACKEND_DEVICE_TYPE_CPU

    private readonly delegate* unmanaged[Cdecl]<nint, void> _free;
    private nint _pool;

    private CpuThreadpool(nint pool, delegate* unmanaged[Cdecl]<nint, void> free)
    {
        _pool = pool;
        _free = free;
    }

    public nint Raw => _pool;

    /// <summary>A pool of <paramref name="threads"/> threads (the caller's thread counts as one), or null when the CPU
    /// backend does not offer threadpools; ggml then keeps making its own per graph.</summary>
    public static CpuThreadpool? TryCreate(int threads)
    {
        var device = Interop.Ggml.ggml_backend_dev_by_type(CpuDeviceType);
        var registry = device == 0 ? 0 : Interop.Ggml.ggml_backend_dev_backend_reg(device);
        if (registry == 0)
        {
            return null;
        }
        var create = (delegate* unmanaged[Cdecl]<GgmlThreadpoolParams*, nint>)Interop.Ggml.ggml_backend_reg_get_proc_address(registry, "ggml_threadpool_new");
        var free = (delegate* unmanaged[Cdecl]<nint, void>)Interop.Ggml.ggml_backend_reg_get_proc_address(registry, "ggml_threadpool_free");
        if (create is null || free is null)
        {
            return null;
        }
        GgmlThreadpoolParams parameters;
        Interop.Ggml.ggml_threadpool_params_init(&parameters, threads);
        // No spinning between graphs (ggml's default polls for millions of rounds): each slot has its own context and
        // pool, and the scheduler interleaves them, so a pool still spinning after its step would take a core from the
        // next context's threads, the oversubscription that collapses generation on a 2-core machine.
        parameters.Poll = 0;
        var pool = create(&parameters);
        return pool == 0 ? null : new CpuThreadpool(pool, free);
    }

    public void Dispose()
    {
        var pool = Interlocked.Exchange(ref _pool, 0);
        if (pool != 0)
        {
            _free(pool);
        }
    }
}
