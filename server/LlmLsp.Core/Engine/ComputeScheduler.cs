using Microsoft.Extensions.Logging;

namespace LlmLsp.Engine;

/// <summary>A unit of native work, run one step at a time on the compute thread. A job holds its resource
/// (a llama context) from its first step to its last, so two jobs never interleave on one context; jobs on
/// different contexts interleave step by step, latency lane first.</summary>
internal abstract class ComputeJob
{
    protected ComputeJob(ComputeLane lane, object resource)
    {
        Lane = lane;
        Resource = resource;
    }

    public ComputeLane Lane { get; }
    public object Resource { get; }

    /// <summary>Called on the compute thread before the first step, when the job takes its resource.</summary>
    public virtual void OnStart()
    {
    }

    /// <summary>Runs one bounded piece of work (one decode). Returns true when the job is finished.</summary>
    public abstract bool Step();

    /// <summary>Called on the compute thread after the last step or when a step threw.</summary>
    public abstract void OnFinished(Exception? error);
}

/// <summary>The one thread that calls llama.cpp compute functions. One compute job at a time, because
/// llama.cpp's threads already use every core: two decodes at once oversubscribe the CPU and collapse
/// throughput. Shared by every engine in the process.</summary>
public sealed partial class ComputeScheduler : IDisposable
{
    // A plain object: the compute thread waits on it with Monitor.Wait.
    private readonly object _lock = new();
    private readonly List<ComputeJob> _latency = [];
    private readonly List<ComputeJob> _background = [];
    private readonly HashSet<object> _busyResources = [];
    private readonly HashSet<ComputeJob> _started = [];
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private bool _disposed;
    private long _steps;
    private long _latencyStepsWhileBackgroundActive;

    public ComputeScheduler(ILogger logger)
    {
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "llama-compute" };
        _thread.Start();
    }

    /// <summary>Steps run so far, and how many latency-lane steps ran while a background job was in progress
    /// (evidence that background work yields).</summary>
    public (long Steps, long LatencyStepsDuringBackground) Counters
    {
        get
        {
            lock (_lock)
            {
                return (_steps, _latencyStepsWhileBackgroundActive);
            }
        }
    }

    internal void Enqueue(ComputeJob job)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            (job.Lane == ComputeLane.Latency ? _latency : _background).Add(job);
            Monitor.PulseAll(_lock);
        }
    }

    private void Run()
    {
        while (true)
        {
            ComputeJob job;
            bool first;
            lock (_lock)
            {
                ComputeJob? next;
                while ((next = PickRunnable()) is null)
                {
                    if (_disposed)
                    {
                        return;
                    }
                    Monitor.Wait(_lock);
                }
                job = next;
                first = _started.Add(job);
                if (first)
                {
                    _busyResources.Add(job.Resource);
                }
                _steps++;
                if (job.Lane == ComputeLane.Latency && _started.Any(j => j.Lane == ComputeLane.Background))
                {
                    _latencyStepsWhileBackgroundActive++;
                }
            }

            bool done;
            Exception? error = null;
            try
            {
                if (first)
                {
                    job.OnStart();
                }
                done = job.Step();
            }
            catch (Exception ex)
            {
                error = ex;
                done = true;
            }

            lock (_lock)
            {
                var queue = job.Lane == ComputeLane.Latency ? _latency : _background;
                queue.Remove(job);
                if (done)
                {
                    _started.Remove(job);
                    _busyResources.Remove(job.Resource);
                    Monitor.PulseAll(_lock);
                }
                else
                {
                    // Round robin among runnable jobs of the same lane.
                    queue.Add(job);
                }
            }
            if (done)
            {
                try
                {
                    job.OnFinished(error);
                }
                catch (Exception ex)
                {
                    LogJobFailure(_logger, ex);
                }
            }
        }
    }

    private ComputeJob? PickRunnable()
    {
        foreach (var queue in new[] { _latency, _background })
        {
            foreach (var job in queue)
            {
                if (_started.Contains(job) || !_busyResources.Contains(job.Resource))
                {
                    return job;
                }
            }
        }
        return null;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            Monitor.PulseAll(_lock);
        }
        _thread.Join();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A compute job failed while finishing")]
    private static partial void LogJobFailure(ILogger logger, Exception exception);
}
