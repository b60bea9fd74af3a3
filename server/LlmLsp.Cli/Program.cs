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
            ServeCommand.Create(),
            GenerateCommand.Create(),
            EmbedCommand.Create(),
            IndexCommand.Create(),
            SearchCommand.Create(),
            AskCommand.Create(),
            ChatCommand.Create(),
            ModelsCommand.Create(),
            CompleteCommand.Create(),
            BenchCommand.Create(),
        };
        // Without an explicit configuration Ctrl+C (SIGINT) killed the process outright instead of cancelling the
        // command's token, so `models pull` could not say how to resume and `generate` could not stop cleanly.
        // `chat` handles Ctrl+C itself: it stops the answer being written, not the program.
        var parse = root.Parse(args);
        var handlesInterrupt = parse.CommandResult.Command.Name == "chat";
        return parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = handlesInterrupt ? null : TimeSpan.FromSeconds(5) });
    }
}
