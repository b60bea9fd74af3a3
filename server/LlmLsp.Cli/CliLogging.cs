using Microsoft.Extensions.Logging;

namespace LlmLsp.Cli;

/// <summary>Logging for the command-line tools: everything to stderr (stdout is for results), warnings and
/// errors by default, everything with --verbose. The same stderr logger as `serve`; the console logger package's
/// dependency injection, options and background thread cost start-up time and memory for a few lines.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(bool verbose)
    {
        var minimum = verbose ? LogLevel.Debug : LogLevel.Warning;
        var filter = new LoggerFilterOptions { MinLevel = minimum };
        // llama.cpp's own chatter only with --verbose: its errors reach the user inside our exception messages.
        filter.Rules.Add(new LoggerFilterRule(providerName: null, categoryName: "LlmLsp.Native", logLevel: verbose ? LogLevel.Debug : LogLevel.None, filter: null));
        return new LoggerFactory([new StderrLoggerProvider(minimum)], filter);
    }
}
