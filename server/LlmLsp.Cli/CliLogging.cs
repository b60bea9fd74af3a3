using Microsoft.Extensions.Logging;

namespace LlmLsp.Cli;

/// <summary>Logging for the command-line tools: everything to stderr (stdout is for results), warnings and
/// errors by default, everything with --verbose.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(bool verbose) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning)
        // llama.cpp's own chatter only with --verbose: its errors reach the user inside our exception messages.
        .AddFilter("LlmLsp.Native", verbose ? LogLevel.Debug : LogLevel.None)
        .AddSimpleConsole(o => o.SingleLine = true)
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
}
