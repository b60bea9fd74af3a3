using System.Runtime.InteropServices;

namespace LlmLsp.Engine.Native;

/// <summary>Owns a llama_model. Contexts add a reference, so the model outlives every context made from it.</summary>
internal sealed unsafe class SafeLlamaModelHandle : SafeHandle
{
    private SafeLlamaModelHandle() : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Loads weights (memory-mapped unless <paramref name="useMmap"/> is false). Returns null when
    /// llama.cpp refuses the file, with the errors it logged.</summary>
    public static SafeLlamaModelHandle? Load(string path, int gpuLayers, bool useMmap, out IReadOnlyList<string> errors)
    {
        var parameters = Interop.Llama.llama_model_default_params();
        parameters.NGpuLayers = gpuLayers;
        parameters.LoadMode = useMmap ? 1 : 0;
        nint raw;
        using (var capture = NativeLog.CaptureErrors())
        {
            raw = Interop.Llama.llama_model_load_from_file(path, parameters);
            errors = capture.Errors.ToArray();
        }
        if (raw == 0)
        {
            return null;
        }
        var model = new SafeLlamaModelHandle();
        model.SetHandle(raw);
        return model;
    }

    protected override bool ReleaseHandle()
    {
        Interop.Llama.llama_model_free(handle);
        return true;
    }

    internal nint Raw
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return handle;
        }
    }

    public int TrainedContextLength => Interop.Llama.llama_model_n_ctx_train(Raw);

    public int EmbeddingSize => Interop.Llama.llama_model_n_embd(Raw);

    public int LayerCount => Interop.Llama.llama_model_n_layer(Raw);

    public bool HasEncoder => Interop.Llama.llama_model_has_encoder(Raw);

    public bool HasDecoder => Interop.Llama.llama_model_has_decoder(Raw);

    public ulong SizeBytes => Interop.Llama.llama_model_size(Raw);

    public ulong ParameterCount => Interop.Llama.llama_model_n_params(Raw);

    public string Description
    {
        get
        {
            Span<byte> buffer = stackalloc byte[256];
            fixed (byte* p = buffer)
            {
                var length = Interop.Llama.llama_model_desc(Raw, p, (nuint)buffer.Length);
                return length <= 0 ? "" : System.Text.Encoding.UTF8.GetString(buffer[..Math.Min(length, buffer.Length - 1)]);
            }
        }
    }

    /// <summary>The model's default chat template (Jinja text from the GGUF), or null when it has none.</summary>
    public string? ChatTemplate
    {
        get
        {
            var template = Interop.Llama.llama_model_chat_template(Raw, null);
            return template is null ? null : Utf8.Read(template);
        }
    }

    /// <summary>A scalar metadata value rendered as text, or null when the key is absent.</summary>
    public string? GetMetadata(string key)
    {
        var size = 256;
        while (true)
        {
            var buffer = new byte[size];
            fixed (byte* p = buffer)
            {
                var length = Interop.Llama.llama_model_meta_val_str(Raw, key, p, (nuint)buffer.Length);
                if (length < 0)
                {
                    return null;
                }
                if (length < buffer.Length)
                {
                    return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
                }
                size = length + 1;
            }
        }
    }

    public LlamaVocab Vocab => new(this, Interop.Llama.llama_model_get_vocab(Raw));
}
