namespace LlmLsp.Index;

/// <summary>Turns text into search terms, the same way for documents and queries. Code-aware: an
/// identifier such as <c>getUserName</c>, <c>max_chunk_size</c> or <c>System.Text.Json</c> is kept whole
/// (lower-cased) AND split into its parts, so both the exact name and its words match. Single words
/// get a light English stemmer (plurals, -ed, -ing, final e) and common stop words are dropped.</summary>
public static class TermAnalyzer
{
    private const int MaxTermLength = 64;

    private static readonly HashSet<string> s_stopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "how", "i", "if", "in",
        "into", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when", "where",
        "which", "who", "why", "will", "with", "you", "your", "do", "does", "can", "my", "me", "we", "our", "but",
        "so", "than", "then", "there", "these", "they", "those", "also", "should", "would", "could", "just", "been",
        "being", "were", "about", "such", "some", "any", "there", "their", "them", "he", "she", "his", "her", "want",
    };

    /// <summary>Calls <paramref name="onTerm"/> for every term in <paramref name="text"/>, in order, repeats included.</summary>
    public static void Analyze(ReadOnlySpan<char> text, Action<string> onTerm)
    {
        var position = 0;
        Span<char> lowered = stackalloc char[MaxTermLength];
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

            EmitToken(token, lowered, onTerm);
        }
    }

    public static List<string> Analyze(string text)
    {
        var terms = new List<string>();
        Analyze(text, terms.Add);
        return terms;
    }

    private static void EmitToken(ReadOnlySpan<char> token, Span<char> buffer, Action<string> onTerm)
    {
        var lower = buffer[..token.Length];
        token.ToLowerInvariant(lower);
        var compound = token.IndexOfAny('.', '_', '-') >= 0 || HasCaseBoundary(token);
        if (!compound)
        {
            EmitWord(new string(lower), onTerm);
            return;
        }

        onTerm(new string(lower.Trim("._-")));
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
                        EmitWord(new string(part), onTerm);
                    }
                }

                partStart = i < token.Length && IsJoiner(token[i]) ? i + 1 : i;
            }
        }
    }

    private static void EmitWord(string word, Action<string> onTerm)
    {
        if (s_stopWords.Contains(word))
        {
            return;
        }

        onTerm(Stem(word));
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
        if (word.Length <= 3 || !char.IsLetter(word[^1]))
        {
            return word;
        }

        var stem = word;
        if (stem.EndsWith("ies", StringComparison.Ordinal) && stem.Length > 4)
        {
            stem = stem[..^3] + "y";
        }
        else if (stem.EndsWith("sses", StringComparison.Ordinal))
        {
            stem = stem[..^2];
        }
        else if (stem.EndsWith('s') && !stem.EndsWith("ss", StringComparison.Ordinal) && !stem.EndsWith("us", StringComparison.Ordinal) && !stem.EndsWith("is", StringComparison.Ordinal))
        {
            stem = stem[..^1];
        }

        if (stem.EndsWith("ing", StringComparison.Ordinal) && stem.Length > 5)
        {
            stem = UndoubleConsonant(stem[..^3]);
        }
        else if (stem.EndsWith("ed", StringComparison.Ordinal) && stem.Length > 4)
        {
            stem = UndoubleConsonant(stem[..^2]);
        }

        if (stem.EndsWith('e') && stem.Length > 4)
        {
            stem = stem[..^1];
        }

        return stem;
    }

    private static string UndoubleConsonant(string stem) =>
        stem.Length > 3 && stem[^1] == stem[^2] && stem[^1] is not ('l' or 's' or 'z') && !"aeiou".Contains(stem[^1], StringComparison.Ordinal)
            ? stem[..^1]
            : stem;
}
