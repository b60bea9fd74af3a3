using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Engine.Native;

/// <summary>What the loader found: where the libraries are and which CPU backend ggml picked.</summary>
public sealed record NativeLibraryInfo(string Directory, string CpuVariant, string GgmlVersion, string GgmlCommit, string SystemInfo);

/// <summary>The only code that knows where the llama.cpp libraries live. Called explicitly at start-up
/// (never from a static constructor, so a failure is an ordinary exception with the whole story):
/// loads the libraries by full path, checks they are the release the bindings were written for, and lets
/// ggml choose the CPU backend variant that suits this CPU.</summary>
public static unsafe partial class NativeLibraryLoader
{
    public const string DirectoryVariable = "LLMLSP_NATIVE_DIR";

    private static readonly Lock s_lock = new();
    // Process-wide by nature: a DllImport resolver can be set once per assembly, and a native library
    // cannot be unloaded safely once llama.cpp threads have run.
    private static NativeLibraryInfo? s_loaded;
    private static readonly Dictionary<string, nint> s_handles = [];

    /// <summary>Loads the libraries from <paramref name="directory"/>, else $LLMLSP_NATIVE_DIR, else the folder
    /// of the running binary. Idempotent; asking for a different folder after a successful load fails.</summary>
    public static NativeLibraryInfo Load(ILogger logger, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var chosen = directory
            ?? (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : AppContext.BaseDirectory);
        var dir = Path.GetFullPath(chosen);
        lock (s_lock)
        {
            if (s_loaded is not null)
            {
                if (!PathsEqual(s_loaded.Directory, dir))
                {
                    throw new LlmLspException(ErrorKind.NativeLibrary,
                        $"llama.cpp is already loaded from {s_loaded.Directory}; it cannot also be loaded from {dir} in the same process.");
                }
                return s_loaded;
            }
            s_loaded = LoadCore(logger, dir);
            return s_loaded;
        }
    }

    private static NativeLibraryInfo LoadCore(ILogger logger, string dir)
    {
        var files = LibraryFiles();
        var failures = new List<string>();
        var handles = new Dictionary<string, nint>();
        foreach (var (name, file) in files)
        {
            var path = Path.Combine(dir, file);
            if (!File.Exists(path))
            {
                failures.Add($"{path}: file not found");
                continue;
            }
            try
            {
                handles[name] = NativeLibrary.Load(path);
            }
            catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
            {
                failures.Add($"{path}: {OsError(ex.Message)}");
            }
        }
        if (failures.Count > 0)
        {
            throw new LlmLspException(ErrorKind.NativeLibrary,
                "Could not load the llama.cpp libraries (" + LlamaAbi.ReleaseTag + "). Tried:" + Environment.NewLine +
                string.Join(Environment.NewLine, failures.Select(f => "  " + f)) + Environment.NewLine +
                $"Build the server (it installs them from native/package.json) or point {DirectoryVariable} at the folder that holds them.");
        }

        var missing = LlamaAbi.RequiredLlamaExports.Where(e => !NativeLibrary.TryGetExport(handles[LlamaAbi.LlamaLibrary], e, out _)).ToList();
        if (missing.Count > 0)
        {
            throw new LlmLspException(ErrorKind.NativeLibrary,
                $"{Path.Combine(dir, files[0].File)} is not the llama.cpp {LlamaAbi.ReleaseTag} these bindings were written for: it lacks {string.Join(", ", missing)}.");
        }

        foreach (var (name, handle) in handles)
        {
            s_handles[name] = handle;
        }
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

        var ggmlVersion = Utf8.Read(Interop.Ggml.ggml_version());
        if (ggmlVersion != LlamaAbi.ExpectedGgmlVersion)
        {
            throw new LlmLspException(ErrorKind.NativeLibrary,
                $"The llama.cpp libraries in {dir} carry ggml {ggmlVersion}, but the bindings were written for ggml {LlamaAbi.ExpectedGgmlVersion} (llama.cpp {LlamaAbi.ReleaseTag}). Reinstall the pinned package (npm ci in native/).");
        }
        AbiSelfTest.Run();

        NativeLog.Route(logger);
        Interop.Llama.llama_backend_init();
        // The CPU backend variants (libggml-cpu-<arch>.so) are found only through an explicit folder: for
        // `dotnet llmlsp.dll` the executable's folder is the dotnet install, not ours.
        Interop.Ggml.ggml_backend_load_all_from_path(dir);
        var cpuVariant = LoadedCpuVariant() ?? "unknown";
        var info = new NativeLibraryInfo(dir, cpuVariant, ggmlVersion, Utf8.Read(Interop.Ggml.ggml_commit()), Utf8.Read(Interop.Llama.llama_print_system_info()));
        LogLoaded(logger, dir, cpuVariant, ggmlVersion);
        foreach (var gpu in LoadedGpuBackends())
        {
            // Present only with a GPU build (e.g. @node-llama-cpp/linux-x64-cuda); used when GpuLayers > 0.
            LogGpuBackend(logger, gpu);
        }
        return info;
    }

