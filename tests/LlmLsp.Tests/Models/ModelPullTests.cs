using LlmLsp.Engine;
using LlmLsp.Models;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.Models;

/// <summary>Pulls against a real HTTP server on 127.0.0.1 serving a real (tiny) GGUF model.</summary>
public sealed class ModelPullTests : IDisposable
{
    private const string Name = "tiny-chat";
    private readonly ModelServer _server = new();
    private readonly ModelTestHome _home = new();
    private readonly byte[] _model = File.ReadAllBytes(TinyModels.Decoder());

    public void Dispose()
    {
        _server.Dispose();
        _home.Dispose();
    }

    private Uri ServeModel(ServeOptions? options = null, string? sha256 = null, long? sizeBytes = null)
    {
        var url = _server.Serve("/org/repo/resolve/main/tiny.gguf", _model, options);
        _home.WriteCatalogue(new CatalogueLine(Name, url.AbsoluteUri, sha256 ?? ModelTestHome.Sha256(_model), sizeBytes));
        return url;
    }

    [Fact]
    public async Task Pull_downloads_verifies_and_the_chosen_model_loads_in_the_engine()
    {
        ServeModel(sizeBytes: _model.Length);
        using var manager = _home.Manager();
        var reports = new List<DownloadProgress>();

        var status = await manager.PullAsync(Name, new SyncProgress(reports.Add), CancellationToken.None);

        Assert.Equal(ModelState.Verified, status.State);
        Assert.Equal(_model, await File.ReadAllBytesAsync(status.Path));
        Assert.False(File.Exists(status.Path + ".partial"));
        Assert.Contains(reports, r => r.Phase == DownloadPhase.Verifying);
        Assert.Equal(DownloadPhase.Completed, reports[^1].Phase);
        Assert.Equal(_model.Length, reports[^1].BytesReceived);
        Assert.Single(_server.Requests);

        manager.Use(Name, null);
        var resolved = manager.Resolve(ModelRole.Chat);
        Assert.Equal(status.Path, resolved.Path);
        Assert.Equal(ModelResolution.Configured, resolved.Reason);
        using var engine = LlamaEngine.Load(new EngineOptions { ModelPath = resolved.Path, ContextSize = 256 });
        Assert.Equal("llama", engine.Model.Architecture);
    }

    [Fact]
    public async Task Pulling_a_verified_model_again_makes_no_request()
    {
        ServeModel();
        using var manager = _home.Manager();
        await manager.PullAsync(Name, null, CancellationToken.None);
        _server.ClearRequests();

        var status = await manager.PullAsync(Name, null, CancellationToken.None);

        Assert.Equal(ModelState.Verified, status.State);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_wrong_hash_is_rejected_and_no_file_remains()
    {
        ServeModel(sha256: new string('0', 64));
        using var manager = _home.Manager();

        var error = await Assert.ThrowsAsync<LlmLspException>(() => manager.PullAsync(Name, null, CancellationToken.None));

        Assert.Equal(ErrorKind.Download, error.Kind);
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Contains(ModelTestHome.Sha256(_model), error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_home.Directories.ModelsDirectory));
        Assert.Equal(ModelState.Absent, (await manager.ListAsync(CancellationToken.None)).Single(m => m.Name == Name).State);
    }

    [Fact]
    public async Task A_file_that_is_not_gguf_is_rejected_even_when_the_hash_matches()
    {
        var notAModel = new byte[4096];
        var url = _server.Serve("/x/not-a-model.gguf", notAModel);
        _home.WriteCatalogue(new CatalogueLine(Name, url.AbsoluteUri, ModelTestHome.Sha256(notAModel)));
        using var manager = _home.Manager();

        var error = await Assert.ThrowsAsync<LlmLspException>(() => manager.PullAsync(Name, null, CancellationToken.None));

        Assert.Equal(ErrorKind.InvalidModel, error.Kind);
        Assert.Empty(Directory.GetFiles(_home.Directories.ModelsDirectory));
    }

    [Fact]
    public async Task A_dropped_connection_resumes_with_a_range_request_and_verifies()
    {
        const int dropAt = 100_000;
        ServeModel(new ServeOptions { DropAfterBytes = dropAt });
        using var manager = _home.Manager();

        var status = await manager.PullAsync(Name, null, CancellationToken.None);

        Assert.Equal(ModelState.Verified, status.State);
        Assert.Equal(_model, await File.ReadAllBytesAsync(status.Path));
        Assert.Collection(_server.Requests,
            first => Assert.Null(first.Range),
            second => Assert.Equal($"bytes={dropAt}-", second.Range));
    }

