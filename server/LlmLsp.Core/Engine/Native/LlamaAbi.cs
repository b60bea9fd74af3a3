namespace LlmLsp.Engine.Native;

/// <summary>What the bindings in this folder were written against: llama.cpp v0.5.0 as shipped by the
/// npm package @node-llama-cpp/linux-x64@3.22.1 (pinned in native/package-lock.json). llama.h has no
/// API-version macro, so the loader checks these facts at start-up and refuses to run on a mismatch:
/// a layout drift would otherwise surface as memory corruption, not as an error.</summary>
internal static class LlamaAbi
{
    public const string LlamaLibrary = "llama";
    public const string GgmlLibrary = "ggml";
    public const string GgmlBaseLibrary = "ggml-base";

    public const string ReleaseTag = "v0.5.0";
    public const string ExpectedGgmlVersion = "0.25.1";

    public const int ModelParamsSize = 80;
    public const int ContextParamsSize = 160;
    public const int BatchSize = 56;
    public const int ModelQuantizeParamsSize = 64;

    /// <summary>sizeof(struct llama_perf_context_data): four doubles, three int32, padded to 8.</summary>
    public const int PerfContextDataSize = 48;

    /// <summary>sizeof(struct ggml_threadpool_params): bool cpumask[GGML_MAX_N_THREADS = 512], int n_threads,
    /// enum prio, uint32 poll, bool strict_cpu, bool paused, padded to 4.</summary>
    public const int ThreadpoolParamsSize = 528;

    /// <summary>GGML_TYPE_COUNT: "no override" in llama_model_quantize_params.</summary>
    public const int GgmlTypeCount = 43;

    /// <summary>Every export the bindings call, checked up front so a wrong library fails at load with a
    /// list of what is missing instead of an EntryPointNotFoundException in the middle of a request.</summary>
    public static readonly string[] RequiredLlamaExports =
    [
        "llama_backend_init", "llama_model_default_params", "llama_context_default_params",
        "llama_sampler_chain_default_params", "llama_model_load_from_file", "llama_model_free",
        "llama_init_from_model", "llama_free", "llama_attach_threadpool", "llama_model_get_vocab", "llama_model_meta_val_str",
        "llama_model_n_ctx_train", "llama_model_n_embd", "llama_model_n_layer", "llama_model_chat_template",
        "llama_model_has_encoder", "llama_model_has_decoder", "llama_model_desc", "llama_model_size",
        "llama_model_n_params", "llama_n_ctx", "llama_n_batch", "llama_n_ubatch", "llama_n_seq_max",
        "llama_get_memory", "llama_memory_clear", "llama_memory_seq_rm", "llama_memory_seq_cp",
        "llama_memory_seq_keep", "llama_memory_seq_add", "llama_memory_seq_pos_max", "llama_memory_can_shift",
        "llama_pooling_type", "llama_encode", "llama_decode", "llama_set_abort_callback",
        "llama_get_logits_ith", "llama_get_embeddings_seq", "llama_get_embeddings_ith", "llama_synchronize", "llama_perf_context",
        "llama_vocab_n_tokens", "llama_vocab_bos", "llama_vocab_eos", "llama_vocab_eot", "llama_vocab_is_eog",
        "llama_vocab_is_control", "llama_vocab_get_add_bos", "llama_vocab_get_add_eos",
        "llama_vocab_fim_pre", "llama_vocab_fim_suf", "llama_vocab_fim_mid", "llama_vocab_fim_pad",
        "llama_vocab_fim_rep", "llama_vocab_fim_sep", "llama_tokenize", "llama_token_to_piece",
        "llama_detokenize", "llama_chat_apply_template", "llama_sampler_chain_init", "llama_sampler_chain_add",
        "llama_sampler_init_greedy", "llama_sampler_init_dist", "llama_sampler_init_top_k",
        "llama_sampler_init_top_p", "llama_sampler_init_min_p", "llama_sampler_init_temp",
        "llama_sampler_init_penalties", "llama_sampler_sample", "llama_sampler_accept", "llama_sampler_reset",
        "llama_sampler_free", "llama_log_set", "llama_print_system_info",
        "llama_model_quantize_default_params", "llama_model_quantize",
    ];
}
