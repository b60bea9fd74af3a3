using System.Collections.Frozen;

namespace LlmLsp.Index;

/// <summary>Receives the terms of a text one by one. The span is only valid during the call: indexing
/// allocates a string only for a term it has not seen before in the file, not for every occurrence.</summary>
public interface ITermSink
{
    void Add(ReadOnlySpan<char> term);
}

/// <summary>Turns text into search terms, the same way for documents and queries. Code-aware: an
/// identifier such as <c>getUserName</c>, <c>max_chunk_size</c> or <c>System.Text.Json</c> is kept whole
/// (lower-cased) AND split into its parts, so both the exact name and its words match. Single words
/// get a light English stemmer (plurals, -ed, -ing, final e) and common stop words are dropped.</summary>
public static class TermAnalyzer
{
    private const int MaxTermLength = 64;

    private static readonly FrozenSet<string> s_stopWords = FrozenSet.Create(StringComparer.Ordinal,
    [
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "how", "i", "if", "in",
        "into", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when", "where",
        "which", "who", "why", "will", "with", "you", "your", "do", "does", "can", "my", "me", "we", "our", "but",
        "so", "than", "then", "there", "these", "they", "those", "also", "should", "would", "could", "just", "been",
        "being", "were", "about", "such", "some", "any", "their", "them", "he", "she", "his", "her", "want",
    ]);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> s_stopWordSpans = s_stopWords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Passes every term in <paramref name="text"/> to <paramref name="sink"/>, in order, repeats included.</summary>
    public static void Analyze(ReadOnlySpan<char> text, ITermSink sink)
    {
        var position = 0;
        Span<char> lowered = stackalloc char[MaxTermLength];
        Span<char> word = stackalloc char[MaxTermLength];
        while (position < text.Length)
        {
            while (position < text.Length && !IsWordChar(text[position]))
            {
                position++;
            }

            var start = position;
            while (position < text.Length && (IsWordChar(text[position]) || (IsJoiner(text[position]) && position + 1 < text.Length && IsWordChar(text[position + 1]) && position > start)))
            {
                position++;
            }

            var token = text[start..position];
            if (token.Length == 0 || token.Length > MaxTermLength)
            {
                continue;
            }

            EmitToken(token, lowered, word, sink);
        }
    }

    public static List<string> Analyze(string text)
    {
        var terms = new TermList();
        Analyze(text, terms);
        return terms.Terms;
    }

    private static void EmitToken(ReadOnlySpan<char> token, Span<char> buffer, Span<char> word, ITermSink sink)
    {
        var lower = buffer[..token.Length];
        token.ToLowerInvariant(lower);
        var compound = token.IndexOfAny('.', '_', '-') >= 0 || HasCaseBoundary(token);
        if (!compound)
        {
            EmitWord(lower, word, sink);
            return;
        }

        // A token of joiners alone (`_`, `___`) has no whole term and no parts.
        var whole = lower.Trim("._-");
        if (!whole.IsEmpty)
        {
            sink.Add(whole);
        }

        var partStart = 0;
        for (var i = 1; i <= token.Length; i++)
        {
            if (i == token.Length || IsJoiner(token[i]) || IsCaseBoundary(token, i))
            {
                if (i > partStart)
                {
                    var part = lower[partStart..i];
                    if (part.Length > 1 || char.IsDigit(part[0]))
                    {
                        EmitWord(part, word, sink);
                    }
                }

                partStart = i < token.Length && IsJoiner(token[i]) ? i + 1 : i;
            }
        }
    }

    /// <summary>Stems a copy, because <paramref name="lower"/> may be part of a compound still being split.</summary>
    private static void EmitWord(ReadOnlySpan<char> lower, Span<char> word, ITermSink sink)
    {
        if (s_stopWordSpans.Contains(lower))
        {
            return;
        }

        lower.CopyTo(word);
        sink.Add(word[..Stem(word[..lower.Length])]);
    }
    private static bool HasCaseBoundary(ReadOnlySpan<char> token)
    {
        for (var i = 1; i < token.Length; i++)
        {
            if (IsCaseBoundary(token, i))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A new part starts at i in "userName" (lower→Upper) and in "HTMLParser" (the P of Parser).</summary>
    private static bool IsCaseBoundary(ReadOnlySpan<char> token, int i)
    {
        if (i <= 0 || i >= token.Length || !char.IsUpper(token[i]))
        {
            return false;
        }

        if (char.IsLower(token[i - 1]) || char.IsDigit(token[i - 1]))
        {
            return true;
        }

        return char.IsUpper(token[i - 1]) && i + 1 < token.Length && char.IsLower(token[i + 1]);
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static bool IsJoiner(char c) => c is '.' or '-' or '_';

    /// <summary>Deliberately light: conflates the inflections that matter for search (install, installs,
    /// installed, installing) without Porter's aggressive rewrites that hurt identifiers.</summary>
    public static string Stem(string word)
    {
        var buffer = word.ToCharArray();
        return new string(buffer, 0, Stem(buffer));
    }

    /// <summary>Stems <paramref name="word"/> in place (every rule only shortens it); returns the stem's length.</summary>
    private static int Stem(Span<char> word)
    {
        var length = word.Length;
        if (length <= 3 || !char.IsLetter(word[length - 1]))
        {
            return length;
        }

        if (EndsWith(word, length, "ies") && length > 4)
        {
            word[length - 3] = 'y';
            length -= 2;
        }
        else if (EndsWith(word, length, "sses"))
        {
            length -= 2;
        }
        else if (word[length - 1] == 's' && !EndsWith(word, length, "ss") && !EndsWith(word, length, "us") && !EndsWith(word, length, "is"))
        {
            length -= 1;
        }

        if (EndsWith(word, length, "ing") && length > 5)
        {
            length = UndoubleConsonant(word, length - 3);
        }
        else if (EndsWith(word, length, "ed") && length > 4)
        {
            length = UndoubleConsonant(word, length - 2);
        }

        if (length > 4 && word[length - 1] == 'e')
        {
            length -= 1;
        }

        return length;
    }

    private static bool EndsWith(ReadOnlySpan<char> word, int length, string suffix) => word[..length].EndsWith(suffix, StringComparison.Ordinal);

    private static int UndoubleConsonant(ReadOnlySpan<char> stem, int length) =>
        length > 3 && stem[length - 1] == stem[length - 2] && stem[length - 1] is not ('l' or 's' or 'z' or 'a' or 'e' or 'i' or 'o' or 'u')
            ? length - 1
            : length;

    private sealed class TermList : ITermSink
    {
        public List<string> Terms { get; } = [];

        public void Add(ReadOnlySpan<char> term) => Terms.Add(new string(term));
    }
}
