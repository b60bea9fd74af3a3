using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace LlmLsp.Lsp;

/// <summary>The one place that turns exceptions into JSON-RPC error codes. Expected failures carry a human message;
/// anything unexpected is a bug: logged with method and id, answered -32603, and it fails only its own request.</summary>
internal static partial class ErrorMapper
{
    public const int InvalidRequest = -32600;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    public const int ServerNotInitialized = -32002;
    public const int RequestFailed = -32803;
    public const int RequestCancelled = -32800;

    public static LocalRpcException NotInitialized(string method) =>
        new($"The server is not initialized yet; send initialize before {method}.") { ErrorCode = ServerNotInitialized };

    public static LocalRpcException ShuttingDown(string method) =>
        new($"The server is shutting down; {method} is not accepted after shutdown.") { ErrorCode = InvalidRequest };

    /// <summary>Maps what a handler threw. Cancellation is passed through so StreamJsonRpc answers -32800.</summary>
    public static Exception Map(Exception exception, string method, object? requestId, CancellationToken cancellationToken, ILogger logger)
    {
        switch (exception)
        {
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return exception;
            case LocalRpcException:
                return exception;
            case OperationCanceledException:
                // Cancelled by something other than $/cancelRequest, e.g. the user cancelling its progress.
                return new LocalRpcException("The request was cancelled.") { ErrorCode = RequestCancelled };
            case LlmLspException failure:
                return new LocalRpcException(failure.Message)
                {
                    ErrorCode = RequestFailed,
                    ErrorData = JsonSerializer.SerializeToElement(new RequestFailedData(failure.Kind.ToString()), ErrorJsonContext.Default.RequestFailedData),
                };
            case InvalidParamsException:
                return new LocalRpcException($"Invalid params for {method}: {exception.Message}") { ErrorCode = InvalidParams };
            case InvalidRequestException:
                return new LocalRpcException(exception.Message) { ErrorCode = InvalidRequest };
            default:
                LogBug(logger, exception, method, requestId?.ToString() ?? "(notification)");
                return new LocalRpcException($"Internal error in {method}: {exception.Message}") { ErrorCode = InternalError };
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Bug: {Method} (id {RequestId}) failed unexpectedly.")]
    private static partial void LogBug(ILogger logger, Exception exception, string method, string requestId);
}

/// <summary>The request is not acceptable in the server's current state (e.g. a second initialize): -32600.</summary>
public sealed class InvalidRequestException(string message) : Exception(message);

/// <summary><c>error.data</c> of a -32803 answer: which <see cref="ErrorKind"/> failed, for clients to act on.</summary>
internal sealed record RequestFailedData([property: JsonPropertyName("kind")] string Kind);

[JsonSerializable(typeof(RequestFailedData))]
internal sealed partial class ErrorJsonContext : JsonSerializerContext;
