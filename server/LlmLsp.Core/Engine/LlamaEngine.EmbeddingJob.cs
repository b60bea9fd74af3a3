using System.Numerics.Tensors;
using LlmLsp.Engine.Native;

namespace LlmLsp.Engine;

public sealed partial class LlamaEngine
{
    /// <summary>Embeds many token sequences, packing as many whole sequences as fit into each batch (one
    /// decode per step), then pools and L2-normalises each.</summary>
    private sealed class EmbeddingJob : ComputeJob
    {
        public const int MaxSequencesPerBatch = 64;

        private readonly LlamaEngine _engine;
        private readonly SafeLlamaContextHandle _context;
        private readonly int[][] _sequences;
        private readonly float[][] _results;
        private readonly CancellationToken _cancellationToken;
        private readonly TaskCompletionSource<float[][]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _abortLock = new();
        private LlamaBatch? _batch;
        private bool _active;
        private int _next;

        public EmbeddingJob(LlamaEngine engine, SafeLlamaContextHandle context, int[][] sequences, CancellationToken cancellationToken)
            : base(ComputeLane.Background, context)
        {
            _engine = engine;
            _context = context;
            _sequences = sequences;
            _results = new float[sequences.Length][];
            _cancellationToken = cancellationToken;
        }

        public Task<float[][]> Completion => _completion.Task;

        public void RequestAbort()
        {
            lock (_abortLock)
            {
                if (_active)
                {
                    _context.RequestAbort();
                }
            }
        }

        public override void OnStart()
        {
            lock (_abortLock)
            {
                _active = true;
                _context.ClearAbort();
            }
            _batch = new LlamaBatch(_context.BatchSize);
        }

        public override bool Step()
        {
            _cancellationToken.ThrowIfCancellationRequested();
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
                    _results[_next] = new float[_engine.Model.EmbeddingSize];
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
                _context.ClearMemory();
                var status = _engine.Model.IsEmbeddingModel && !_engineHasDecoder ? _context.Encode(batch) : _context.Decode(batch);
                if (status != 0)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    throw new InvalidOperationException($"Embedding batch failed with status {status}.");
                }
                var size = _engine.Model.EmbeddingSize;
                var sequence = 0;
                for (var index = first; index < _next; index++)
                {
                    if (_results[index] is not null)
                    {
                        continue;
                    }
                    var pooled = _context.SequenceEmbedding(sequence++, size);
                    if (pooled.IsEmpty)
                    {
                        throw new InvalidOperationException("llama.cpp returned no pooled embedding.");
                    }
                    _results[index] = Normalize(pooled);
                }
            }
            return _next >= _sequences.Length;
        }

        private bool _engineHasDecoder => _engine._model.HasDecoder;

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

        public override void OnFinished(Exception? error)
        {
            lock (_abortLock)
            {
                _active = false;
            }
            _batch?.Dispose();
            if (error is null)
            {
                _completion.TrySetResult(_results);
            }
            else if (error is OperationCanceledException && _cancellationToken.IsCancellationRequested)
            {
                _completion.TrySetCanceled(_cancellationToken);
            }
            else
            {
                _completion.TrySetException(error);
            }
            _engine.JobFinished();
        }
    }
}
