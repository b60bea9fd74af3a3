using System.Diagnostics;
using System.Numerics.Tensors;
using System.Text.Json;
using LlmLsp.Bench;
using LlmLsp.Engine;
using LLama;
using LLama.Common;
using LLama.Extensions;
using LLama.Native;

namespace LlmLsp.LlamaSharpBench;

/// <summary>The other side of `llmlsp bench replay`: the same prompt tokens (one JSON array per line, written by
/// `--prompts-out`), answered one after the other through LLamaSharp's low-level layer with the KV reuse our engine
/// does (LlamaEngine.GenerationJob): our <see cref="KvReusePlanner"/> plans which cached tokens are kept or moved,
/// LLamaSharp's MemorySequence* calls carry the plan out in a unified two-sequence KV cache, then the missing
/// positions are decoded in 512-token batches and N tokens generated greedily (argmax of the logits, as ours does).
/// Timed from the prompt tokens to the last generated token, after one warm-up request, like ours.</summary>
internal static class Replay
{
    /// <summary>EngineInfillModel's minimum length of a moved KV chunk.</summary>
    private const int ReuseChunkMinimum = 8;
    private static readonly LLamaSeqId s_generation = LLamaSeqId.Zero;
    private static readonly LLamaSeqId s_staging = (LLamaSeqId)1;

    public static string Run(string promptsFile, string model, int threads, int maxTokens)
    {
        var prompts = File.ReadLines(promptsFile).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<int[]>(l)!).ToList();
        NativeLibraryConfig.All.WithLogCallback((level, message) => { if (level >= LLamaLogLevel.Error) { Console.Error.Write(message); } });
        var parameters = new ModelParams(model)
        {
            ContextSize = 4096, BatchSize = 512, UBatchSize = 512, Threads = threads, BatchThreads = threads, GpuLayerCount = 0, SeqMax = 2,
        };
        using var weights = LLamaWeights.LoadFromFile(parameters);
        parameters.ToLlamaContextParams(out var native);
        native.kv_unified = true; // as our engine: both sequences share one cache, so moved chunks need no copy
        using var context = SafeLLamaContextHandle.Create(weights.NativeHandle, native);
        var session = new Session(context, weights.Vocab.Count);

        session.Answer(prompts[0].AsSpan(0, Math.Min(8, prompts[0].Length)).ToArray(), maxTokens); // warm-up, not counted
        session.Clear();
        var latencies = new List<double>();
        var evaluated = new List<int>();
        foreach (var prompt in prompts)
        {
            var clock = Stopwatch.StartNew();
            evaluated.Add(session.Answer(prompt, maxTokens));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        var sorted = latencies.Order().ToArray();
        double Percentile(double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["requests"] = prompts.Count,
            ["replay_p50_ms"] = Math.Round(Percentile(0.5), 2),
            ["replay_p90_ms"] = Math.Round(Percentile(0.9), 2),
            ["replay_mean_ms"] = Math.Round(latencies.Average(), 2),
            ["replay_prompt_tokens"] = Math.Round(prompts.Average(p => p.Length), 2),
            ["replay_evaluated_tokens"] = Math.Round(evaluated.Average(), 2),
            ["peak_rss_mb"] = Math.Round(EngineBenchmark.PeakResidentMegabytes(), 2),
        });
    }

    private sealed class Session(SafeLLamaContextHandle context, int vocabulary)
    {
        private readonly List<int> _cached = [];
        private readonly LLamaBatch _batch = new();

        public void Clear()
        {
            context.MemoryClear();
            _cached.Clear();
        }

        /// <summary>Returns how many prompt tokens were decoded (not reused).</summary>
        public int Answer(int[] prompt, int maxTokens)
        {
            var plan = KvReusePlanner.Create(_cached, prompt, ReuseChunkMinimum);
            foreach (var move in plan.Moves)
            {
                context.MemorySequenceCopy(s_generation, s_staging, move.From, move.From + move.Length);
            }
            context.MemorySequenceRemove(s_generation, plan.CommonPrefix, -1);
            foreach (var move in plan.Moves.Where(m => m.Delta < 0))
            {
                context.MemorySequenceAdd(s_staging, move.From, move.From + move.Length, move.Delta);
            }
            foreach (var move in plan.Moves.Where(m => m.Delta > 0).Reverse())
            {
                context.MemorySequenceAdd(s_staging, move.From, move.From + move.Length, move.Delta);
            }
            _cached.RemoveRange(plan.CommonPrefix, _cached.Count - plan.CommonPrefix);

            var toEvaluate = plan.PositionsToEvaluate;
            var done = 0;
            var nextMove = 0;
            var lastIndex = 0;
            while (done < toEvaluate.Count)
            {
                while (nextMove < plan.Moves.Count && plan.Moves[nextMove].To < toEvaluate[done])
                {
                    var move = plan.Moves[nextMove++];
                    context.MemorySequenceCopy(s_staging, s_generation, move.To, move.To + move.Length);
                }
                var stopBefore = nextMove < plan.Moves.Count ? plan.Moves[nextMove].To : int.MaxValue;
                _batch.Clear();
                while (done < toEvaluate.Count && _batch.TokenCount < 512 && toEvaluate[done] < stopBefore)
                {
                    var position = toEvaluate[done++];
                    lastIndex = _batch.Add(prompt[position], position, s_generation, position == prompt.Length - 1);
                }
                Decode();
            }
            context.MemorySequenceRemove(s_staging, -1, -1);
            _cached.AddRange(prompt.AsSpan(plan.CommonPrefix));

            for (var i = 0; i < maxTokens; i++)
            {
                var token = TensorPrimitives.IndexOfMax(context.GetLogitsIth(lastIndex)[..vocabulary]);
                _batch.Clear();
                lastIndex = _batch.Add(token, _cached.Count, s_generation, true);
                Decode();
                _cached.Add(token);
            }
            return toEvaluate.Count;
        }

        private void Decode()
        {
            var status = context.Decode(_batch);
            if (status != DecodeResult.Ok)
            {
                throw new InvalidOperationException($"decode failed: {status}");
            }
        }
    }
}
