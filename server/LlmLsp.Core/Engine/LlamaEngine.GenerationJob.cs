using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using LlmLsp.Engine.Native;

namespace LlmLsp.Engine;

public sealed partial class LlamaEngine
{
    /// <summary>One generation as a sequence of scheduler steps: prompt decode in batches, then one token per
    /// step. Streams text into a channel that <see cref="GenerateAsync"/> reads.</summary>
    private sealed class GenerationJob : ComputeJob
    {
        private readonly LlamaEngine _engine;
        private readonly SafeLlamaContextHandle _context;
        private readonly GenerationCache _cache;
        private readonly int[] _prompt;
        private readonly GenerationRequest _request;
        private readonly ChannelWriter<GenerationUpdate> _output;
        private readonly CancellationToken _cancellationToken;
        private readonly Lock _abortLock = new();
        private readonly StreamingTextDecoder _text;
        private readonly ArrayBufferWriter<byte> _pieceBytes = new(64);
        private readonly System.Text.StringBuilder _generated = new();
        private SafeLlamaSamplerHandle? _sampler;
        private LlamaBatch? _batch;
        private bool _active;
        private IReadOnlyList<int> _toEvaluate = [];
        private IReadOnlyList<ChunkMove> _moves = [];
        private int _nextMove;
        private int _promptDone;
        private int _stablePrefix;
        private int _reused;
        private int _generatedTokens;
        private Stopwatch _clock = new();
        private TimeSpan _promptTime;

        public GenerationJob(LlamaEngine engine, SafeLlamaContextHandle context, GenerationCache cache, int[] prompt,
            GenerationRequest request, ChannelWriter<GenerationUpdate> output, CancellationToken cancellationToken)
            : base(request.Lane, context)
        {
            _engine = engine;
            _context = context;
            _cache = cache;
            _prompt = prompt;
            _request = request;
            _output = output;
            _cancellationToken = cancellationToken;
            _text = new StreamingTextDecoder(request.StopSequences);
        }

        /// <summary>From any thread: interrupts the decode in progress, but only while this job owns the context
        /// (the flag is shared by every job on it).</summary>
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
            _clock = Stopwatch.StartNew();
            var cached = _cache.Tokens;
            // Without prefix reuse (benchmarks measuring a cold prompt) the plan starts from an empty cache.
            var plan = KvReusePlanner.Create(_request.ReuseCachedPrefix ? cached : [], _prompt, _request.ReuseChunkMinimum);
            _reused = _prompt.Length - plan.PositionsToEvaluate.Count;
            _stablePrefix = plan.CommonPrefix;
            _moves = plan.Moves;
            ApplyToKvCache(plan);
            // Until the whole prompt is decoded only the common prefix is certain to be in the KV cache.
            cached.RemoveRange(plan.CommonPrefix, cached.Count - plan.CommonPrefix);
            _toEvaluate = plan.PositionsToEvaluate;
            _batch = new LlamaBatch(Math.Max(1, Math.Min(_context.BatchSize, _toEvaluate.Count)));
            var s = _request.Sampling;
            _sampler = SafeLlamaSamplerHandle.Create(new SamplerSettings(s.Temperature, s.TopK, s.TopP, s.MinP,
                s.RepeatPenalty, s.RepeatLastN, s.FrequencyPenalty, s.PresencePenalty, s.Seed));
        }

        public override bool Step()
        {
            _cancellationToken.ThrowIfCancellationRequested();
            return _promptDone < _toEvaluate.Count ? DecodePromptBatch() : GenerateOneToken();
        }

        /// <summary>Keeps the common prefix in the generation sequence and parks the reused chunks in the staging
        /// sequence at their new positions. llama.cpp only appends to a sequence (a batch must start right
        /// after its last position), so parked chunks are copied back one by one as evaluation reaches them.
        /// Moves are shifted in an order where no chunk lands on one that has not moved yet.</summary>
        private void ApplyToKvCache(KvReusePlanner.Plan plan)
        {
            foreach (var move in plan.Moves)
            {
                _context.CopySequence(GenerationSequence, StagingSequence, move.From, move.From + move.Length);
            }
            _context.RemoveTokens(GenerationSequence, plan.CommonPrefix, -1);
            foreach (var move in plan.Moves.Where(m => m.Delta < 0))
            {
                _context.ShiftPositions(StagingSequence, move.From, move.From + move.Length, move.Delta);
            }
            foreach (var move in plan.Moves.Where(m => m.Delta > 0).Reverse())
            {
                _context.ShiftPositions(StagingSequence, move.From, move.From + move.Length, move.Delta);
            }
        }