    [Fact]
    public async Task A_server_that_keeps_dropping_without_progress_fails_and_keeps_the_partial_file()
    {
        ServeModel(new ServeOptions { DropAfterBytes = 50_000, DropTimes = 1000 });
        using var manager = _home.Manager(ModelTestHome.FastOptions with { MaxResumes = 2 });

        var error = await Assert.ThrowsAsync<LlmLspException>(() => manager.PullAsync(Name, null, CancellationToken.None));

        Assert.Equal(ErrorKind.Download, error.Kind);
        Assert.Contains("resume", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal(150_000, new FileInfo(_home.ModelPath(Name) + ".partial").Length);
        Assert.Equal(ModelState.Partial, (await manager.ListAsync(CancellationToken.None)).Single(m => m.Name == Name).State);
    }

    [Fact]
    public async Task A_server_that_ignores_range_restarts_from_the_beginning_cleanly()
    {
        ServeModel(new ServeOptions { IgnoreRange = true });
        Directory.CreateDirectory(_home.Directories.ModelsDirectory);
        // A partial file whose bytes are wrong: if the client appended the full body to it, the hash would fail.
        await File.WriteAllBytesAsync(_home.ModelPath(Name) + ".partial", new byte[70_000]);
        using var manager = _home.Manager();

        var status = await manager.PullAsync(Name, null, CancellationToken.None);

        Assert.Equal(ModelState.Verified, status.State);
        Assert.Equal("bytes=70000-", Assert.Single(_server.Requests).Range);
    }

    [Fact]
    public async Task Cancelling_keeps_the_partial_file_and_the_next_pull_resumes_it()
    {
        const int stallAt = 120_000;
        ServeModel(new ServeOptions { StallAfterBytes = stallAt });
        using var cancel = new CancellationTokenSource();
        using (var manager = _home.Manager())
        {
            var progress = new SyncProgress(p =>
            {
                if (p.BytesReceived >= stallAt)
                {
                    cancel.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => manager.PullAsync(Name, progress, cancel.Token));
            Assert.Equal(stallAt, new FileInfo(_home.ModelPath(Name) + ".partial").Length);
            Assert.False(File.Exists(_home.ModelPath(Name)));
        }

        ServeModel();
        using var again = _home.Manager();
        var status = await again.PullAsync(Name, null, CancellationToken.None);

        Assert.Equal(ModelState.Verified, status.State);
        Assert.Equal(_model, await File.ReadAllBytesAsync(status.Path));
        Assert.Equal($"bytes={stallAt}-", _server.Requests[^1].Range);
    }

    [Fact]
    public async Task A_stalled_server_is_cut_off_by_the_stall_timeout()
    {
        ServeModel(new ServeOptions { StallAfterBytes = 10_000 });
        using var manager = _home.Manager(ModelTestHome.FastOptions with { StallTimeout = TimeSpan.FromMilliseconds(500) });
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<LlmLspException>(() => manager.PullAsync(Name, null, CancellationToken.None));

        Assert.Equal(ErrorKind.Download, error.Kind);
        Assert.Contains("stalled", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.5 s", error.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Equal(10_000, new FileInfo(_home.ModelPath(Name) + ".partial").Length);
    }

    [Theory]
    [InlineData(404, "was not found")]
    [InlineData(500, "usually temporary")]
    [InlineData(403, "gated or private")]
    public async Task Http_errors_give_clear_messages_and_leave_nothing_behind(int status, string expected)
    {
        ServeModel(new ServeOptions { Status = status });
        using var manager = _home.Manager();

        var error = await Assert.ThrowsAsync<LlmLspException>(() => manager.PullAsync(Name, null, CancellationToken.None));

        Assert.Equal(ErrorKind.Download, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains($"HTTP {status}", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_home.ModelPath(Name)));
    }

    [Fact]
    public async Task A_refused_connection_is_a_clear_error()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        _home.WriteCatalogue(new CatalogueLine(Name, $"http://127.0.0.1:{port}/x.gguf"));
        using var manager = _home.Manager();

        var error = await Assert.ThrowsAsync<LlmLspException>(() => manager.PullAsync(Name, null, CancellationToken.None));

        Assert.Equal(ErrorKind.Download, error.Kind);
        Assert.Contains("did not answer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_enough_disk_space_fails_before_any_request()
    {
        // Declares more than any disk holds; the check uses the real free space of the models folder's filesystem.
        ServeModel(sizeBytes: long.MaxValue / 2);
        using var manager = _home.Manager();

        var error = await Assert.ThrowsAsync<LlmLspException>(() => manager.PullAsync(Name, null, CancellationToken.None));

        Assert.Equal(ErrorKind.Download, error.Kind);
        Assert.Matches("needs .* more, but only .* is free", error.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task The_mirror_replaces_the_hugging_face_origin()
    {
        _server.Serve("/org/repo/resolve/main/tiny.gguf", _model);
        _home.WriteCatalogue(new CatalogueLine(Name, "hf:org/repo/tiny.gguf", ModelTestHome.Sha256(_model)));
        using var manager = _home.Manager(ModelTestHome.FastOptions with { Mirror = _server.BaseUrl });

        var listed = (await manager.ListAsync(CancellationToken.None)).Single(m => m.Name == Name);
        Assert.Equal("https://huggingface.co/org/repo/resolve/main/tiny.gguf", listed.Entry.Url.AbsoluteUri);
        Assert.Equal(new Uri(_server.BaseUrl, "/org/repo/resolve/main/tiny.gguf"), listed.DownloadUrl);

        var status = await manager.PullAsync(Name, null, CancellationToken.None);

        Assert.Equal(ModelState.Verified, status.State);
        Assert.Equal("/org/repo/resolve/main/tiny.gguf", Assert.Single(_server.Requests).Path);
    }

    [Fact]
    public async Task A_downloaded_default_model_is_used_without_configuration()
    {
        // A user entry may replace a built-in one; here the catalogue default for chat points at the test server.
        var url = _server.Serve("/tiny.gguf", _model);
        _home.WriteCatalogue(new CatalogueLine("qwen2.5-coder-1.5b-instruct", url.AbsoluteUri, ModelTestHome.Sha256(_model)));
        using var manager = _home.Manager();
        Assert.Null(manager.TryResolve(ModelRole.Chat));

        await manager.PullAsync("qwen2.5-coder-1.5b-instruct", null, CancellationToken.None);

        var resolved = manager.Resolve(ModelRole.Chat);
        Assert.Equal(ModelResolution.CatalogueDefault, resolved.Reason);
        Assert.Equal(_home.ModelPath("qwen2.5-coder-1.5b-instruct"), resolved.Path);
        // Nothing downloaded for embedding: the built-in model, which needs no download.
        var embedding = manager.Resolve(ModelRole.Embedding);
        Assert.Equal(ModelResolution.Builtin, embedding.Reason);
        Assert.Equal(LlmLsp.Models.Builtin.BuiltinEmbedder.ModelId(LlmLsp.Engine.ModelFileType.Q8_0), embedding.Name);
    }

    [Fact]
    public async Task Verify_detects_a_changed_file_and_the_next_pull_replaces_it()
    {
        ServeModel();
        using var manager = _home.Manager();
        var status = await manager.PullAsync(Name, null, CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(status.Path);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(status.Path, bytes);

        var result = Assert.Single(await manager.VerifyAsync(null, CancellationToken.None));
        Assert.False(result.Matches);
        Assert.Equal(ModelState.Downloaded, (await manager.ListAsync(CancellationToken.None)).Single(m => m.Name == Name).State);

        _server.ClearRequests();
        var replaced = await manager.PullAsync(Name, null, CancellationToken.None);
        Assert.Equal(ModelState.Verified, replaced.State);
        Assert.Equal(_model, await File.ReadAllBytesAsync(replaced.Path));
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Remove_deletes_the_file_and_the_state_becomes_absent()
    {
        ServeModel();
        using var manager = _home.Manager();
        await manager.PullAsync(Name, null, CancellationToken.None);

        Assert.True(await manager.RemoveAsync(Name, CancellationToken.None));
        Assert.False(await manager.RemoveAsync(Name, CancellationToken.None));
        Assert.Equal(ModelState.Absent, (await manager.ListAsync(CancellationToken.None)).Single(m => m.Name == Name).State);
        Assert.Empty(Directory.GetFiles(_home.Directories.ModelsDirectory));
    }

    [Fact]
    public async Task Two_pulls_of_one_model_at_once_do_not_interleave()
    {
        ServeModel(new ServeOptions { StallAfterBytes = 20_000 });
        using var first = _home.Manager();
        using var second = _home.Manager();
        using var cancel = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var firstPull = first.PullAsync(Name, new SyncProgress(p =>
        {
            if (p.BytesReceived > 0)
            {
                started.TrySetResult();
            }
        }), cancel.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<LlmLspException>(() => second.PullAsync(Name, null, CancellationToken.None));

        Assert.Equal(ErrorKind.Busy, error.Kind);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstPull);
    }
}

/// <summary>Reports synchronously, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress(Action<DownloadProgress> onReport) : IProgress<DownloadProgress>
{
    public void Report(DownloadProgress value) => onReport(value);
}
