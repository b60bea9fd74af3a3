namespace LlmLsp.Tests.Fixtures;

/// <summary>
/// The WordPiece ("bert") vocabulary of <see cref="TinyModels.Encoder"/>, stored the way llama.cpp's
/// converter stores BERT vocabularies: word-initial pieces carry a leading U+2581 and "##" continuation
/// pieces lose their "##". Special tokens keep their bracketed text.
/// </summary>
public static class TinyEncoderVocab
{
    public const int Pad = 0;
    public const int Unknown = 1;
    public const int Cls = 2;
    public const int Separator = 3;
    public const int Mask = 4;

    private const string SpaceMarker = "\u2581";

    private static readonly string[] s_words =
    [
        "the", "a", "an", "and", "or", "to", "of", "in", "is", "it", "for", "on", "with", "as", "this", "that",
        "code", "file", "function", "class", "method", "return", "value", "name", "test", "data", "search",
        "find", "read", "write", "error", "list", "string", "number", "user", "model", "query", "document",
        "hello", "world", "vector", "embedding", "index",
    ];

    private static readonly string[] s_suffixes = ["ing", "ed", "er", "s", "es", "ly", "ion", "al", "able", "ment"];

    internal static string[] Build()
    {
        var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        var seen = new HashSet<string>(tokens, StringComparer.Ordinal);

        void Add(string token)
        {
            if (seen.Add(token))
            {
                tokens.Add(token);
            }
        }

        for (char c = 'a'; c <= 'z'; c++)
        {
            Add(SpaceMarker + c);
            Add(c.ToString()); // "##c"
        }
        for (char c = '0'; c <= '9'; c++)
        {
            Add(SpaceMarker + c);
            Add(c.ToString());
        }
        foreach (char c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
        {
            Add(SpaceMarker + c);
        }
        foreach (string word in s_words)
        {
            Add(SpaceMarker + word);
        }
        foreach (string suffix in s_suffixes)
        {
            Add(suffix);
        }
        return [.. tokens];
    }

    // llama.cpp token types: NORMAL = 1, CONTROL = 3.
    internal static int[] Types(string[] tokens) =>
        [.. tokens.Select((_, i) => i <= Mask ? 3 : 1)];
}
