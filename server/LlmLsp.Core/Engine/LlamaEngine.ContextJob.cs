using LlmLsp.Engine.Native;

namespace LlmLsp.Engine;

public sealed partial class LlamaEngine
{
    /// <summary>A job that uses one of the engine's llama contexts from its first step to its last. Cancelling
    /// interrupts a decode in progress through the context's abort flag, but only while this job is the
    /// context's user: the flag is shared by every job on that context.</summary>
    private abstract class ContextJob : ComputeJob
    {
        private readonly Lock _abortLock = new();
        private bool _active;

        protected ContextJob(LlamaEngine engine, SafeLlamaContextHandle context, ComputeLane lane, CancellationToken cancellationToken)
            : base(lane, context)
        {
            Engine = engine;
            Context = context;
            CancellationToken = cancellationToken;
        }

        protected LlamaEngine Engine { get; }
        protected SafeLlamaContextHandle Context { get; }
        protected CancellationToken CancellationToken { get; }

        /// <summary>From any thread.</summary>
        public void RequestAbort()
        {
            lock (_abortLock)
            {
                if (_active)
                {
                    Context.RequestAbort();
                }
            }
        }

        public sealed override void OnStart()
        {
            lock (_abortLock)
            {
                _active = true;
                Context.ClearAbort();
            }
            Start();
        }

        public sealed override void OnFinished(Exception? error)
        {
            lock (_abortLock)
            {
                _active = false;
            }
            try
            {
                if (error is null)
                {
                    Engine.NoteEvaluated(Context);
                }

                // An aborted decode surfaces as a plain OperationCanceledException; report the caller's token.
                Finish(error is OperationCanceledException && CancellationToken.IsCancellationRequested
                    ? new OperationCanceledException(CancellationToken)
                    : error);
            }
            finally
            {
                Engine.JobFinished();
            }
        }

        /// <summary>Called on the compute thread when the job takes its context.</summary>
        protected abstract void Start();

        /// <summary>Called on the compute thread after the last step, or when a step threw.</summary>
        protected abstract void Finish(Exception? error);
    }
}
