using System.Net;
using System.Text;

namespace LlmLsp.Tests.Remote;

/// <summary>A loopback HTTP server that answers every request with what a test asks for: an error status, a malformed
/// body, a stream that stalls, a redirect. For the faults a healthy llama-server cannot produce; it records what it was sent.</summary>
public sealed class FaultyServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, Task> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FaultyServer(Func<HttpListenerContext, Task> answer)
    {
        _answer = answer;
        var port = LlamaServer.FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    /// <summary>"METHOD path" of every request, and its Authorization header.</summary>
    public List<(string Request, string? Authorization)> Received { get; } = [];

    public static async Task WriteAsync(HttpListenerContext context, int status, string body, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            lock (Received)
            {
                Received.Add(($"{context.Request.HttpMethod} {context.Request.Url!.AbsolutePath}", context.Request.Headers["Authorization"]));
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await _answer(context);
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
                {
                    // The client went away (a test cancelled or timed out): nothing to answer.
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }
}
