using System.Diagnostics;
using LlmLsp.Engine;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Bench;

/// <summary>Where benchmark artefacts live (never inside the repository) and how a benchmark model is made:
/// F16 random weights written by <see cref="BenchModelWriter"/>, then llama.cpp's own quantiser.</summary>
public static class BenchModels
{
    /// <summary>The llama.cpp release our pinned libraries were built from ships inside this npm package.</summary>
    public const string NodeLlamaCppVersion = "3.22.1";

    /// <summary>$LLMLSP_BENCH_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/llmlsp-bench (bench/engine.sh uses the same).</summary>
    public static string CacheDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("LLMLSP_BENCH_CACHE") is { Length: > 0 } explicitDir)
            {
                return explicitDir;
            }
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            return Path.Combine(root, "llmlsp-bench");
        }
    }

    public static string DefaultModelPath(BenchModelShape shape, ModelFileType type)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Path.Combine(CacheDirectory, "models", $"{shape.Name}-{type.ToString().ToLowerInvariant()}.gguf");
    }

    public static ModelFileType ParseFileType(string text) => text.ToLowerInvariant() switch
    {
        "f16" => ModelFileType.F16,
        "q8_0" => ModelFileType.Q8_0,
        "q4_k_m" => ModelFileType.Q4_K_M,
        _ => throw new LlmLspException(ErrorKind.InvalidInput, $"Unknown quantisation '{text}': use f16, q8_0 or q4_k_m."),
    };

    /// <summary>Writes the model to <paramref name="output"/> (atomically). <paramref name="tokenizerGguf"/> is the
    /// GGUF whose tokenizer is copied (for real shapes, llama.cpp's models/ggml-vocab-*.gguf).</summary>
    public static void Make(BenchModelShape shape, ModelFileType type, string tokenizerGguf, string output, int threads,
        ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(logger);
        output = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var stopwatch = Stopwatch.StartNew();
        var f16 = type == ModelFileType.F16 ? output : output + $".{Environment.ProcessId}.f16.tmp";
        try
        {
            BenchModelWriter.Build(shape, tokenizerGguf).WriteFile(f16, cancellationToken);
            LogStep(logger, "wrote F16", f16, stopwatch.ElapsedMilliseconds);
            if (type != ModelFileType.F16)
            {
                var quantized = output + $".{Environment.ProcessId}.tmp";
                ModelQuantizer.Quantize(f16, quantized, type, threads, logger);
                File.Move(quantized, output, overwrite: true);
                LogStep(logger, $"quantised to {type}", output, stopwatch.ElapsedMilliseconds);
            }
        }
        finally
        {
            if (f16 != output && File.Exists(f16))
            {
                File.Delete(f16);
            }
        }
    }

    /// <summary>The llama.cpp source folder: <paramref name="explicitDir"/>, else the cache's llama-src, fetched
    /// with `npm pack` + `git clone` of the bundled release when missing (bench-only; needs npm and git).</summary>
    public static string LocateLlamaSource(string? explicitDir, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (explicitDir is not null)
        {
            return File.Exists(Path.Combine(explicitDir, "include", "llama.h"))
                ? explicitDir
                : throw new LlmLspException(ErrorKind.InvalidInput, $"{explicitDir} is not a llama.cpp source folder (no include/llama.h).");
        }
        var source = Path.Combine(CacheDirectory, "llama-src");
        if (File.Exists(Path.Combine(source, "include", "llama.h")))
        {
            return source;
        }
        var download = Path.Combine(CacheDirectory, "dl");
        Directory.CreateDirectory(download);
        LogStep(logger, "fetching llama.cpp source (npm pack node-llama-cpp)", source, 0);
        Run("npm", ["pack", $"node-llama-cpp@{NodeLlamaCppVersion}", "--silent"], download);
        Run("tar", ["xzf", $"node-llama-cpp-{NodeLlamaCppVersion}.tgz", "package/llama/gitRelease.bundle"], download);
        var staging = source + ".tmp";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
        Run("git", ["clone", "--quiet", Path.Combine(download, "package", "llama", "gitRelease.bundle"), staging], download);
        Directory.Move(staging, source);
        return source;
    }

    private static void Run(string program, string[] arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new LlmLspException(ErrorKind.Download, $"Could not start {program}.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new LlmLspException(ErrorKind.Download, $"{program} is needed to fetch the llama.cpp source: {ex.Message}");
        }
        using (process)
        {
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new LlmLspException(ErrorKind.Download, $"{program} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}.");
            }
        }
    }

    private static void LogStep(ILogger logger, string step, string path, long elapsedMs)
        => logger.LogInformation("bench model: {Step} {Path} ({ElapsedMs} ms)", step, path, elapsedMs);
}
