using System.CommandLine;

namespace LlmLsp.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        // Each command lives in Commands/<Name>Command.cs as `static Command Create()` and is listed here.
        var root = new RootCommand("LlmLsp: a private, local AI pair-programmer for any LSP editor.")
        {
        };
        return root.Parse(args).Invoke();
    }
}
