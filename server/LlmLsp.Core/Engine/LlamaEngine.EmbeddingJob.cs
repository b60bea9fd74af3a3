using System.Numerics.Tensors;
using LlmLsp.Engine.Native;

namespace LlmLsp.Engine;

public sealed partial class LlamaEngine
{
    /// <summary>Embeds many token sequences, packing as many whole sequences as fit into each batch (one
    /// decode per step), then pools and L2-normalises each.</summary>
    private sealed class EmbeddingJob : ContextJob
    {
        public const int MaxSequencesPerBatch = 64;

        private readonly int[][] _sequences;
        private readonly float[][] _results;
        private readonly TaskCompletionSource<float[][]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private LlamaBatch? _batch;
        private int _next;

        public EmbeddingJob(LlamaEngine engine, SafeLlamaContextHandle context, int[][] sequences, CancellationToken cancellationToken)
            : base(engine, context, ComputeLane.Background, cancellationToken)
        {
            _sequences = sequences;
            _results = new float[sequences.Length][];
        }

        public Task<float[][]> Completion => _completion.Task;

        protected override void Start()
        {
            _batch = new LlamaBatch(Context.BatchSize);
        }

        public override bool Step()
        {
            CancellationToken.ThrowIfCancellationRequested();
            var batch = _batch!;
            batch.Clear();
            var first = _next;
            var count = 0;
            while (_next < _sequences.Length && count < MaxSequencesPerBatch)
            {
                var tokens = _sequences[_next];
                if (tokens.Length == 0)
                {
                    // Nothing to embed: a zero vector says "no content" without a model call.
                    _results[_next] = new float[Engine.Model.EmbeddingSize];
                    _next++;
                    continue;
                }
                if (batch.Count + tokens.Length > batch.Capacity)
                {
                    break;
                }
                for (var i = 0; i < tokens.Length; i++)
                {
                    batch.Add(tokens[i], i, count, wantOutput: true);
                }
                _next++;
                count++;
            }
            if (count > 0)
            {
                Context.ClearMemory();
                // Pure encoders (no decoder half) take llama_encode; BERT-style models report a decoder and decode.
                var status = Engine._model.HasDecoder ? Context.Decode(batch) : Context.Encode(batch);
                if (status != 0)
                {
                    CancellationToken.ThrowIfCancellationRequested();
                    throw new InvalidOperationException($"Embedding batch failed with status {status}.");
                }
                var size = Engine.Model.EmbeddingSize;
                var sequence = 0;
                for (var index = first; index < _next; index++)
                {
                    if (_results[index] is not null)
                    {
                        continue;
                    }
                    var pooled = Context.SequenceEmbedding(sequence++, size);
                    if (pooled.IsEmpty)
                    {
                        throw new InvalidOperationException("llama.cpp returned no pooled embedding.");
                    }
                    _results[index] = Normalize(pooled);
                }
            }
            return _next >= _sequences.Length;
        }

        private static float[] Normalize(ReadOnlySpan<float> vector)
        {
            var result = vector.ToArray();
            var norm = TensorPrimitives.Norm(result);
            if (norm > 0)
            {
                TensorPrimitives.Divide(result, norm, result);
            }
            return result;
        }

        protected override void Finish(Exception? error)
        {
            _batch?.Dispose();
            if (error is null)
            {
                _completion.TrySetResult(_results);
            }
            else if (error is OperationCanceledException canceled)
            {
                _completion.TrySetCanceled(canceled.CancellationToken);
            }
            else
            {
                _completion.TrySetException(error);
            }
        }
    }
}
