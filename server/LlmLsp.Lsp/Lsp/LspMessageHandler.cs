using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace LlmLsp.Lsp;

/// <summary>LSP base-protocol framing over <see cref="HeaderDelimitedMessageHandler"/>, with a stricter reader.
/// StreamJsonRpc drops the whole connection on any message it cannot parse; a language server must instead answer
/// a malformed but well-framed message with an error and carry on. So each frame body is validated here (JSON-RPC
/// 2.0 shape, id and params types) and only valid messages reach the formatter. Framing errors (a missing, bad or
/// oversized Content-Length) leave no way to find the next message: those end the connection, logged.</summary>
internal sealed partial class LspMessageHandler : HeaderDelimitedMessageHandler
{
    /// <summary>Largest body accepted; bigger ones are treated as a framing error.</summary>
    public const int MaxContentLength = 64 * 1024 * 1024;

    private const int MaxHeaderBytes = 8 * 1024;
    private const int MaxJsonDepth = 64;

    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = MaxJsonDepth };

    private readonly ILogger _logger;

    // Ids of our requests to the client that await a response. StreamJsonRpc treats a response it did not ask for
    // as a protocol violation and drops the connection; a stray response from a client is not worth dying for.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<RequestId, byte> _outstanding = new();

    public LspMessageHandler(Stream sendingStream, Stream receivingStream, IJsonRpcMessageFormatter formatter, ILogger logger)
        : base(sendingStream, receivingStream, formatter)
    {
        _logger = logger;
    }

    /// <summary>Set when the connection ended because the input could not be framed.</summary>
    public string? FramingError { get; private set; }

    /// <summary>Says why a request for a method that no handler serves is refused in the server's current state
    /// (null: let StreamJsonRpc answer -32601). Served methods are refused by the request queue, in order; this is
    /// for the rest, which StreamJsonRpc would otherwise answer "method not found" even before <c>initialize</c>.</summary>
    public Func<string, LocalRpcException?>? RefuseUnserved { get; set; }

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        var reader = Reader ?? throw new InvalidOperationException("No receiving stream.");
        while (true)
        {
            int? contentLength = await ReadHeadersAsync(reader, cancellationToken).ConfigureAwait(false);
            if (contentLength is null)
            {
                return null;
            }

            var result = await reader.ReadAtLeastAsync(contentLength.Value, cancellationToken).ConfigureAwait(false);
            if (result.Buffer.Length < contentLength.Value)
            {
                // The stream ended inside a body: nothing left to answer.
                reader.AdvanceTo(result.Buffer.End);
                LogTruncatedFrame(_logger, contentLength.Value, result.Buffer.Length);
                return null;
            }

            var body = result.Buffer.Slice(0, contentLength.Value);
            JsonRpcMessage? message = null;
            JsonRpcError? error = null;
            try
            {
                error = Validate(body);
                if (error is null)
                {
                    message = Formatter.Deserialize(body);
                }
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException)
            {
                // Validation passed but the formatter still refused it: answer rather than drop the connection.
                error = Error(RequestId.Null, JsonRpcErrorCode.ParseError, $"Parse error: {ex.Message}");
            }
            finally
            {
                reader.AdvanceTo(body.End);
            }

            if (message is IJsonRpcMessageWithId { RequestId: var responseId } and (JsonRpcResult or JsonRpcError)
                && !_outstanding.TryRemove(responseId, out _))
            {
                LogUnsolicitedResponse(_logger, responseId.ToString());
                continue;
            }

            if (message is JsonRpcRequest { Method: { } method } request && RefuseUnserved?.Invoke(method) is { } refusal)
            {
                // A notification is dropped; a request is answered with the refusal.
                LogRejected(_logger, refusal.ErrorCode, refusal.Message);
                if (!request.RequestId.IsEmpty)
                {
                    await WriteAsync(Error(request.RequestId, (JsonRpcErrorCode)refusal.ErrorCode, refusal.Message), cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (message is not null)
            {
                return message;
            }

            if (error is not null)
            {
                LogRejected(_logger, (int)error.Error!.Code, error.Error.Message ?? string.Empty);
                if (!error.RequestId.IsEmpty)
                {
                    await WriteAsync(error, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    protected override void Write(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        if (content is JsonRpcRequest { RequestId.IsEmpty: false } request)
        {
            _outstanding.TryAdd(request.RequestId, 0);
        }

        base.Write(content, cancellationToken);
    }

    /// <summary>Reads one header block. Returns the content length, or null at a clean end of input (or after a
    /// framing error, recorded in <see cref="FramingError"/>).</summary>
    private async ValueTask<int?> ReadHeadersAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var end = FindHeaderEnd(buffer);
            if (end is null)
            {
                if (buffer.Length > MaxHeaderBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    return Fail("the header block exceeds 8 KiB or is not terminated by an empty line");
                }

                if (result.IsCompleted)
                {
                    reader.AdvanceTo(buffer.End);
                    if (buffer.Length > 0)
                    {
                        LogTruncatedFrame(_logger, -1, buffer.Length);
                    }

                    return null;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            var headers = buffer.Slice(0, end.Value);
            string headerText = Encoding.ASCII.GetString(headers.ToArray());
            reader.AdvanceTo(buffer.GetPosition(end.Value + 4));
            return ParseHeaders(headerText);
        }
    }

    private int? ParseHeaders(string headerText)
    {
        int? contentLength = null;
        foreach (string line in headerText.Split("\r\n"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return Fail($"malformed header line \"{Truncate(line)}\"");
            }

            var name = line.AsSpan(0, colon).Trim();
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!Utf8Parser.TryParse(Encoding.ASCII.GetBytes(value.ToString()), out long length, out int consumed)
                    || consumed != value.Length || value.Length == 0 || value[0] is '-' or '+')
                {
                    return Fail($"Content-Length \"{Truncate(value.ToString())}\" is not a non-negative integer");
                }

                if (length <= 0 || length > MaxContentLength)
                {
                    return Fail($"Content-Length {length} is outside 1..{MaxContentLength}");
                }

                contentLength = (int)length;
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                int charset = value.IndexOf("charset=", StringComparison.OrdinalIgnoreCase);
                if (charset >= 0)
                {
                    var cs = value[(charset + 8)..].Trim().Trim('"');
                    if (!cs.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !cs.Equals("utf8", StringComparison.OrdinalIgnoreCase))
                    {
                        return Fail($"unsupported charset \"{Truncate(cs.ToString())}\"");
                    }
                }
            }
        }

        return contentLength ?? Fail("no Content-Length header");
    }

    private int? Fail(string reason)
    {
        FramingError = reason;
        LogFramingError(_logger, reason);
        return null;
    }

    private static long? FindHeaderEnd(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> headers, "\r\n\r\n"u8, advancePastDelimiter: false) ? headers.Length : null;
    }

    /// <summary>Checks the JSON-RPC 2.0 envelope. Returns null when the message is fine for the formatter, otherwise
    /// the error to answer (with an empty id when nothing should be sent: a bad notification or a bad response).</summary>
    private static JsonRpcError? Validate(ReadOnlySequence<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, s_documentOptions);
        }
        catch (JsonException ex)
        {
            return Error(RequestId.Null, JsonRpcErrorCode.ParseError, $"Parse error: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Error(RequestId.Null, JsonRpcErrorCode.InvalidRequest, $"Invalid request: a message must be a JSON object, not {root.ValueKind}.");
            }

            bool hasId = root.TryGetProperty("id", out var idElement);
            RequestId id = RequestId.NotSpecified;
            if (hasId)
            {
                switch (idElement.ValueKind)
                {
                    case JsonValueKind.String:
                        id = new RequestId(idElement.GetString()!);
                        break;
                    case JsonValueKind.Number when idElement.TryGetInt64(out long n):
                        id = new RequestId(n);
                        break;
                    default:
                        return Error(RequestId.Null, JsonRpcErrorCode.InvalidRequest, "Invalid request: \"id\" must be an integer or a string.");
                }
            }

            // Once the id is known, errors are answered to it (or not at all for notifications).
            if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0"u8))
            {
                return Error(hasId ? id : RequestId.Null, JsonRpcErrorCode.InvalidRequest, "Invalid request: \"jsonrpc\" must be \"2.0\".");
            }

            if (root.TryGetProperty("method", out var method))
            {
                if (method.ValueKind != JsonValueKind.String)
                {
                    return Error(hasId ? id : RequestId.Null, JsonRpcErrorCode.InvalidRequest, "Invalid request: \"method\" must be a string.");
                }

                if (root.TryGetProperty("params", out var parameters) && parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
                {
                    // A bad notification has nobody to tell.
                    return Error(id, JsonRpcErrorCode.InvalidParams, "Invalid params: \"params\" must be an object or an array.");
                }

                return null;
            }

            if (!hasId)
            {
                return Error(RequestId.Null, JsonRpcErrorCode.InvalidRequest, "Invalid request: neither a request, a notification nor a response.");
            }

            bool hasResult = root.TryGetProperty("result", out _);
            bool hasError = root.TryGetProperty("error", out var errorElement);
            bool errorOk = hasError && errorElement.ValueKind == JsonValueKind.Object
                && errorElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt64(out _)
                && errorElement.TryGetProperty("message", out var text) && text.ValueKind == JsonValueKind.String;
            if (hasResult || errorOk)
            {
                return null;
            }

            if (!hasError)
            {
                // No method, no result, no error: an invalid request, answered to its id.
                return Error(id, JsonRpcErrorCode.InvalidRequest, "Invalid request: \"method\" is missing.");
            }

            // A malformed response: answering a response is never right, so it is only logged.
            return Error(RequestId.NotSpecified, JsonRpcErrorCode.InvalidRequest, "Invalid response: needs \"result\" or a well-formed \"error\".");
        }
    }

    private static JsonRpcError Error(RequestId id, JsonRpcErrorCode code, string message) => new()
    {
        RequestId = id,
        Error = new JsonRpcError.ErrorDetail { Code = code, Message = message },
    };

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "…" : text;

    [LoggerMessage(Level = LogLevel.Error, Message = "Unrecoverable framing error, closing the connection: {Reason}")]
    private static partial void LogFramingError(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Input ended inside a frame (expected {Expected} bytes, got {Actual}).")]
    private static partial void LogTruncatedFrame(ILogger logger, int expected, long actual);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a response to id {Id}, which the server never asked for (or already got).")]
    private static partial void LogUnsolicitedResponse(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected message ({Code}): {Reason}")]
    private static partial void LogRejected(ILogger logger, int code, string reason);
}
