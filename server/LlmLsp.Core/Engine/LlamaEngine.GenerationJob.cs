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
        private int _promptDone;
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
            var common = 0;
            var limit = _request.ReuseCachedPrefix ? Math.Min(cached.Count, _prompt.Length) : 0;
            while (common < limit && cached[common] == _prompt[common])
            {
                common++;
            }
            // The last prompt token is always decoded again: its logits pick the first new token.
            _reused = Math.Min(common, _prompt.Length - 1);
            _context.RemoveTokens(GenerationSequence, _reused, -1);
            cached.RemoveRange(_reused, cached.Count - _reused);
            _promptDone = _reused;
            _batch = new LlamaBatch(Math.Max(1, Math.Min(_context.BatchSize, _prompt.Length - _reused)));
            var s = _request.Sampling;
            _sampler = SafeLlamaSamplerHandle.Create(new SamplerSettings(s.Temperature, s.TopK, s.TopP, s.MinP,
                s.RepeatPenalty, s.RepeatLastN, s.FrequencyPenalty, s.PresencePenalty, s.Seed));
        }

        public override bool Step()
        {
            _cancellationToken.ThrowIfCancellationRequested();
            return _promptDone < _prompt.Length ? DecodePromptBatch() : GenerateOneToken();
        }

        private bool DecodePromptBatch()
        {
            var batch = _batch!;
            batch.Clear();
            var start = _promptDone;
            var end = Math.Min(_prompt.Length, start + batch.Capacity);
            for (var i = start; i < end; i++)
            {
                batch.Add(_prompt[i], i, GenerationSequence, wantOutput: i == _prompt.Length - 1);
            }
            Decode(batch, start);
            _cache.Tokens.AddRange(_prompt.AsSpan(start, end - start));
            _promptDone = end;
            if (_promptDone == _prompt.Length)
            {
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
            // Whatever part of the batch reached the KV cache is not in our token list: drop it so cache and list agree.
            _context.RemoveTokens(GenerationSequence, firstPosition, -1);
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
                _output.TryWrite(new GenerationUpdate(text));
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
