namespace LlmLsp.Bench;

/// <summary>A token the benchmark model adds to (or overwrites in) the copied tokenizer, with its
/// llama.cpp token type (3 = control, 4 = user-defined).</summary>
public sealed record AddedToken(int Id, string Text, int Type);

/// <summary>The architecture and sizes of a benchmark model: real published shapes, random weights.
/// <see cref="VocabFile"/> names the vocab-only GGUF in llama.cpp's models/ folder whose tokenizer is
/// copied; <see cref="VocabSize"/> pads the vocabulary like the real model (0 = the tokenizer's own size).
/// <see cref="HeadDim"/> is the per-head width when the model sets it apart from Hidden / Heads (0 = derived);
/// <see cref="SlidingWindow"/> and <see cref="RopeThetaLocal"/> describe Gemma 3's local-attention layers;
/// <see cref="TokenizerModel"/> relabels the copied tokenizer when llama.cpp's models/ lacks the real one.</summary>
public sealed record BenchModelShape(
    string Name,
    string Architecture,
    int Hidden,
    int Layers,
    int Heads,
    int KvHeads,
    int FeedForward,
    int VocabSize,
    int ContextLength,
    float RopeTheta,
    float NormEpsilon,
    bool TiedEmbeddings,
    string? VocabFile,
    int PoolingType = 0,
    IReadOnlyList<AddedToken>? AddedTokens = null,
    IReadOnlyDictionary<string, uint>? TokenIds = null,
    int HeadDim = 0,
    int SlidingWindow = 0,
    float RopeThetaLocal = 0f,
    string? TokenizerModel = null)
{
    public int HeadDimension => HeadDim > 0 ? HeadDim : Hidden / Heads;

    /// <summary>Width of the attention queries (and of the output projection's input).</summary>
    public int QueryWidth => HeadDimension * Heads;

    public int KvWidth => HeadDimension * KvHeads;
}

/// <summary>The one table of benchmark shapes (`llmlsp bench make-model --shape NAME`).</summary>
public static class BenchModelShapes
{
    /// <summary>Qwen2.5's added special tokens, 151643..151664, in the real tokenizer's order. The
    /// vocab-only qwen2 GGUF stops before them. The first 14 are special (control) in the real model.</summary>
    public static IReadOnlyList<AddedToken> Qwen25AddedTokens { get; } =
    [
        .. new[]
        {
            "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
            "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>",
            "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>", "<tool_call>", "</tool_call>", "<|fim_prefix|>",
            "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>",
        }.Select((text, i) => new AddedToken(151643 + i, text, i < 14 ? 3 : 4)),
    ];

    private static readonly Dictionary<string, uint> s_qwen25TokenIds = new()
    {
        ["tokenizer.ggml.bos_token_id"] = 151643,
        ["tokenizer.ggml.eos_token_id"] = 151643,
        ["tokenizer.ggml.padding_token_id"] = 151643,
        ["tokenizer.ggml.eot_token_id"] = 151645,
        ["tokenizer.ggml.fim_pre_token_id"] = 151659,
        ["tokenizer.ggml.fim_mid_token_id"] = 151660,
        ["tokenizer.ggml.fim_suf_token_id"] = 151661,
        ["tokenizer.ggml.fim_pad_token_id"] = 151662,
        ["tokenizer.ggml.fim_rep_token_id"] = 151663,
        ["tokenizer.ggml.fim_sep_token_id"] = 151664,
    };

    public static BenchModelShape Qwen25Coder05B { get; } = new("qwen2.5-coder-0.5b", "qwen2",
        Hidden: 896, Layers: 24, Heads: 14, KvHeads: 2, FeedForward: 4864, VocabSize: 151936, ContextLength: 32768,
        RopeTheta: 1e6f, NormEpsilon: 1e-6f, TiedEmbeddings: true, VocabFile: "ggml-vocab-qwen2.gguf",
        AddedTokens: Qwen25AddedTokens, TokenIds: s_qwen25TokenIds);

    public static BenchModelShape Qwen25Coder15B { get; } = Qwen25Coder05B with
    {
        Name = "qwen2.5-coder-1.5b", Hidden = 1536, Layers = 28, Heads = 12, KvHeads = 2, FeedForward = 8960,
    };

    /// <summary>Qwen3-0.6B: head_dim 128 is wider than hidden / heads (64), and each head's query and key get
    /// their own RMS norm. Same tokenizer as Qwen2.5.</summary>
    public static BenchModelShape Qwen3_06B { get; } = Qwen25Coder05B with
    {
        Name = "qwen3-0.6b", Architecture = "qwen3", Hidden = 1024, Layers = 28, Heads = 16, KvHeads = 8, HeadDim = 128,
        FeedForward = 3072, ContextLength = 40960,
    };

    /// <summary>Gemma 3 1B: one KV head of width 256, five sliding-window (512) layers to each global one,
    /// post-attention and post-FFN norms. llama.cpp's models/ has only the Gemma 4 vocab (the same 262,144
    /// SentencePiece pieces, written as BPE); it is relabelled as the SentencePiece tokenizer Gemma 3 ships,
    /// which llama.cpp releases older than Gemma 4 can read too.</summary>
    public static BenchModelShape Gemma3_1B { get; } = new("gemma3-1b", "gemma3",
        Hidden: 1152, Layers: 26, Heads: 4, KvHeads: 1, FeedForward: 6912, VocabSize: 262144, ContextLength: 32768,
        RopeTheta: 1e6f, NormEpsilon: 1e-6f, TiedEmbeddings: true, VocabFile: "ggml-vocab-gemma-4.gguf",
        HeadDim: 256, SlidingWindow: 512, RopeThetaLocal: 1e4f, TokenizerModel: "llama");

    /// <summary>bge-small-en-v1.5: BERT, CLS pooling (pooling type 2).</summary>
    public static BenchModelShape BgeSmall { get; } = new("bge-small", "bert",
        Hidden: 384, Layers: 12, Heads: 12, KvHeads: 12, FeedForward: 1536, VocabSize: 30522, ContextLength: 512,
        RopeTheta: 0f, NormEpsilon: 1e-12f, TiedEmbeddings: false, VocabFile: "ggml-vocab-bert-bge.gguf", PoolingType: 2);

    /// <summary>A qwen2-architecture model small enough for unit tests; it takes its tokenizer from whatever
    /// GGUF the caller passes (no llama.cpp source needed).</summary>
    public static BenchModelShape TinyTest { get; } = new("tiny-test", "qwen2",
        Hidden: 64, Layers: 2, Heads: 4, KvHeads: 2, FeedForward: 128, VocabSize: 0, ContextLength: 2048,
        RopeTheta: 1e6f, NormEpsilon: 1e-6f, TiedEmbeddings: true, VocabFile: null);

    public static IReadOnlyList<BenchModelShape> All { get; } = [Qwen25Coder05B, Qwen25Coder15B, Qwen3_06B, Gemma3_1B, BgeSmall, TinyTest];

    public static BenchModelShape? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
