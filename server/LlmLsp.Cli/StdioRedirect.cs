using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LlmLsp.Cli;

/// <summary>Makes stdout protocol-only. Console.Out is pointed at stderr, and on Unix file descriptor 1 itself is
/// duplicated for the protocol and then replaced by stderr, so stray writes from native code (llama.cpp logs,
/// printf) land on stderr too instead of corrupting the LSP stream.</summary>
internal static partial class StdioRedirect
{
    public static Stream TakeStdoutForProtocol()
    {
        Console.SetOut(Console.Error);
        if (OperatingSystem.IsWindows())
        {
            return Console.OpenStandardOutput();
        }

        int protocolFd = Dup(1);
        if (protocolFd < 0 || Dup2(2, 1) < 0)
        {
            return Console.OpenStandardOutput();
        }

        return new FileStream(new SafeFileHandle(protocolFd, ownsHandle: true), FileAccess.Write, bufferSize: 0);
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int oldFd, int newFd);
}
