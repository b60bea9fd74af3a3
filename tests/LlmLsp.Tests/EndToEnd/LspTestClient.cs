using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace LlmLsp.Tests.EndToEnd;

/// <summary>Drives the real built <c>llmlsp serve</c> (<c>dotnet llmlsp.dll serve</c> from the test output directory)
/// over its pipes. Every byte the server writes to stdout is checked to be part of a well-formed frame
/// (<see cref="FramingViolations"/>); stderr is captured (<see cref="Stderr"/>). Requests the server sends are answered
/// automatically: <c>window/workDoneProgress/create</c> with null, <c>workspace/configuration</c> with
/// <see cref="Configuration"/>. Everything it sends is also queued for tests to inspect.</summary>
internal sealed class LspTestClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Channel<JsonElement> _unmatchedResponses = Channel.CreateUnbounded<JsonElement>();
    private readonly Channel<JsonElement> _notifications = Channel.CreateUnbounded<JsonElement>();
    private readonly Channel<JsonElement> _serverRequests = Channel.CreateUnbounded<JsonElement>();
    private readonly StringBuilder _stderr = new();
    private readonly Channel<string> _stderrLines = Channel.CreateUnbounded<string>();
    private readonly ConcurrentQueue<string> _framingViolations = new();
    private readonly Task _stdoutLoop;
    private readonly Task _stderrLoop;
    private long _nextId = 1000;
    private bool _inputClosed;

    private LspTestClient(Process process)
    {
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        _stdoutLoop = Task.Run(ReadStdoutAsync);
        _stderrLoop = Task.Run(ReadStderrAsync);
    }

    /// <summary>The value of the <c>llmlsp</c> section returned to <c>workspace/configuration</c>.</summary>
    public JsonNode? Configuration { get; set; }

    /// <summary>Bytes on stdout that were not a valid LSP frame holding a JSON object. Must stay empty.</summary>
    public IReadOnlyCollection<string> FramingViolations => _framingViolations;

    public int ProcessId => _process.Id;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "llmlsp.dll");

    /// <summary>A user data folder with nothing in it, so no model a developer configured leaks into tests.</summary>
    public static string EmptyHome { get; } = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "llmlsp-tests", "empty-home")).FullName;

    public static LspTestClient Start(bool testMethods = true, IReadOnlyList<string>? serverArguments = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerDll);
        start.ArgumentList.Add("serve");
        foreach (var argument in serverArguments ?? [])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["LLMLSP_TEST_METHODS"] = testMethods ? "1" : "0";
        start.Environment["LLMLSP_HOME"] = EmptyHome;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return new LspTestClient(Process.Start(start) ?? throw new InvalidOperationException("could not start llmlsp"));
    }

    /// <summary>Starts a server and initializes it (and sends <c>initialized</c>). Returns the initialize response.</summary>
    public static async Task<(LspTestClient Client, JsonElement InitializeResult)> StartInitializedAsync(
        object? capabilities = null, object? initializationOptions = null, int? processId = null,
        IReadOnlyList<string>? serverArguments = null, string? workspaceFolder = null)
    {
        var client = Start(serverArguments: serverArguments);
        var response = await client.RequestAsync("initialize", new
        {
            processId,
            capabilities = capabilities ?? new { },
            initializationOptions,
            workspaceFolders = workspaceFolder is null ? null : new[] { new { uri = new Uri(workspaceFolder).AbsoluteUri, name = Path.GetFileName(workspaceFolder) } },
        });
        await client.NotifyAsync("initialized", new { });
        return (client, response.GetProperty("result"));
    }

    public async Task<JsonElement> RequestAsync(string method, object? parameters = null, CancellationToken cancellationToken = default)
    {
        long id = Interlocked.Increment(ref _nextId);
        var pending = SendRequest(id, method, parameters);
        return await WaitAsync(pending, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request and returns its id and the task of its response, for tests that act in between.</summary>
    public (long Id, Task<JsonElement> Response) BeginRequest(string method, object? parameters = null)
    {
        long id = Interlocked.Increment(ref _nextId);
        return (id, SendRequest(id, method, parameters));
    }

    public Task NotifyAsync(string method, object? parameters = null) =>
        SendFrameAsync(Serialize(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = ToNode(parameters) }));

    public Task SendFrameAsync(string json) => SendFrameAsync(Encoding.UTF8.GetBytes(json));

    public Task SendFrameAsync(byte[] body) =>
        SendRawAsync([.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body]);

    public async Task SendRawAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _stdin.WriteAsync(bytes).ConfigureAwait(false);
            await _stdin.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The next response whose id was not sent through <see cref="RequestAsync"/> (raw frames, null ids).</summary>
    public Task<JsonElement> NextUnmatchedResponseAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(_unmatchedResponses, cancellationToken);

    public bool TryReadUnmatchedResponse(out JsonElement response) => _unmatchedResponses.Reader.TryRead(out response);

    /// <summary>A notification with this method that has already arrived (others before it are skipped), without
    /// waiting: notifications a server sent before a response are here once the response is.</summary>
    public bool TryReadNotification(string method, out JsonElement notification)
    {
        while (_notifications.Reader.TryRead(out var message))
        {
            if (message.TryGetProperty("method", out var name) && name.GetString() == method)
            {
                notification = message;
                return true;
            }
        }
        notification = default;
        return false;
    }

    /// <summary>The next notification from the server with this method; others are skipped.</summary>
    public async Task<JsonElement> NextNotificationAsync(string method, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var message = await ReadAsync(_notifications, cancellationToken).ConfigureAwait(false);
            if (message.GetProperty("method").GetString() == method)
            {
                return message;
            }
        }
    }

    public Task<JsonElement> NextServerRequestAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(_serverRequests, cancellationToken);

    public async Task CloseInputAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_inputClosed)
            {
                _inputClosed = true;
                _stdin.Close();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : TestTimeout.Token();
        await _process.WaitForExitAsync(token).ConfigureAwait(false);
        await _stdoutLoop.WaitAsync(token).ConfigureAwait(false);
        await _stderrLoop.WaitAsync(token).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
        _writeLock.Dispose();
    }

    private Task<JsonElement> SendRequest(long id, string method, object? parameters)
    {
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id.ToString(CultureInfo.InvariantCulture)] = completion;
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method };
        if (parameters is not null)
        {
            message["params"] = ToNode(parameters);
        }

        return SendFrameAsync(Serialize(message)).ContinueWith(_ => completion.Task, TaskScheduler.Default).Unwrap();
    }

    private static async Task<JsonElement> WaitAsync(Task<JsonElement> task, CancellationToken cancellationToken) =>
        await task.WaitAsync(cancellationToken.CanBeCanceled ? cancellationToken : TestTimeout.Token()).ConfigureAwait(false);

    private static async Task<JsonElement> ReadAsync(Channel<JsonElement> channel, CancellationToken cancellationToken) =>
        await channel.Reader.ReadAsync(cancellationToken.CanBeCanceled ? cancellationToken : TestTimeout.Token()).ConfigureAwait(false);

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node,
        _ => JsonSerializer.SerializeToNode(value),
    };

    private static string Serialize(JsonNode node) => node.ToJsonString();

    private async Task ReadStdoutAsync()
    {
        var stdout = _process.StandardOutput.BaseStream;
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            int read = await stdout.ReadAsync(chunk).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Write(chunk, 0, read);
            if (!DrainFrames(buffer))
            {
                return;
            }
        }

        if (buffer.Length > 0)
        {
            _framingViolations.Enqueue($"{buffer.Length} trailing bytes after the last frame");
        }

        _unmatchedResponses.Writer.TryComplete();
        _notifications.Writer.TryComplete();
        _serverRequests.Writer.TryComplete();
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new EndOfStreamException("the server closed stdout"));
        }
    }

    // Consumes every complete frame at the start of the buffer. Returns false after a violation.
    private bool DrainFrames(MemoryStream buffer)
    {
        while (true)
        {
            var data = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            int headerEnd = data.IndexOf("\r\n\r\n"u8);
            if (headerEnd < 0)
            {
                if (data.Length > 1024 || (data.Length > 0 && !"Content-".AsSpan().StartsWith(Encoding.ASCII.GetString(data[..Math.Min(data.Length, 8)]))))
                {
                    _framingViolations.Enqueue("not a header: " + Encoding.UTF8.GetString(data[..Math.Min(200, data.Length)]));
                    return false;
                }

                return true;
            }

            int? length = null;
            foreach (string line in Encoding.ASCII.GetString(data[..headerEnd]).Split("\r\n"))
            {
                if (line.StartsWith("Content-Length: ", StringComparison.Ordinal) && int.TryParse(line.AsSpan(16), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                {
                    length = n;
                }
                else if (!line.StartsWith("Content-Type: ", StringComparison.Ordinal))
                {
                    _framingViolations.Enqueue("bad header line: " + line);
                    return false;
                }
            }

            if (length is null)
            {
                _framingViolations.Enqueue("no Content-Length");
                return false;
            }

            int total = headerEnd + 4 + length.Value;
            if (data.Length < total)
            {
                return true;
            }

            try
            {
                using var document = JsonDocument.Parse(data.Slice(headerEnd + 4, length.Value).ToArray());
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    _framingViolations.Enqueue("frame body is not a JSON object");
                    return false;
                }

                Dispatch(document.RootElement.Clone());
            }
            catch (JsonException ex)
            {
                _framingViolations.Enqueue("frame body is not JSON: " + ex.Message);
                return false;
            }

            var rest = data[total..].ToArray();
            buffer.SetLength(0);
            buffer.Write(rest);
        }
    }

    private void Dispatch(JsonElement message)
    {
        bool hasId = message.TryGetProperty("id", out var id);
        bool hasMethod = message.TryGetProperty("method", out var method);
        if (hasMethod && hasId)
        {
            _serverRequests.Writer.TryWrite(message);
            _ = AnswerServerRequestAsync(id, method.GetString());
        }
        else if (hasMethod)
        {
            _notifications.Writer.TryWrite(message);
        }
        else if (hasId && id.ValueKind != JsonValueKind.Null && _pending.TryRemove(id.GetRawText().Trim('"'), out var pending))
        {
            pending.TrySetResult(message);
        }
        else
        {
            _unmatchedResponses.Writer.TryWrite(message);
        }
    }

    private Task AnswerServerRequestAsync(JsonElement id, string? method)
    {
        JsonNode? result = method switch
        {
            "workspace/configuration" => new JsonArray(Configuration?.DeepClone()),
            _ => null,
        };
        var response = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = JsonNode.Parse(id.GetRawText()), ["result"] = result };
        return _inputClosed ? Task.CompletedTask : SendFrameAsync(Serialize(response));
    }

    private async Task ReadStderrAsync()
    {
        var reader = _process.StandardError;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (_stderr)
            {
                _stderr.AppendLine(line);
            }
            _stderrLines.Writer.TryWrite(line);
        }
        _stderrLines.Writer.TryComplete();
    }

    /// <summary>The next stderr line (earlier ones are skipped) that contains <paramref name="text"/>.</summary>
    public async Task<string> NextStderrLineAsync(string text, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var line = await _stderrLines.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }
}
