using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Engine.Native;

/// <summary>Routes llama.cpp and ggml log output to an <see cref="ILogger"/>, so native printf never reaches
/// stdout (which carries LSP frames in `serve`). The native callback is process-wide, so the sink is too:
/// this is the one piece of static mutable state in the engine, set once by the loader.</summary>
internal static unsafe class NativeLog
{
    private static ILogger? s_logger;
    private static readonly Lock s_lineLock = new();
    private static readonly StringBuilder s_pendingLine = new();

    // Errors llama.cpp reports on the calling thread while a capture is open (model load runs synchronously
    // there), so the exception can quote llama.cpp's own reason.
    [ThreadStatic]
    private static List<string>? t_capturedErrors;

    /// <summary>Collects llama.cpp's error lines logged on this thread until disposed.</summary>
    public static ErrorCapture CaptureErrors() => new();

    internal sealed class ErrorCapture : IDisposable
    {
        private readonly List<string>? _previous = t_capturedErrors;

        public ErrorCapture() => t_capturedErrors = [];

        public IReadOnlyList<string> Errors => t_capturedErrors ?? [];

        public void Dispose() => t_capturedErrors = _previous;
    }

    public static void Route(ILogger logger)
    {
        Volatile.Write(ref s_logger, logger);
        Interop.Llama.llama_log_set(&OnNativeLog, null);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnNativeLog(int level, byte* text, void* userData)
    {
        try
        {
            var logger = Volatile.Read(ref s_logger);
            if (logger is null || text is null)
            {
                return;
            }
            var piece = Marshal.PtrToStringUTF8((nint)text) ?? "";
            string line;
            lock (s_lineLock)
            {
                // ggml writes some lines in several calls (level CONT); join them so each log entry is one line.
                s_pendingLine.Append(piece);
                if (!piece.EndsWith('\n'))
                {
                    return;
                }
                line = s_pendingLine.ToString().TrimEnd();
                s_pendingLine.Clear();
            }
            if (level == 4 && line.Length > 0)
            {
                t_capturedErrors?.Add(line);
            }
            if (line.Length > 0)
            {
                logger.Log(ToLogLevel(level), "llama.cpp: {Line}", line);
            }
        }
        catch (Exception)
        {
            // An exception must never unwind into native code.
        }
    }

    private static LogLevel ToLogLevel(int ggmlLevel) => ggmlLevel switch
    {
        3 => LogLevel.Warning,
        4 => LogLevel.Error,
        // llama.cpp reports every tensor and parameter at INFO while loading: that is debug detail for us.
        _ => LogLevel.Debug,
    };
}
