using System.CommandLine;
using LlmLsp.Cli.Commands;

namespace LlmLsp.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        // Each command lives in Commands/<Name>Command.cs as `static Command Create()` and is listed here.
        var root = new RootCommand("LlmLsp: a private, local AI pair-programmer for any LSP editor.")
        {
            GenerateCommand.Create(),
            EmbedCommand.Create(),
            ModelsCommand.Create(),
        };
        // Without an explicit configuration Ctrl+C (SIGINT) killed the process outright instead of cancelling the
        // command's token, so `models pull` could not say how to resume and `generate` could not stop cleanly.
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(5) });
    }
}