    private static (string Name, string File)[] LibraryFiles()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new LlmLspException(ErrorKind.NativeLibrary,
                $"No llama.cpp libraries are pinned for {RuntimeInformation.RuntimeIdentifier} yet; only linux-x64 is supported. Set {DirectoryVariable} to a folder with a llama.cpp {LlamaAbi.ReleaseTag} build to try another platform.");
        }
        // Load order matters: each library's dependencies must already be resolvable from the same folder.
        return
        [
            (LlamaAbi.GgmlBaseLibrary, "libggml-base.so"),
            (LlamaAbi.GgmlLibrary, $"libggml.{LlamaAbi.ReleaseTag}.so"),
            (LlamaAbi.LlamaLibrary, $"libllama.{LlamaAbi.ReleaseTag}.so"),
        ];
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        => s_handles.TryGetValue(libraryName, out var handle) ? handle : 0;

    /// <summary>ggml picks the best libggml-cpu-*.so for this CPU itself; the mapped files tell which one it was.</summary>
    private static string? LoadedCpuVariant()
    {
        const string MapsFile = "/proc/self/maps";
        if (!File.Exists(MapsFile))
        {
            return null;
        }
        foreach (var line in File.ReadLines(MapsFile))
        {
            if (line.EndsWith("/libggml-cpu.so", StringComparison.Ordinal) || line.Contains("/libggml-cpu.so.", StringComparison.Ordinal))
            {
                // A build for one CPU (GGML_NATIVE=ON) has a single, unsuffixed CPU backend.
                return "native";
            }
            var at = line.IndexOf("libggml-cpu-", StringComparison.Ordinal);
            if (at >= 0)
            {
                var name = line[(at + "libggml-cpu-".Length)..];
                return name.EndsWith(".so", StringComparison.Ordinal) ? name[..^3] : name;
            }
        }
        return null;
    }

    /// <summary>GPU backends ggml loaded from the folder (libggml-cuda.so, libggml-vulkan.so, ...).</summary>
    private static IEnumerable<string> LoadedGpuBackends()
    {
        const string MapsFile = "/proc/self/maps";
        if (!File.Exists(MapsFile))
        {
            return [];
        }
        string[] names = ["cuda", "vulkan", "hip", "sycl"];
        var lines = File.ReadAllLines(MapsFile);
        return names.Where(n => lines.Any(l => l.Contains($"/libggml-{n}", StringComparison.Ordinal))).ToList();
    }

    /// <summary>.NET wraps dlerror() in generic advice; the OS's own reason is the last line.</summary>
    private static string OsError(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 1 ? lines[^1] : message;
    }

    private static bool PathsEqual(string a, string b)
        => string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Information, Message = "llama.cpp loaded from {Directory}; ggml chose the CPU backend '{CpuVariant}' (ggml {GgmlVersion})")]
    private static partial void LogLoaded(ILogger logger, string directory, string cpuVariant, string ggmlVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "ggml loaded the GPU backend '{Backend}'; layers are offloaded with --gpu-layers / EngineOptions.GpuLayers")]
    private static partial void LogGpuBackend(ILogger logger, string backend);
}
