namespace LlmLsp.Tests.Fixtures;

/// <summary>
/// The SentencePiece-style ("llama") vocabulary of <see cref="TinyModels.Decoder"/>. Control tokens
/// come first at fixed ids, then the 256 byte-fallback tokens (so any UTF-8 text tokenizes), then
/// ordinary pieces. Every multi-character piece's prefixes are also pieces, because SentencePiece
/// only reaches a piece by merging adjacent pieces that are themselves in the vocabulary.
/// </summary>
public static class TinyDecoderVocab
{
    public const int Unknown = 0;
    public const int Bos = 1;
    public const int Eos = 2;
    public const int ImStart = 3;
    public const int ImEnd = 4;
    public const int EndOfText = 5;
    public const int FimPrefix = 6;
    public const int FimSuffix = 7;
    public const int FimMiddle = 8;
    public const int FimPad = 9;
    public const int RepoName = 10;
    public const int FileSeparator = 11;

    /// <summary>Id of byte-fallback token &lt;0x00&gt;; byte b is <c>FirstByteToken + b</c>.</summary>
    public const int FirstByteToken = 12;

    /// <summary>Id of the first ordinary piece.</summary>
    public const int FirstNormalToken = FirstByteToken + 256;

    /// <summary>SentencePiece's visible space (U+2581).</summary>
    public const string SpaceMarker = "\u2581";

    // llama.cpp token types (llama_token_type): NORMAL = 1, UNKNOWN = 2, CONTROL = 3, BYTE = 6.
    internal const int TypeNormal = 1;
    internal const int TypeUnknown = 2;
    internal const int TypeControl = 3;
    internal const int TypeByte = 6;

    internal static readonly string[] ControlTokens =
    [
        "<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>", "<|endoftext|>",
        "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>",
    ];

    private static readonly string[] s_words =
    [
        "the", "and", "to", "of", "in", "is", "it", "for", "on", "with", "as", "at", "be", "this", "that",
        "hello", "world", "test", "file", "data", "name", "value", "result", "list", "count", "index",
        "return", "if", "else", "while", "for", "class", "public", "private", "static", "void", "int",
        "string", "var", "new", "using", "namespace", "def", "import", "from", "self", "function",
        "const", "let", "true", "false", "null", "print", "main", "get", "set", "add", "async", "await",
    ];

    private static readonly string[] s_symbols =
    [
        "()", "();", "{}", "[]", "=>", "==", "!=", "<=", ">=", "->", "//", "::", "++", "+=", "\"\"", "\");",
    ];

    /// <summary>ChatML, as Qwen-family models ship it.</summary>
    public const string ChatTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    /// <summary>The id of one of this vocabulary's tokens.</summary>
    public static int IdOf(string token)
    {
        int id = Array.IndexOf(Build().Tokens, token);
        return id >= 0 ? id : throw new ArgumentException($"\"{token}\" is not a token of the tiny vocabulary.", nameof(token));
    }

    /// <summary>Tokens, scores and llama.cpp token types, in id order.</summary>
    internal static (string[] Tokens, float[] Scores, int[] Types) Build()
    {
        var tokens = new List<string>();
        var types = new List<int>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        void Add(string token, int type)
        {
            // llama.cpp aborts (not throws) on duplicate token texts, so uniqueness is enforced here.
            if (seen.Add(token))
            {
                tokens.Add(token);
                types.Add(type);
            }
        }

        foreach (string control in ControlTokens)
        {
            Add(control, control == "<unk>" ? TypeUnknown : TypeControl);
        }
        for (int b = 0; b < 256; b++)
        {
            Add($"<0x{b:X2}>", TypeByte);
        }

        Add(SpaceMarker, TypeNormal);
        for (char c = '!'; c <= '~'; c++)
        {
            Add(c.ToString(), TypeNormal);
        }
        foreach (string piece in PiecesWithPrefixes())
        {
            Add(piece, TypeNormal);
        }

        // Longer pieces score higher so merges prefer whole words; the small index term keeps scores distinct.
        var scores = new float[tokens.Count];
        for (int i = FirstNormalToken; i < tokens.Count; i++)
        {
            scores[i] = tokens[i].Length - (i * 1e-4f);
        }
        return ([.. tokens], scores, [.. types]);
    }

    private static IEnumerable<string> PiecesWithPrefixes()
    {
        var pieces = new List<string>();
        for (int run = 2; run <= 8; run++)
        {
            pieces.Add(string.Concat(Enumerable.Repeat(SpaceMarker, run))); // indentation
        }
        foreach (string word in s_words)
        {
            pieces.Add(SpaceMarker + word);
            pieces.Add(word);
        }
        pieces.AddRange(s_symbols);
        pieces.AddRange(s_symbols.Select(s => SpaceMarker + s));

        foreach (string piece in pieces)
        {
            for (int length = 2; length <= piece.Length; length++)
            {
                yield return piece[..length];
            }
        }
    }
}