        private bool DecodePromptBatch()
        {
            var batch = _batch!;
            batch.Clear();
            var next = _toEvaluate[_promptDone];
            // Bring back every parked chunk that sits before the next token to evaluate.
            while (_nextMove < _moves.Count && _moves[_nextMove].To < next)
            {
                var move = _moves[_nextMove++];
                _context.CopySequence(StagingSequence, GenerationSequence, move.To, move.To + move.Length);
            }
            var stopBefore = _nextMove < _moves.Count ? _moves[_nextMove].To : int.MaxValue;
            var end = _promptDone;
            while (end < _toEvaluate.Count && batch.Count < batch.Capacity && _toEvaluate[end] < stopBefore)
            {
                var position = _toEvaluate[end];
                batch.Add(_prompt[position], position, GenerationSequence, wantOutput: position == _prompt.Length - 1);
                end++;
            }
            Decode(batch, _stablePrefix);
            _promptDone = end;
            if (_promptDone == _toEvaluate.Count)
            {
                _context.RemoveTokens(StagingSequence, -1, -1);
                _cache.Tokens.AddRange(_prompt.AsSpan(_stablePrefix));
                _promptTime = _clock.Elapsed;
                _clock.Restart();
                foreach (var token in _prompt)
                {
                    _sampler!.Accept(token);
                }
            }
            return false;
        }

        private bool GenerateOneToken()
        {
            if (_generatedTokens >= _request.MaxTokens)
            {
                return Finish(FinishReason.MaxTokens);
            }
            if (_request.TimeBudget is { } budget && _promptTime + _clock.Elapsed >= budget)
            {
                return Finish(FinishReason.TimeBudget);
            }
            var token = _sampler!.Sample(_context, -1);
            _sampler.Accept(token);
            if (!_request.IgnoreEndOfGeneration && _engine._vocab.IsEndOfGeneration(token))
            {
                return Finish(FinishReason.EndOfGeneration);
            }
            _generatedTokens++;
            _pieceBytes.ResetWrittenCount();
            _engine._vocab.AppendPiece(token, renderSpecial: false, _pieceBytes);
            var text = _text.Push(_pieceBytes.WrittenSpan);
            Emit(text);
            if (_text.Stopped)
            {
                return Finish(FinishReason.StopSequence);
            }
            if (_cache.Tokens.Count + 1 >= _context.ContextSize)
            {
                return Finish(FinishReason.ContextFull);
            }
            // Decode the new token now so the next step can sample from its logits.
            var batch = _batch!;
            batch.Clear();
            batch.Add(token, _cache.Tokens.Count, GenerationSequence, wantOutput: true);
            Decode(batch, _cache.Tokens.Count);
            _cache.Tokens.Add(token);
            return false;
        }

        private void Decode(LlamaBatch batch, int firstPosition)
        {
            var status = _context.Decode(batch);
            if (status == 0)
            {
                Interlocked.Add(ref _engine._evaluatedTokens, batch.Count);
                return;
            }
            // Whatever part of the batch (or of reused chunks) reached the KV cache past what our token list
            // holds is dropped, so cache and list agree.
            _context.RemoveTokens(GenerationSequence, firstPosition, -1);
            _context.RemoveTokens(StagingSequence, -1, -1);
            if (status == 2)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException("The decode was aborted.");
            }
            throw status == 1
                ? new LlmLspException(ErrorKind.InvalidInput, $"The context ({_context.ContextSize} tokens) is full.")
                : new InvalidOperationException($"llama_decode failed with status {status}.");
        }

        private void Emit(string text)
        {
            if (text.Length > 0)
            {
                _generated.Append(text);
                _output.TryWrite(new GenerationUpdate(text, EvaluatedPromptTokens: _prompt.Length - _reused));
            }
        }

        private bool Finish(FinishReason reason)
        {
            Emit(_text.Flush());
            var result = new GenerationResult(_generated.ToString(), reason, _prompt.Length, _prompt.Length - _reused,
                _generatedTokens, _promptTime, _clock.Elapsed);
            _output.TryWrite(new GenerationUpdate("", result));
            return true;
        }

        public override void OnFinished(Exception? error)
        {
            lock (_abortLock)
            {
                _active = false;
            }
            _sampler?.Dispose();
            _batch?.Dispose();
            if (error is OperationCanceledException && _cancellationToken.IsCancellationRequested)
            {
                error = new OperationCanceledException(_cancellationToken);
            }
            _output.TryComplete(error);
            _engine.JobFinished();
        }
    }
}
