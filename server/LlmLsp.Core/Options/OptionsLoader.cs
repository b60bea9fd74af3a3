using System.Globalization;

namespace LlmLsp.Options;

/// <summary>A setting that could not be used; <see cref="Setting"/> is its full name (e.g. <c>llmlsp.completion.maxTokens</c>)
/// so the user can find it.</summary>
public sealed record OptionProblem(string Setting, string Message);

/// <summary>Turns settings from any source into a validated <see cref="LlmLspOptions"/>. Input is a flat map of
/// dotted keys relative to the <c>llmlsp</c> section (<c>completion.maxTokens</c>) to plain values: string, bool,
/// long, double, a list of those, or null (= use the default). Keeping it JSON-free keeps Core free of the wire
/// format; the LSP layer flattens JSON into this shape.</summary>
public static class OptionsLoader
{
    public const string Section = "llmlsp";

    private delegate LlmLspOptions Apply(LlmLspOptions options, object value, out string? problem);

    private static readonly Dictionary<string, Apply> s_setters = WithBackendKeys(new(StringComparer.OrdinalIgnoreCase)
    {
        ["model.completion"] = Path((o, v) => o with { Model = o.Model with { CompletionModelPath = v } }),
        ["model.chat"] = Path((o, v) => o with { Model = o.Model with { ChatModelPath = v } }),
        ["model.embedding"] = Path((o, v) => o with { Model = o.Model with { EmbeddingModelPath = v } }),
        ["model.contextSize"] = Int(256, 1 << 20, (o, v) => o with { Model = o.Model with { ContextSize = v } }),
        ["model.threads"] = Int(0, 1024, (o, v) => o with { Model = o.Model with { Threads = v } }),
        ["model.gpuLayers"] = Int(0, 10_000, (o, v) => o with { Model = o.Model with { GpuLayers = v } }),
        ["completion.enabled"] = Bool((o, v) => o with { Completion = o.Completion with { Enabled = v } }),
        ["completion.languages"] = StringList((o, v) => o with { Completion = o.Completion with { Languages = v } }),
        ["completion.maxTokens"] = Int(1, 4096, (o, v) => o with { Completion = o.Completion with { MaxTokens = v } }),
        ["completion.timeBudgetMs"] = Int(50, 60_000, (o, v) => o with { Completion = o.Completion with { TimeBudgetMs = v } }),
        ["completion.prefixTokens"] = Int(0, 1 << 20, (o, v) => o with { Completion = o.Completion with { PrefixTokens = v } }),
        ["completion.suffixTokens"] = Int(0, 1 << 20, (o, v) => o with { Completion = o.Completion with { SuffixTokens = v } }),
        ["completion.debounceMs"] = Int(0, 2_000, (o, v) => o with { Completion = o.Completion with { DebounceMs = v } }),
        ["completion.ignoreEndOfGeneration"] = Bool((o, v) => o with { Completion = o.Completion with { IgnoreEndOfGeneration = v } }),
        ["chat.systemPrompt"] = Text((o, v) => o with { Chat = o.Chat with { SystemPrompt = v } }),
        ["chat.maxTokens"] = Int(1, 1 << 20, (o, v) => o with { Chat = o.Chat with { MaxTokens = v } }),
        ["chat.ignoreEndOfGeneration"] = Bool((o, v) => o with { Chat = o.Chat with { IgnoreEndOfGeneration = v } }),
        ["index.exclude"] = StringList((o, v) => o with { Index = o.Index with { Exclude = v } }),
        ["index.keywordOnly"] = Bool((o, v) => o with { Index = o.Index with { KeywordOnly = v } }),
        ["index.maxFileSizeBytes"] = Long(1, 1L << 34, (o, v) => o with { Index = o.Index with { MaxFileSizeBytes = v } }),
    });

    /// <summary>The same remote-endpoint keys under <c>backend.</c> (every role) and <c>backend.chat.</c>,
    /// <c>backend.completion.</c>, <c>backend.embedding.</c> (one role).</summary>
    private static Dictionary<string, Apply> WithBackendKeys(Dictionary<string, Apply> setters)
    {
        var scopes = new (string Prefix, Func<BackendOptions, RemoteEndpointOptions?> Get, Func<BackendOptions, RemoteEndpointOptions, BackendOptions> Set)[]
        {
            ("backend", b => b.All, (b, e) => b with { All = e }),
            ("backend.chat", b => b.Chat, (b, e) => b with { Chat = e }),
            ("backend.completion", b => b.Completion, (b, e) => b with { Completion = e }),
            ("backend.embedding", b => b.Embedding, (b, e) => b with { Embedding = e }),
        };
        foreach (var (prefix, get, set) in scopes)
        {
            LlmLspOptions Update(LlmLspOptions o, Func<RemoteEndpointOptions, RemoteEndpointOptions> change) =>
                o with { Backend = set(o.Backend, change(get(o.Backend) ?? new RemoteEndpointOptions())) };
            setters[prefix + ".url"] = OptionalText((o, v) => Update(o, e => e with { Url = v }));
            setters[prefix + ".apiKey"] = Secret((o, v) => Update(o, e => e with { ApiKey = v }));
            setters[prefix + ".model"] = OptionalText((o, v) => Update(o, e => e with { Model = v }));
            setters[prefix + ".allowInsecureHttp"] = Bool((o, v) => Update(o, e => e with { AllowInsecureHttp = v }));
            setters[prefix + ".timeoutMs"] = Int(100, 600_000, (o, v) => Update(o, e => e with { TimeoutMs = v }));
            setters[prefix + ".completionApi"] = Choice<RemoteCompletionApi>((o, v) => Update(o, e => e with { CompletionApi = v }));
            setters[prefix + ".fimPrefix"] = Text((o, v) => Update(o, e => e with { FimPrefix = v }));
            setters[prefix + ".fimSuffix"] = Text((o, v) => Update(o, e => e with { FimSuffix = v }));
            setters[prefix + ".fimMiddle"] = Text((o, v) => Update(o, e => e with { FimMiddle = v }));
        }
        return setters;
    }

