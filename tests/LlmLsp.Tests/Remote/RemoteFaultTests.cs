using System.Net;
using LlmLsp.Features.Chat;
using LlmLsp.Features.Docs;
using LlmLsp.Models;
using LlmLsp.Options;
using LlmLsp.Remote;
using Microsoft.Extensions.AI;

namespace LlmLsp.Tests.Remote;

/// <summary>What a broken or hostile server does, and what the user is told: server errors, malformed answers, stalls,
/// redirects, a server that echoes the key. <see cref="FaultyServer"/> plays the server; nothing else is faked.</summary>
public sealed class RemoteFaultTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private const string Key = "sk-fault-test-1234567";

    private static RemoteServer Server(Uri url, int timeoutMs = 30_000, string? model = null) =>
        new(RemoteEndpoint.From(new RemoteEndpointOptions { Url = url.ToString(), ApiKey = Key, Model = model, TimeoutMs = timeoutMs }, "chat"));

    private static async Task<string> ChatAsync(RemoteServer server, CancellationToken cancellationToken)
    {
        var feature = new ChatFeature(ChatModel.FromRemote(server, 4096));
        var text = "";
        await foreach (var update in feature.ChatAsync(new ChatRequest([new ChatTurn("user", "hi")]), cancellationToken))
        {
            text += update.Delta;
        }
        return text;
    }

    [Fact]
    public async Task A_server_error_names_the_server_the_status_and_its_message()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        await using var faulty = new FaultyServer(c => FaultyServer.WriteAsync(c, 500, """{"error":{"message":"out of memory while loading","type":"server_error"}}"""));
        using var server = Server(faulty.Url);

        var error = await Assert.ThrowsAsync<LlmLspException>(() => ChatAsync(server, timeout.Token));

        Assert.Equal(ErrorKind.Backend, error.Kind);
        Assert.Contains($"the chat server at {faulty.Url.ToString().TrimEnd('/')} failed on /v1/chat/completions (500 InternalServerError): out of memory while loading",
            error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_stream_is_reported_not_thrown_as_a_parser_error()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        await using var faulty = new FaultyServer(c => FaultyServer.WriteAsync(c, 200, "data: {\"choices\": [{\"delta\": {\"content\": \"he\"\n\ndata: not json at all\n\n", "text/event-stream"));
        using var server = Server(faulty.Url);

        var error = await Assert.ThrowsAsync<LlmLspException>(() => ChatAsync(server, timeout.Token));

        Assert.Equal(ErrorKind.Backend, error.Kind);
        Assert.Contains("answered /v1/chat/completions with something that is not the expected JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_stalls_is_stopped_after_the_timeout()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var release = new CancellationTokenSource();
        await using var faulty = new FaultyServer(async c =>
        {
            c.Response.StatusCode = 200;
            c.Response.ContentType = "text/event-stream";
            c.Response.SendChunked = true;
            var first = "data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\n\n"u8.ToArray();
            await c.Response.OutputStream.WriteAsync(first);
            await c.Response.OutputStream.FlushAsync();
            await Task.Delay(Timeout.Infinite, release.Token).ContinueWith(_ => { });
            c.Response.Abort();
        });
        using var server = Server(faulty.Url, timeoutMs: 700);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<LlmLspException>(() => ChatAsync(server, timeout.Token));
        await release.CancelAsync();

        Assert.Contains("sent nothing for 0.7 s (/v1/chat/completions)", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_redirect_is_not_followed_so_the_request_goes_to_the_configured_host_only()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        await using var elsewhere = new FaultyServer(c => FaultyServer.WriteAsync(c, 200, "{}"));
        await using var redirecting = new FaultyServer(c =>
        {
            c.Response.Redirect(new Uri(elsewhere.Url, "v1/chat/completions").ToString());
            c.Response.StatusCode = 307;
            c.Response.Close();
            return Task.CompletedTask;
        });
        using var server = Server(redirecting.Url);

        var error = await Assert.ThrowsAsync<LlmLspException>(() => ChatAsync(server, timeout.Token));

        Assert.Contains("rejected /v1/chat/completions (307 ", error.Message, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Received);
        Assert.All(redirecting.Received, r => Assert.Equal($"Bearer {Key}", r.Authorization));
    }

    [Fact]
    public async Task A_server_that_echoes_the_key_does_not_get_it_into_the_message()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        await using var faulty = new FaultyServer(c => FaultyServer.WriteAsync(c, 401,
            "{\"error\":{\"message\":\"Incorrect API key provided: " + c.Request.Headers["Authorization"] + "\"}}"));
        using var server = Server(faulty.Url);

        var error = await Assert.ThrowsAsync<LlmLspException>(() => ChatAsync(server, timeout.Token));

        Assert.Contains("refused the API key (401 Unauthorized)", error.Message, StringComparison.Ordinal);
        Assert.Contains("[api key]", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_the_server_does_not_know_is_named_in_the_message()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        // vLLM and OpenAI answer an unknown model with 404 and say so.
        await using var faulty = new FaultyServer(c => c.Request.Url!.AbsolutePath == "/v1/models"
            ? FaultyServer.WriteAsync(c, 404, "{}")
            : FaultyServer.WriteAsync(c, 404, """{"error":{"message":"The model `llama-9000` does not exist."}}"""));
        using var server = Server(faulty.Url, model: "llama-9000");

        var error = await Assert.ThrowsAsync<LlmLspException>(() => ChatAsync(server, timeout.Token));

        Assert.Contains("does not serve the model \"llama-9000\" (404 NotFound); check backend.model: The model `llama-9000` does not exist.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embeddings_and_completion_fail_with_the_same_kind_of_message()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        await using var faulty = new FaultyServer(c => FaultyServer.WriteAsync(c, 503, """{"error":"loading model"}"""));
        using var server = Server(faulty.Url);

        var embed = await Assert.ThrowsAsync<LlmLspException>(() => server.EmbeddingGenerator.GenerateAsync(["x"], cancellationToken: timeout.Token));
        var infill = await Assert.ThrowsAsync<LlmLspException>(async () =>
        {
            await foreach (var _ in server.Infill.StreamAsync(new InfillInput("a", "b", "c", [], 4, 1000), timeout.Token))
            {
            }
        });

        Assert.Contains("failed on /v1/embeddings (503 ServiceUnavailable): loading model", embed.Message, StringComparison.Ordinal);
        Assert.Contains("failed on /infill (503 ServiceUnavailable): loading model", infill.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://10.1.2.3:8080", false, "plain http:// to 10.1.2.3")]
    [InlineData("http://gpu-box.lan:8000/v1", false, "plain http:// to gpu-box.lan")]
    [InlineData("ftp://127.0.0.1", false, "must be an http:// or https:// address")]
    [InlineData("http://user:secret@127.0.0.1:8080", false, "must not contain a user name or password")]
    [InlineData("not a url", false, "must be an http:// or https:// address")]
    public void Unsafe_or_invalid_addresses_are_refused_with_the_setting_named(string url, bool allowHttp, string expected)
    {
        var error = Assert.Throws<LlmLspException>(() => RemoteEndpoint.From(new RemoteEndpointOptions { Url = url, AllowInsecureHttp = allowHttp, ApiKey = Key }, "chat"));

        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("backend.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", false, "http://127.0.0.1:8080")]
    [InlineData("http://localhost:11434/v1", false, "http://localhost:11434")]
    [InlineData("http://[::1]:8080/v1/", false, "http://[::1]:8080")]
    [InlineData("https://models.example.com/team/v1", false, "https://models.example.com/team")]
    [InlineData("http://10.1.2.3:8080", true, "http://10.1.2.3:8080")]
    public void Loopback_https_and_opted_in_http_are_accepted(string url, bool allowHttp, string root)
    {
        var endpoint = RemoteEndpoint.From(new RemoteEndpointOptions { Url = url, AllowInsecureHttp = allowHttp, ApiKey = Key }, "chat");

        Assert.Equal(root, endpoint.Display);
        Assert.Equal(root + "/v1/models", endpoint.Resolve("v1/models").ToString());
        Assert.DoesNotContain(Key, endpoint.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, endpoint.Options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Backend_settings_load_per_role_and_for_all_and_bad_values_are_named()
    {
        var (options, problems) = OptionsLoader.Load(new Dictionary<string, object?>
        {
            ["backend.url"] = "http://127.0.0.1:8080",
            ["backend.apiKey"] = Key,
            ["backend.embedding.url"] = "http://127.0.0.1:8081",
            ["backend.embedding.model"] = "nomic",
            ["backend.completion.completionApi"] = "sideways",
            ["backend.timeoutMs"] = 5L,
        });

        Assert.Equal("http://127.0.0.1:8080", options.Backend.For(ModelRole.Chat)!.Url);
        Assert.Equal("http://127.0.0.1:8080", options.Backend.For(ModelRole.Completion)!.Url);
        Assert.Equal("nomic", options.Backend.For(ModelRole.Embedding)!.Model);
        Assert.Equal(Key, options.Backend.For(ModelRole.Chat)!.ApiKey);
        Assert.Contains(problems, p => p.Setting == "llmlsp.backend.completion.completionApi" && p.Message.Contains("\"auto\", \"infill\", \"completions\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Setting == "llmlsp.backend.timeoutMs");
        Assert.Null(LlmLspOptions.Default.Backend.For(ModelRole.Chat)); // local by default
    }
}
