namespace LlmLsp.Cli;

/// <summary>The one place that turns expected failures into a message on stderr and an exit code,
/// so every command reports bad input the same way and never with a stack trace.</summary>
internal static class CommandRunner
{
    public const int ExitFailure = 1;
    public const int ExitCancelled = 130;

    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body(cancellationToken).ConfigureAwait(false);
        }
        catch (LlmLspException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitFailure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return ExitCancelled;
        }
    }
}
