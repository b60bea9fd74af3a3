using System.CommandLine;
using LlmLsp.Lsp;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Cli.Commands;

/// <summary><c>llmlsp serve [--model M]</c>: the language server on stdin/stdout. It answers initialize before any
/// model loads; models load in the background after <c>initialized</c>.</summary>
internal static class ServeCommand
{
    /// <summary>Set to 1 to register the llmlsp/_* test-only methods (docs/lsp-extensions.md).</summary>
    public const string TestMethodsVariable = "LLMLSP_TEST_METHODS";

    public static Command Create()
    {
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Minimum level written to stderr.",
            DefaultValueFactory = _ => LogLevel.Information,
        };
        var model = new Option<string?>("--model", "-m")
        {
            Description = "GGUF model for completion and chat when the settings name none (default: the models chosen with `llmlsp models use`). Loaded on first use.",
        };
        var command = new Command("serve", "Run the language server over stdin/stdout (LSP).") { logLevel, model };
        command.SetAction((parse, cancellationToken) =>
        {
            // First thing: stdout carries only protocol frames from here on (see StdioRedirect).
            var protocolOut = StdioRedirect.TakeStdoutForProtocol();
            var level = parse.GetValue(logLevel);
            return CommandRunner.RunAsync(async ct =>
            {
                using var loggerFactory = new LoggerFactory([new StderrLoggerProvider(level)]);
                var options = new HostOptions
                {
                    EnableTestMethods = Environment.GetEnvironmentVariable(TestMethodsVariable) == "1",
                    ModelPath = parse.GetValue(model),
                };
                await using var input = Console.OpenStandardInput();
                await using (protocolOut.ConfigureAwait(false))
                {
                    return await Host.RunAsync(input, protocolOut, loggerFactory, options, ct).ConfigureAwait(false);
                }
            }, cancellationToken);
        });
        return command;
    }
}
