using System.Buffers;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Threading.Channels;
using LlmLsp.Engine.Native;

namespace LlmLsp.Engine;

public sealed partial class LlamaEngine
{
    /// <summary>One generation as a sequence of scheduler steps: prompt decode in batches, then one token per
    /// step. Streams text into a channel that <see cref="GenerateAsync"/> reads.</summary>
    private sealed class GenerationJob : ContextJob
    {
        private readonly GenerationCache _cache;
        private readonly int[] _prompt;
        private readonly GenerationRequest _request;
        private readonly ChannelWriter<GenerationUpdate> _output;
        private readonly bool _streamPieces;
        private readonly StreamingTextDecoder _text;
        private readonly ArrayBufferWriter<byte> _pieceBytes = new(64);
        private readonly System.Text.StringBuilder _generated = new();
        private SafeLlamaSamplerHandle? _sampler;
        private LlamaBatch? _batch;
        private IReadOnlyList<int> _toEvaluate = [];
        private KvReusePlanner.Plan? _plan;
        private int _nextMove;
        private int _promptDone;
        private int _stablePrefix;
        private int _reused;
        private int _generatedTokens;
        private Stopwatch _clock = new();
        private TimeSpan _promptTime;

        public GenerationJob(LlamaEngine engine, SafeLlamaContextHandle context, GenerationCache cache, int[] prompt,
            GenerationRequest request, ChannelWriter<GenerationUpdate> output, bool streamPieces, CancellationToken cancellationToken)
            : base(engine, context, request.Lane, cancellationToken)
        {
            _cache = cache;
            _prompt = prompt;
            _request = request;
            _output = output;
            _streamPieces = streamPieces;
            _text = new StreamingTextDecoder(request.StopSequences);
        }

        protected override void Start()
        {
            _clock = Stopwatch.StartNew();
            var cached = _cache.Tokens;
            // Without prefix reuse (benchmarks measuring a cold prompt) the plan starts from an empty cache.
            var plan = KvReusePlanner.Create(_request.ReuseCachedPrefix ? cached : [], _prompt, _request.ReuseChunkMinimum);
            _reused = _prompt.Length - plan.PositionsToEvaluate.Count;
            _stablePrefix = plan.CommonPrefix;
            _plan = plan;
            plan.Park(new ContextCache(Context), GenerationSequence, StagingSequence);
            // Until the whole prompt is decoded only the common prefix is certain to be in the KV cache.
            cached.RemoveRange(plan.CommonPrefix, cached.Count - plan.CommonPrefix);
            _toEvaluate = plan.PositionsToEvaluate;
            _batch = new LlamaBatch(Math.Max(1, Math.Min(Context.BatchSize, _toEvaluate.Count)));
            var s = _request.Sampling;
            // Plain greedy needs no sampler: llama_sampler_sample copies all logits into a candidate array (152k
            // entries for Qwen) on every token, ~4% of a 0.5B model's generation step; an argmax over the logits is not.
            var plainGreedy = s.Temperature <= 0f && s.RepeatPenalty == 1.0f && s.FrequencyPenalty == 0f && s.PresencePenalty == 0f;
            _sampler = plainGreedy ? null : SafeLlamaSamplerHandle.Create(new SamplerSettings(s.Temperature, s.TopK, s.TopP, s.MinP,
                s.RepeatPenalty, s.RepeatLastN, s.FrequencyPenalty, s.PresencePenalty, s.Seed));
        }

        public override bool Step()
        {
            CancellationToken.ThrowIfCancellationRequested();
            return _promptDone < _toEvaluate.Count ? DecodePromptBatch() : GenerateOneToken();
        }

        /// <summary>The context's KV cache as the plan's editor.</summary>
        private readonly struct ContextCache(SafeLlamaContextHandle context) : IKvSequenceEditor
        {
            public void Copy(int source, int destination, int from, int to) => context.CopySequence(source, destination, from, to);

            public void Remove(int sequence, int from, int to) => context.RemoveTokens(sequence, from, to);

            public void Shift(int sequence, int from, int to, int delta) => context.ShiftPositions(sequence, from, to, delta);
        }

        private bool DecodePromptBatch()
        {
            var batch = _batch!;
            batch.Clear();
            // Bring back every parked chunk that sits before the next token to evaluate.
            _nextMove = _plan!.Unpark(new ContextCache(Context), GenerationSequence, StagingSequence, _toEvaluate[_promptDone], _nextMove);
            var stopBefore = _plan.ParkedStart(_nextMove);
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
                Context.RemoveTokens(StagingSequence, -1, -1);
                _cache.Tokens.AddRange(_prompt.AsSpan(_stablePrefix));
                _promptTime = _clock.Elapsed;
                _clock.Restart();
                if (_sampler is not null)
                {
                    foreach (var token in _prompt)
                    {
                        _sampler.Accept(token);
                    }
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
            int token;
            if (_sampler is null)
            {
                // The first largest logit, as llama.cpp's greedy sampler picks it.
                token = TensorPrimitives.IndexOfMax(Context.Logits(-1, Engine.Model.VocabularySize));
            }
            else
            {
                token = _sampler.Sample(Context, -1);
                _sampler.Accept(token);
            }
            if (!_request.IgnoreEndOfGeneration && Engine._vocab.IsEndOfGeneration(token))
            {
                return Finish(FinishReason.EndOfGeneration);
            }
            _generatedTokens++;
            _pieceBytes.ResetWrittenCount();
            Engine._vocab.AppendPiece(token, renderSpecial: false, _pieceBytes);
            var text = _text.Push(_pieceBytes.WrittenSpan);
            Emit(text);
            if (_text.Stopped)
            {
                return Finish(FinishReason.StopSequence);
            }
            if (_cache.Tokens.Count + 1 >= Context.ContextSize)
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
            var status = Context.Decode(batch);
            if (status == 0)
            {
                Interlocked.Add(ref Engine._evaluatedTokens, batch.Count);
                return;
            }
            // Whatever part of the batch (or of reused chunks) reached the KV cache past what our token list
            // holds is dropped, so cache and list agree.
            Context.RemoveTokens(GenerationSequence, firstPosition, -1);
            Context.RemoveTokens(StagingSequence, -1, -1);
            if (status == 2)
            {
                CancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException("The decode was aborted.");
            }
            throw status == 1
                ? new LlmLspException(ErrorKind.InvalidInput, $"The context ({Context.ContextSize} tokens) is full.")
                : new InvalidOperationException($"llama_decode failed with status {status}.");
        }

        private void Emit(string text)
        {
            if (text.Length > 0)
            {
                _generated.Append(text);
                if (_streamPieces)
                {
                    _output.TryWrite(new GenerationUpdate(text, EvaluatedPromptTokens: _prompt.Length - _reused));
                }
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

        protected override void Finish(Exception? error)
        {
            _sampler?.Dispose();
            _batch?.Dispose();
            _output.TryComplete(error);
        }
    }
}
