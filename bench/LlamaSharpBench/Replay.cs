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
/// LLamaSharp's MemorySequence* calls carry it out (<see cref="KvReusePlanner.Plan.Park"/>, <c>Unpark</c>) in a unified
/// two-sequence KV cache, then the missing
/// positions are decoded in 512-token batches and N tokens generated greedily (argmax of the logits, as ours does).
/// Timed from the prompt tokens to the last generated token, after one warm-up request, like ours.</summary>
internal static class Replay
{
    /// <summary>EngineInfillModel's minimum length of a moved KV chunk.</summary>
    private const int ReuseChunkMinimum = 8;
    private const int Generation = 0;
    private const int Staging = 1;

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
        var requests = new List<ReplayRequest>(prompts.Count);
        foreach (var prompt in prompts)
        {
            var clock = Stopwatch.StartNew();
            var evaluated = session.Answer(prompt, maxTokens);
            requests.Add(new ReplayRequest(prompt, clock.Elapsed.TotalMilliseconds, evaluated));
        }
        return CompletionReplay.SummaryJson(requests);
    }

    /// <summary>LLamaSharp's context as the plan's editor.</summary>
    private readonly struct LlamaSharpCache(SafeLLamaContextHandle context) : IKvSequenceEditor
    {
        public void Copy(int source, int destination, int from, int to) => context.MemorySequenceCopy((LLamaSeqId)source, (LLamaSeqId)destination, from, to);

        public void Remove(int sequence, int from, int to) => context.MemorySequenceRemove((LLamaSeqId)sequence, from, to);

        public void Shift(int sequence, int from, int to, int delta) => context.MemorySequenceAdd((LLamaSeqId)sequence, from, to, delta);
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
            var cache = new LlamaSharpCache(context);
            plan.Park(cache, Generation, Staging);
            _cached.RemoveRange(plan.CommonPrefix, _cached.Count - plan.CommonPrefix);

            var toEvaluate = plan.PositionsToEvaluate;
            var done = 0;
            var nextMove = 0;
            var lastIndex = 0;
            while (done < toEvaluate.Count)
            {
                nextMove = plan.Unpark(cache, Generation, Staging, toEvaluate[done], nextMove);
                var stopBefore = plan.ParkedStart(nextMove);
                _batch.Clear();
                while (done < toEvaluate.Count && _batch.TokenCount < 512 && toEvaluate[done] < stopBefore)
                {
                    var position = toEvaluate[done++];
                    lastIndex = _batch.Add(prompt[position], position, (LLamaSeqId)Generation, position == prompt.Length - 1);
                }
                Decode();
            }
            context.MemorySequenceRemove((LLamaSeqId)Staging, -1, -1);
            _cached.AddRange(prompt.AsSpan(plan.CommonPrefix));

            for (var i = 0; i < maxTokens; i++)
            {
                var token = TensorPrimitives.IndexOfMax(context.GetLogitsIth(lastIndex)[..vocabulary]);
                _batch.Clear();
                lastIndex = _batch.Add(token, _cached.Count, (LLamaSeqId)Generation, true);
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
