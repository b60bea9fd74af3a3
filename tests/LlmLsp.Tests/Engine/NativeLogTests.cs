using LlmLsp.Engine.Native;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Tests.Engine;

public sealed class NativeLogTests
{
    [Theory]
    [InlineData(4, LogLevel.Error)]
    [InlineData(3, LogLevel.Warning)]
    [InlineData(2, LogLevel.Debug)]
    public void Native_levels_map_to_ours(int ggmlLevel, LogLevel expected) => Assert.Equal(expected, NativeLog.ToLogLevel(ggmlLevel));

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    public void Lines_logged_while_a_requested_abort_is_in_effect_are_debug(int ggmlLevel)
        // A cancelled completion interrupts llama_decode on purpose; its "failed to decode" lines must not
        // reach the editor as errors on every keystroke.
        => Assert.Equal(LogLevel.Debug, NativeLog.ToLogLevel(ggmlLevel, abortRequested: true));
}
