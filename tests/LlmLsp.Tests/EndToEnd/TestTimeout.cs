namespace LlmLsp.Tests.EndToEnd;

/// <summary>Cancellation tokens that fire after a generous limit, so a broken server fails a test instead of hanging
/// it. Tests wait on events (responses, notifications, exit) with these; never with sleeps.</summary>
internal static class TestTimeout
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static CancellationToken Token(TimeSpan? timeout = null) => new CancellationTokenSource(timeout ?? Default).Token;
}
