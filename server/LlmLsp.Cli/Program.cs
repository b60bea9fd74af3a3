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
            BenchCommand.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
