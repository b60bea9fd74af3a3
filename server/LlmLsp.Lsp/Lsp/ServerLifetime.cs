using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Lsp;

/// <summary>How the server ends: the <c>exit</c> notification (0 after <c>shutdown</c>, else 1), the client process
/// dying, or the end of input.</summary>
internal sealed partial class ServerLifetime(ILogger logger) : IDisposable
{
    public const int ExitOk = 0;
    public const int ExitWithoutShutdown = 1;

    private static readonly TimeSpan s_parentPollInterval = TimeSpan.FromMilliseconds(500);

    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();

    public Task<int> ExitRequested => _exit.Task;

    public void RequestExit(int exitCode) => _exit.TrySetResult(exitCode);

    /// <summary>Polls the client process named in <c>initialize.processId</c>; exits when it is gone. Polling
    /// because nothing portable notifies about a process that is not our child.</summary>
    public void WatchClientProcess(int processId)
    {
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(s_parentPollInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
                {
                    if (!IsAlive(processId))
                    {
                        LogClientGone(logger, processId);
                        RequestExit(ExitWithoutShutdown);
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Server is stopping.
            }
        });
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client process {ProcessId} is gone; exiting.")]
    private static partial void LogClientGone(ILogger logger, int processId);
}
