using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LlmLsp.Tests.Remote;

/// <summary>
/// A real llama-server (built from the llama.cpp sources of the release we pin, against the same prebuilt libraries:
/// <c>native/llama-server.sh</c>, which <c>.ci/run</c> runs first) serving a fixture model on a free loopback port.
/// <see cref="Unavailable"/> is set only when CI could not build it and said so; otherwise a missing binary fails the test.
/// </summary>
public sealed class LlamaServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private LlamaServer(Process process, Uri url)
    {
        _process = process;
        Url = url;
        _stderr = Task.Run(async () =>
        {
            var text = await process.StandardError.ReadToEndAsync();
            return text.Length > 4000 ? text[^4000..] : text;
        });
        _ = process.StandardOutput.ReadToEndAsync();
    }

    public Uri Url { get; }

    /// <summary>Why there is no llama-server here (CI could not build it), or null when there must be one.</summary>
    public static string? Unavailable => Environment.GetEnvironmentVariable("LLMLSP_LLAMA_SERVER_UNAVAILABLE") is { Length: > 0 } why ? why : null;

    public static string Executable()
    {
        var configured = Environment.GetEnvironmentVariable("LLMLSP_LLAMA_SERVER");
        var cache = Environment.GetEnvironmentVariable("LLMLSP_TOOLS_CACHE") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "llmlsp-tools");
        var path = configured is { Length: > 0 } ? configured : Path.Combine(cache, "llama-server-3.22.1", "llama-server");
        return File.Exists(path) ? path : throw new InvalidOperationException(
            $"llama-server not found at {path}: build it with `bash native/llama-server.sh` (`.ci/run` does) or set LLMLSP_LLAMA_SERVER.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts llama-server on <paramref name="model"/> (alias <c>fixture</c>, 2 threads, metrics on) and waits until
    /// /health says it is ready.</summary>
    public static async Task<LlamaServer> StartAsync(string model, params string[] arguments)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Executable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Slot debugging keeps the last prompt readable at /slots, so tests can see what reached the model.
        start.Environment["LLAMA_SERVER_SLOTS_DEBUG"] = "1";
        foreach (var argument in new[] { "-m", model, "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--alias", "fixture", "-t", "2", "-c", "2048", "-np", "1", "--metrics", "--no-webui" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        var server = new LlamaServer(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (server._process.HasExited)
            {
                throw new InvalidOperationException($"llama-server exited with {server._process.ExitCode}: {await server._stderr}");
            }
            try
            {
                using var health = await http.GetAsync(new Uri(server.Url, "/health"));
                if (health.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        await server.DisposeAsync();
        throw new TimeoutException("llama-server did not become ready in 60 s.");
    }

    /// <summary>A Prometheus counter from /metrics (e.g. <c>llamacpp:tokens_predicted_total</c>).</summary>
    public async Task<double> MetricAsync(string name)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(Url, "/metrics"));
        var line = text.Split('\n').First(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether a slot is generating now (/slots).</summary>
    public async Task<bool> BusyAsync()
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(Url, "/slots"));
        return text.Contains("\"is_processing\":true", StringComparison.Ordinal);
    }

    /// <summary>The prompt of the slot's last task, as the model saw it (detokenized).</summary>
    public async Task<string> LastPromptAsync()
    {
        using var http = new HttpClient();
        using var slots = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(Url, "/slots")));
        return slots.RootElement[0].TryGetProperty("prompt", out var prompt) ? prompt.GetString() ?? "" : "";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
