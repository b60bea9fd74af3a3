using LlmLsp.Engine;

namespace LlmLsp.Features.Completion;

/// <summary>Where the cursor's prefix and suffix go in a fill-in-the-middle prompt.</summary>
public enum FimOrder
{
    /// <summary>prefix-marker prefix suffix-marker suffix middle-marker (most code models).</summary>
    PrefixSuffixMiddle,

    /// <summary>suffix-marker suffix prefix-marker prefix (Codestral); the model continues the prefix.</summary>
    SuffixPrefix,
}

/// <summary>The FIM markers of a model family whose GGUF does not name them, as text.</summary>
public sealed record FimFamily(string Name, string Prefix, string Suffix, string? Middle, FimOrder Order,
    string? FileSeparator = null, string? RepoName = null);

/// <summary>A model's fill-in-the-middle format as token ids. Taken from the model itself
/// (llama_vocab_fim_*) when it has them, otherwise from a small table of known families whose markers
/// are single special tokens in the model's vocabulary.</summary>
public sealed record FimTemplate(string Source, int Prefix, int Suffix, int? Middle, FimOrder Order, int? FileSeparator, int? RepoName, bool AddBos, int Bos)
{
    /// <summary>Families seen in the field whose GGUFs often lack FIM metadata.</summary>
    public static IReadOnlyList<FimFamily> KnownFamilies { get; } =
    [
        new("codellama", "▁<PRE>", "▁<SUF>", "▁<MID>", FimOrder.PrefixSuffixMiddle),
        new("starcoder", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", FimOrder.PrefixSuffixMiddle, "<file_sep>", "<reponame>"),
        new("deepseek-coder", "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", FimOrder.PrefixSuffixMiddle),
        new("codestral", "[PREFIX]", "[SUFFIX]", null, FimOrder.SuffixPrefix),
    ];

    /// <summary>The model's own FIM tokens, else the first known family whose markers are each one token;
    /// null when the model cannot fill in the middle.</summary>
    public static FimTemplate? For(LlamaEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var fim = engine.Model.Fim;
        if (fim.HasInfill)
        {
            return new FimTemplate("model", fim.Prefix, fim.Suffix, fim.Middle, FimOrder.PrefixSuffixMiddle,
                fim.FileSeparator >= 0 ? fim.FileSeparator : null, fim.Repo >= 0 ? fim.Repo : null, engine.AddsBos, engine.BosToken);
        }
        foreach (var family in KnownFamilies)
        {
            if (SingleToken(engine, family.Prefix) is { } prefix && SingleToken(engine, family.Suffix) is { } suffix)
            {
                int? middle = family.Middle is null ? null : SingleToken(engine, family.Middle);
                if (family.Middle is not null && middle is null)
                {
                    continue;
                }
                return new FimTemplate(family.Name, prefix, suffix, middle, family.Order,
                    family.FileSeparator is null ? null : SingleToken(engine, family.FileSeparator),
                    family.RepoName is null ? null : SingleToken(engine, family.RepoName), engine.AddsBos, engine.BosToken);
            }
        }
        return null;
    }

    private static int? SingleToken(LlamaEngine engine, string marker)
    {
        var tokens = engine.Tokenize(marker, addSpecial: false, parseSpecial: true);
        return tokens.Count == 1 && engine.IsControlOrSpecial(tokens[0]) ? tokens[0] : null;
    }

    /// <summary>Assembles the prompt: optional repository context (files as the model's file-separated
    /// format when it has one), then the local window. Extra context comes first so that it stays a cached
    /// prefix while the user types. <paramref name="lineStart"/> (the cursor line's text before the cursor)
    /// goes after the middle marker when the format has one, as llama.cpp's /infill does: typing on a line then
    /// changes only the tokens after the marker, so the whole window before it stays a cached prefix and the
    /// suffix never moves. Without a middle marker it simply ends the prefix.</summary>
    public int[] Assemble(IReadOnlyList<int> repoContext, IReadOnlyList<int> prefix, IReadOnlyList<int> suffix, IReadOnlyList<int>? lineStart = null)
    {
        lineStart ??= [];
        var tokens = new List<int>(repoContext.Count + prefix.Count + suffix.Count + lineStart.Count + 4);
        if (AddBos)
        {
            tokens.Add(Bos);
        }
        tokens.AddRange(repoContext);
        if (Order == FimOrder.PrefixSuffixMiddle)
        {
            tokens.Add(Prefix);
            tokens.AddRange(prefix);
            if (Middle is null)
            {
                tokens.AddRange(lineStart);
            }
            tokens.Add(Suffix);
            tokens.AddRange(suffix);
            if (Middle is { } middle)
            {
                tokens.Add(middle);
                tokens.AddRange(lineStart);
            }
        }
        else
        {
            tokens.Add(Suffix);
            tokens.AddRange(suffix);
            tokens.Add(Prefix);
            tokens.AddRange(prefix);
            tokens.AddRange(lineStart);
        }
        return [.. tokens];
    }
}
