using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using LlmLsp.Engine;

namespace LlmLsp.Features.Completion;

/// <summary>Fill-in-the-middle on the in-process engine: the prompt is token ids in the model's FIM template, with the
/// window start aligned to <see cref="WindowAlignLines"/> lines so consecutive keystrokes share a KV prefix, and the
/// engine reuses the shifted suffix after an edit.</summary>
public sealed class EngineInfillModel : IInfillModel
{
    private const int WindowAlignLines = 16;
    private const int ReuseChunkMinimum = 8;

    private readonly LlamaEngine _engine;
    private readonly FimTemplate _template;

    public EngineInfillModel(LlamaEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _template = FimTemplate.For(engine) ?? throw new LlmLspException(ErrorKind.InvalidModel,
            $"{Path.GetFileName(engine.Model.Path)} has no fill-in-the-middle tokens, so it cannot complete code. " +
            "Use a code model trained for infill, such as `llmlsp models pull qwen2.5-coder-1.5b`.");
    }

    public string Name => Path.GetFileName(_engine.Model.Path);

    public FimTemplate Template => _template;

    public InfillPrompt Prepare(InfillContext context, CompletionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        var tokens = BuildPrompt(context, settings);
        var key = Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(tokens.AsSpan())));
        return new TokenPrompt(key, tokens);
    }

    public async IAsyncEnumerable<InfillPiece> GenerateAsync(InfillPrompt prompt, CompletionSettings settings,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var tokens = prompt is TokenPrompt own ? own.Tokens : throw new ArgumentException("The prompt was prepared by another model.", nameof(prompt));
        var generation = new GenerationRequest
        {
            PromptTokens = tokens,
            MaxTokens = settings.MaxTokens,
            TimeBudget = TimeSpan.FromMilliseconds(settings.TimeBudgetMs),
            Lane = ComputeLane.Latency,
            Slot = GenerationSlot.Completion,
            ReuseChunkMinimum = ReuseChunkMinimum,
            IgnoreEndOfGeneration = settings.IgnoreEndOfGeneration,
        };
        await foreach (var update in _engine.GenerateAsync(generation, cancellationToken).ConfigureAwait(false))
        {
            if (update.Result is { } result)
            {
                yield return new InfillPiece("", result.EvaluatedPromptTokens, Final: true);
                yield break;
            }
            yield return new InfillPiece(update.Text, update.EvaluatedPromptTokens, Final: false);
        }
    }

    /// <summary>The prompt as token ids (the benchmark replay hands them to another binding).</summary>
    public sealed record TokenPrompt(string CacheKey, int[] Tokens) : InfillPrompt(CacheKey, Tokens.Length);

    private int[] BuildPrompt(InfillContext context, CompletionSettings settings)
    {
        // The cursor line's text before the cursor is kept apart (see FimTemplate.Assemble): while the user types
        // on a line, only it changes.
        var (path, before, after) = (context.Path, context.Before, context.After);
        var lineStart = before.LastIndexOf('\n') + 1;
        IReadOnlyList<int> line = lineStart < before.Length ? _engine.Tokenize(before[lineStart..]) : [];
        if (line.Count > settings.PrefixTokens)
        {
            line = line.Skip(line.Count - settings.PrefixTokens).ToArray();
        }
        // The window's budget does not shrink as the line grows: its start (and so the cached prefix) must not
        // move while the user types on a line.
        var prefix = PrefixWindow(before[..lineStart], settings.PrefixTokens);
        var suffix = SuffixWindow(after, settings.SuffixTokens);
        var extra = new List<int>();
        if (_template.FileSeparator is { } separator)
        {
            foreach (var snippet in context.Snippets)
            {
                var tokens = _engine.Tokenize($"{snippet.Path}\n{snippet.Text}\n");
                if (extra.Count + tokens.Count + 1 > settings.ContextTokens)
                {
                    break;
                }
                extra.Add(separator);
                extra.AddRange(tokens);
            }
            if (extra.Count > 0)
            {
                extra.Add(separator);
                extra.AddRange(_engine.Tokenize(path + "\n"));
            }
        }
        return _template.Assemble(extra, prefix, suffix, line);
    }

    /// <summary>Whole lines before the cursor within the budget. The first line is aligned to a multiple of
    /// <see cref="WindowAlignLines"/>, so the window start (and the KV prefix) changes only every few lines
    /// of typing instead of on every keystroke.</summary>
    private IReadOnlyList<int> PrefixWindow(string before, int budget)
    {
        if (budget <= 0 || before.Length == 0)
        {
            return [];
        }
        var lineStarts = LineStarts(before);
        var first = lineStarts.Count - 1;
        var estimate = 0;
        while (first > 0 && estimate + (lineStarts[first] - lineStarts[first - 1]) / 3 <= budget)
        {
            first--;
            estimate += (lineStarts[first + 1] - lineStarts[first]) / 3;
        }
        first = Math.Min(lineStarts.Count - 1, (first + WindowAlignLines - 1) / WindowAlignLines * WindowAlignLines);
        while (true)
        {
            var tokens = _engine.Tokenize(before[lineStarts[first]..]);
            if (tokens.Count <= budget || first >= lineStarts.Count - 1)
            {
                return tokens.Count <= budget ? tokens : tokens.Skip(tokens.Count - budget).ToArray();
            }
            first = Math.Min(lineStarts.Count - 1, first + WindowAlignLines);
        }
    }

    private IReadOnlyList<int> SuffixWindow(string after, int budget)
    {
        var end = 0;
        var estimate = 0;
        while (end < after.Length)
        {
            var newline = after.IndexOf('\n', end);
            var next = newline < 0 ? after.Length : newline + 1;
            estimate += (next - end) / 3;
            if (estimate > budget && end > 0)
            {
                break;
            }
            end = next;
        }
        var tokens = _engine.Tokenize(after[..end]);
        return tokens.Count <= budget ? tokens : tokens.Take(budget).ToArray();
    }

    private static List<int> LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }
        return starts;
    }
}
