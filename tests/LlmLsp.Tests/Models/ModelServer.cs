using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace LlmLsp.Tests.Models;

/// <summary>How the test server misbehaves for one file.</summary>
public sealed record ServeOptions
{
    /// <summary>Answer with this status and no body instead of the file.</summary>
    public int? Status { get; init; }

    /// <summary>Send the whole file with 200 even when asked for a range.</summary>
    public bool IgnoreRange { get; init; }

    /// <summary>For the first <see cref="DropTimes"/> requests, close the connection after this many body bytes.</summary>
    public int? DropAfterBytes { get; init; }

    public int DropTimes { get; init; } = 1;

    /// <summary>Send this many body bytes, then go silent until the server is disposed.</summary>
    public int? StallAfterBytes { get; init; }
}

/// <summary>One request as the server saw it.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Range);

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener) serving files from memory, with range support and scripted
/// failures. Records every request so tests can assert what the client asked for, and that it asked nothing.
/// </summary>
public sealed class ModelServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<string, (byte[] Content, ServeOptions Options)> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _dropsDone = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public ModelServer()
    {
        (_listener, BaseUrl) = Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public Uri BaseUrl { get; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Serves <paramref name="content"/> at <paramref name="path"/> and returns its full URL.</summary>
    public Uri Serve(string path, byte[] content, ServeOptions? options = null)
    {
        _files[path] = (content, options ?? new ServeOptions());
        return new Uri(BaseUrl, path);
    }

    public void ClearRequests() => _requests.Clear();

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stopping.Dispose();
    }

    private static (HttpListener, Uri) Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, new Uri($"http://127.0.0.1:{port}"));
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Url!.AbsolutePath;
        _requests.Enqueue(new RecordedRequest(request.HttpMethod, path, request.Headers["Range"]));
        try
        {
            if (!_files.TryGetValue(path, out var file))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }
            var (content, options) = file;
            if (options.Status is { } status)
            {
                response.StatusCode = status;
                response.Close();
                return;
            }
            long start = 0;
            if (!options.IgnoreRange && request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
            {
                start = long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
                if (start >= content.Length)
                {
                    response.StatusCode = 416;
                    response.Headers["Content-Range"] = $"bytes */{content.Length}";
                    response.Close();
                    return;
                }
                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {start}-{content.Length - 1}/{content.Length}";
            }
            response.ContentType = "application/octet-stream";
            response.ContentLength64 = content.Length - start;
            var body = content.AsMemory((int)start);
            var output = response.OutputStream;

            if (options.DropAfterBytes is { } drop && _dropsDone.AddOrUpdate(path, 1, (_, n) => n + 1) <= options.DropTimes)
            {
                await output.WriteAsync(body[..Math.Min(drop, body.Length)]);
                await output.FlushAsync();
                response.Abort();
                return;
            }
            if (options.StallAfterBytes is { } stall)
            {
                await output.WriteAsync(body[..Math.Min(stall, body.Length)]);
                await output.FlushAsync();
                try
                {
                    await Task.Delay(Timeout.Infinite, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                }
                response.Abort();
                return;
            }
            await output.WriteAsync(body);
            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away (a test cancelled it): nothing to do.
        }
    }
}
