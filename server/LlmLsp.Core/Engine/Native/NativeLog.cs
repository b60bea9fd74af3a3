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

    // The abort flag of the context this thread is decoding with (set by SafeLlamaContextHandle around
    // llama_decode/llama_encode): a decode we interrupted on purpose makes llama.cpp log four or five error
    // lines ("failed to compute K-shift", "llama_decode: failed to decode, ret = 2", ...). Those are the
    // expected result of cancelling a completion on every keystroke, not errors, so they go out at Debug;
    // as errors they were mirrored to the editor's window/logMessage on every keystroke.
    [ThreadStatic]
    private static int* t_decodeAbortFlag;

    /// <summary>Marks this thread as decoding with the given abort flag until disposed.</summary>
    public static DecodeScope Decoding(nint abortFlag) => new((int*)abortFlag);

    internal readonly ref struct DecodeScope
    {
        private readonly int* _previous;

        public DecodeScope(int* flag)
        {
            _previous = t_decodeAbortFlag;
            t_decodeAbortFlag = flag;
        }

        public void Dispose() => t_decodeAbortFlag = _previous;
    }

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
            var flag = t_decodeAbortFlag;
            var aborting = flag is not null && Volatile.Read(ref *flag) != 0;
            if (level == 4 && line.Length > 0 && !aborting)
            {
                t_capturedErrors?.Add(line);
            }
            if (line.Length > 0)
            {
                logger.Log(ToLogLevel(level, aborting), "llama.cpp: {Line}", line);
            }
        }
        catch (Exception)
        {
            // An exception must never unwind into native code.
        }
    }

    /// <summary>ggml's level as ours. While an abort we requested is in effect, every line is Debug: the decode
    /// reports the abort itself (status 2), and the lines only describe it.</summary>
    internal static LogLevel ToLogLevel(int ggmlLevel, bool abortRequested = false) => abortRequested ? LogLevel.Debug : ggmlLevel switch
    {
        3 => LogLevel.Warning,
        4 => LogLevel.Error,
        // llama.cpp reports every tensor and parameter at INFO while loading: that is debug detail for us.
        _ => LogLevel.Debug,
    };
}