    /// <summary>All keys the loader understands, for documentation and tests.</summary>
    public static IReadOnlyCollection<string> Keys => s_setters.Keys;

    /// <summary>Applies each value over the defaults. A bad value leaves the default in place and is reported;
    /// unknown keys are reported too (likely typos) but do no harm.</summary>
    public static (LlmLspOptions Options, IReadOnlyList<OptionProblem> Problems) Load(IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var options = LlmLspOptions.Default;
        var problems = new List<OptionProblem>();
        foreach (var (key, value) in values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            string setting = $"{Section}.{key}";
            if (!s_setters.TryGetValue(key, out var apply))
            {
                problems.Add(new OptionProblem(setting, "is not a known setting and was ignored"));
                continue;
            }

            if (value is null)
            {
                continue;
            }

            var updated = apply(options, value, out string? problem);
            if (problem is not null)
            {
                problems.Add(new OptionProblem(setting, $"{problem}; the default is used"));
            }
            else
            {
                options = updated;
            }
        }

        return (options, problems);
    }

    private static Apply Int(int min, int max, Func<LlmLspOptions, int, LlmLspOptions> set) =>
        (LlmLspOptions o, object value, out string? problem) =>
        {
            if (TryInteger(value, out long n) && n >= min && n <= max)
            {
                problem = null;
                return set(o, (int)n);
            }

            problem = string.Create(CultureInfo.InvariantCulture, $"must be a whole number from {min} to {max}, not {Describe(value)}");
            return o;
        };

    private static Apply Long(long min, long max, Func<LlmLspOptions, long, LlmLspOptions> set) =>
        (LlmLspOptions o, object value, out string? problem) =>
        {
            if (TryInteger(value, out long n) && n >= min && n <= max)
            {
                problem = null;
                return set(o, n);
            }

            problem = string.Create(CultureInfo.InvariantCulture, $"must be a whole number from {min} to {max}, not {Describe(value)}");
            return o;
        };

    private static Apply Bool(Func<LlmLspOptions, bool, LlmLspOptions> set) =>
        (LlmLspOptions o, object value, out string? problem) =>
        {
            if (value is bool b)
            {
                problem = null;
                return set(o, b);
            }

            problem = $"must be true or false, not {Describe(value)}";
            return o;
        };

    private static Apply Text(Func<LlmLspOptions, string, LlmLspOptions> set) =>
        (LlmLspOptions o, object value, out string? problem) =>
        {
            if (value is string s)
            {
                problem = null;
                return set(o, s);
            }

            problem = $"must be a string, not {Describe(value)}";
            return o;
        };

    // An API key is never echoed in a problem, whatever was given instead of a string.
    private static Apply Secret(Func<LlmLspOptions, string?, LlmLspOptions> set) =>
        (LlmLspOptions o, object value, out string? problem) =>
        {
            if (value is string s)
            {
                problem = null;
                return set(o, s.Length == 0 ? null : s);
            }

            problem = "must be a string";
            return o;
        };

    private static Apply OptionalText(Func<LlmLspOptions, string?, LlmLspOptions> set) =>
        (LlmLspOptions o, object value, out string? problem) =>
        {
            if (value is string s)
            {
                problem = null;
                return set(o, s.Trim().Length == 0 ? null : s.Trim());
            }

            problem = $"must be a string, not {Describe(value)}";
            return o;
        };

    private static Apply Choice<T>(Func<LlmLspOptions, T, LlmLspOptions> set) where T : struct, Enum =>
        (LlmLspOptions o, object value, out string? problem) =>
        {
            if (value is string s && Enum.TryParse<T>(s, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
            {
                problem = null;
                return set(o, parsed);
            }

            problem = $"must be one of {string.Join(", ", Enum.GetNames<T>().Select(n => $"\"{char.ToLowerInvariant(n[0])}{n[1..]}\""))}, not {Describe(value)}";
            return o;
        };

    // An empty path means "not configured", the same as leaving it out.
    private static Apply Path(Func<LlmLspOptions, string?, LlmLspOptions> set) =>
        (LlmLspOptions o, object value, out string? problem) =>
        {
            if (value is string s)
            {
                problem = null;
                return set(o, s.Length == 0 ? null : s);
            }

            problem = $"must be a file path, not {Describe(value)}";
            return o;
        };

    private static Apply StringList(Func<LlmLspOptions, IReadOnlyList<string>, LlmLspOptions> set) =>
        (LlmLspOptions o, object value, out string? problem) =>
        {
            if (value is IReadOnlyList<object?> list && list.All(item => item is string))
            {
                problem = null;
                return set(o, list.Cast<string>().ToArray());
            }

            problem = $"must be a list of strings, not {Describe(value)}";
            return o;
        };

    private static bool TryInteger(object value, out long result)
    {
        switch (value)
        {
            case long l:
                result = l;
                return true;
            case int i:
                result = i;
                return true;
            case double d when d == Math.Floor(d) && d >= long.MinValue && d <= long.MaxValue:
                result = (long)d;
                return true;
            default:
                result = 0;
                return false;
        }
    }

    private static string Describe(object value) => value switch
    {
        string s => $"\"{(s.Length > 40 ? s[..40] + "…" : s)}\"",
        bool b => b ? "true" : "false",
        IReadOnlyList<object?> => "a list",
        IReadOnlyDictionary<string, object?> => "an object",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.GetType().Name,
    };
}
