using System.Diagnostics;
using System.Text.Json;
using LlmLsp.Engine;
using LlmLsp.Engine.Native;
using LlmLsp.Features.Completion;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Bench;

/// <summary>One replayed request: the prompt the product built, how long the answer took (from the prompt's tokens
/// to the last generated one), how many prompt tokens
/// had to be computed (the rest came from the KV cache).</summary>
public sealed record ReplayRequest(int[] PromptTokens, double LatencyMs, int EvaluatedTokens);

/// <summary>`llmlsp bench replay`: the keystroke replay of bench/completion.sh, in-process and without timing, so
/// that two bindings of llama.cpp can be compared on exactly the same token sequences. Every keystroke asks for a
/// completion and waits for all of it (no debounce, no cancellation): the figure is the engine's latency with KV
/// reuse, not the editor experience (bench/completion.sh measures that).</summary>
public static class CompletionReplay
{
    /// <summary>The cursor after each keystroke while lines [<paramref name="startLine"/>, +<paramref name="lineCount"/>)
    /// of <paramref name="text"/> are typed (1-based), as completion-replay.js types them: the first line's indentation
    /// is there already, and a newline brings the next line's indentation with it (auto-indent).</summary>
    public static IReadOnlyList<InfillContext> Keystrokes(string path, string text, int startLine, int lineCount)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        var start = startLine - 1;
        if (start < 0 || lineCount < 1 || start + lineCount > lines.Length)
        {
            throw new LlmLspException(ErrorKind.InvalidInput,
                $"Lines {startLine}-{startLine + lineCount - 1} are outside {Path.GetFileName(path)} ({lines.Length} lines).");
        }
        static string Indent(string line) => line[..(line.Length - line.TrimStart(' ', '\t').Length)];
        var typed = lines[start..(start + lineCount)];
        var before = string.Join('\n', lines[..start]) + (start > 0 ? "\n" : "") + Indent(typed[0]);
        var after = "\n" + string.Join('\n', lines[(start + lineCount)..]);
        var keystrokes = new List<InfillContext>();
        for (var i = 0; i < typed.Length; i++)
        {
            foreach (var key in typed[i][Indent(typed[i]).Length..])
            {
                before += key;
                keystrokes.Add(new InfillContext(path, before, after, []));
            }
            if (i < typed.Length - 1)
            {
                before += "\n" + Indent(typed[i + 1]);
                keystrokes.Add(new InfillContext(path, before, after, []));
            }
        }
        return keystrokes.Count > 0 ? keystrokes
            : throw new LlmLspException(ErrorKind.InvalidInput, $"Lines {startLine}-{startLine + lineCount - 1} of {Path.GetFileName(path)} have nothing to type.");
    }

    /// <summary>Loads the model and answers every keystroke in turn through the product's completion model
    /// (<see cref="EngineInfillModel"/>: its prompt window, its KV reuse), <paramref name="maxTokens"/> tokens each
    /// with end-of-generation ignored, after one warm-up request that is not counted.</summary>
    public static async Task<IReadOnlyList<ReplayRequest>> RunAsync(EngineOptions options, IReadOnlyList<InfillContext> keystrokes,
        int maxTokens, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keystrokes);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        NativeLibraryLoader.Load(loggerFactory.CreateLogger("LlmLsp.Native"));
        using var engine = LlamaEngine.Load(options, loggerFactory);
        var model = new EngineInfillModel(engine);
        var settings = new CompletionSettings { MaxTokens = maxTokens, TimeBudgetMs = int.MaxValue, IgnoreEndOfGeneration = true };
        // The warm-up is a different file, so the first counted request starts from a cold cache like the editor's.
        await AnswerAsync(model, new InfillContext("warm-up.js", "function warmUp(", ")\n", []), settings, cancellationToken).ConfigureAwait(false);
        var requests = new List<ReplayRequest>(keystrokes.Count);
        foreach (var keystroke in keystrokes)
        {
            requests.Add(await AnswerAsync(model, keystroke, settings, cancellationToken).ConfigureAwait(false));
        }
        return requests;
    }

    /// <summary>The figures both sides of bench/llamasharp.sh print for a replay, as one JSON object (LlamaSharpBench
    /// calls this too, so the percentiles and names are the same on both sides).</summary>
    public static string SummaryJson(IReadOnlyList<ReplayRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var latencies = requests.Select(r => r.LatencyMs).Order().ToArray();
        double Percentile(double p) => latencies[(int)Math.Min(latencies.Length - 1, Math.Floor(p * latencies.Length))];
        return JsonSerializer.Serialize(new Dictionary<string, double>
        {
            ["requests"] = requests.Count,
            ["replay_p50_ms"] = Math.Round(Percentile(0.5), 2),
            ["replay_p90_ms"] = Math.Round(Percentile(0.9), 2),
            ["replay_mean_ms"] = Math.Round(latencies.Average(), 2),
            ["replay_prompt_tokens"] = Math.Round(requests.Average(r => r.PromptTokens.Length), 2),
            ["replay_evaluated_tokens"] = Math.Round(requests.Average(r => r.EvaluatedTokens), 2),
            ["peak_rss_mb"] = Math.Round(EngineBenchmark.PeakResidentMegabytes(), 2),
        });
    }

    private static async Task<ReplayRequest> AnswerAsync(EngineInfillModel model, InfillContext context, CompletionSettings settings,
        CancellationToken cancellationToken)
    {
        // Timed from the prompt's tokens, which the other binding is handed ready-made, to the last generated token.
        var prompt = model.Prepare(context, settings);
        var clock = Stopwatch.StartNew();
        var evaluated = 0;
        await foreach (var piece in model.GenerateAsync(prompt, settings, cancellationToken).ConfigureAwait(false))
        {
            evaluated = piece.EvaluatedPromptTokens;
        }
        return new ReplayRequest([.. ((EngineInfillModel.TokenPrompt)prompt).Tokens], clock.Elapsed.TotalMilliseconds, evaluated);
    }
}
