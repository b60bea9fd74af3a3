using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

/// <summary>How to pick the next token. Temperature 0 means greedy (deterministic).</summary>
internal sealed record SamplerSettings(
    float Temperature,
    int TopK,
    float TopP,
    float MinP,
    float RepeatPenalty,
    int RepeatLastN,
    float FrequencyPenalty,
    float PresencePenalty,
    uint Seed);

/// <summary>Owns a llama_sampler chain (the chain owns the samplers added to it).</summary>
internal sealed class SafeLlamaSamplerHandle : SafeHandle
{
    private SafeLlamaSamplerHandle() : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    public static SafeLlamaSamplerHandle Create(SamplerSettings settings)
    {
        var chainParams = Interop.Llama.llama_sampler_chain_default_params();
        chainParams.NoPerf = 1;
        var sampler = new SafeLlamaSamplerHandle();
        sampler.SetHandle(Interop.Llama.llama_sampler_chain_init(chainParams));
        var chain = sampler.handle;
        if (settings.RepeatPenalty != 1.0f || settings.FrequencyPenalty != 0f || settings.PresencePenalty != 0f)
        {
            Interop.Llama.llama_sampler_chain_add(chain, Interop.Llama.llama_sampler_init_penalties(
                settings.RepeatLastN, settings.RepeatPenalty, settings.FrequencyPenalty, settings.PresencePenalty));
        }
        if (settings.Temperature <= 0f)
        {
            Interop.Llama.llama_sampler_chain_add(chain, Interop.Llama.llama_sampler_init_greedy());
            return sampler;
        }
        if (settings.TopK > 0)
        {
            Interop.Llama.llama_sampler_chain_add(chain, Interop.Llama.llama_sampler_init_top_k(settings.TopK));
        }
        if (settings.TopP < 1f)
        {
            Interop.Llama.llama_sampler_chain_add(chain, Interop.Llama.llama_sampler_init_top_p(settings.TopP, 1));
        }
        if (settings.MinP > 0f)
        {
            Interop.Llama.llama_sampler_chain_add(chain, Interop.Llama.llama_sampler_init_min_p(settings.MinP, 1));
        }
        Interop.Llama.llama_sampler_chain_add(chain, Interop.Llama.llama_sampler_init_temp(settings.Temperature));
        Interop.Llama.llama_sampler_chain_add(chain, Interop.Llama.llama_sampler_init_dist(settings.Seed));
        return sampler;
    }

    private nint Raw
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return handle;
        }
    }

    /// <summary>Samples from the logits of batch output <paramref name="batchIndex"/> (-1: the last one).</summary>
    public int Sample(SafeLlamaContextHandle context, int batchIndex)
        => Interop.Llama.llama_sampler_sample(Raw, context.RawForSampler, batchIndex);

    public void Accept(int token) => Interop.Llama.llama_sampler_accept(Raw, token);

    public void Reset() => Interop.Llama.llama_sampler_reset(Raw);

    protected override bool ReleaseHandle()
    {
        Interop.Llama.llama_sampler_free(handle);
        return true;
    }
}
