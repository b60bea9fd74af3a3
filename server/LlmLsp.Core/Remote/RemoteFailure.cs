using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace LlmLsp.Remote;

/// <summary>Turns what can go wrong talking to a server into one <see cref="ErrorKind.Backend"/> message a user can act
/// on: not running, refused key, unknown model, server error, stalled or malformed answer. Every message names the
/// server and passes through <see cref="RemoteEndpoint.Scrub"/>.</summary>
internal static class RemoteFailure
{
    /// <summary>The user's message for <paramref name="exception"/>, or null when it is not a remote failure (a
    /// cancellation by the caller, a bug).</summary>
    public static LlmLspException? Translate(RemoteEndpoint endpoint, string path, Exception exception, bool stalled)
    {
        if (exception is LlmLspException known)
        {
            return known;
        }
        if (stalled && exception is OperationCanceledException)
        {
            return Fail(endpoint, string.Create(CultureInfo.InvariantCulture,
                $"{endpoint} sent nothing for {endpoint.Timeout.TotalSeconds:0.#} s ({path}); it may be overloaded or stuck. The request was stopped (backend.timeoutMs)."), exception);
        }
        return exception switch
        {
            ClientResultException { Status: > 0 } result => FromStatus(endpoint, path, result.Status, ReadBody(result), exception),
            ClientResultException or HttpRequestException { StatusCode: null } => Unreachable(endpoint, exception),
            HttpRequestException { StatusCode: { } status } => FromStatus(endpoint, path, (int)status, "", exception),
            JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException =>
                Fail(endpoint, $"{endpoint} answered {path} with something that is not the expected JSON: {Trim(exception.Message)}", exception),
            IOException => Fail(endpoint, $"the connection to {endpoint} broke during the answer: {Trim(exception.Message)}", exception),
            _ => null,
        };
    }

    public static LlmLspException FromStatus(RemoteEndpoint endpoint, string path, int status, string body, Exception? inner = null)
    {
        var said = ServerMessage(body);
        var detail = said.Length > 0 ? $": {said}" : ".";
        var reason = ((HttpStatusCode)status).ToString();
        var code = string.Create(CultureInfo.InvariantCulture, $"{status} {reason}");
        var message = status switch
        {
            401 or 403 when endpoint.ApiKey is null => $"{endpoint} needs an API key ({code}); set backend.apiKey{detail}",
            401 or 403 => $"{endpoint} refused the API key ({code}); check backend.apiKey{detail}",
            404 when said.Contains("model", StringComparison.OrdinalIgnoreCase) =>
                $"{endpoint} does not serve the model \"{endpoint.Model}\" ({code}); check backend.model{detail}",
            404 => $"{endpoint} has no {path} ({code}); is the address right, and is it an OpenAI-compatible server{(detail == "." ? "?" : "?" + detail)}",
            429 => $"{endpoint} is rate-limiting requests ({code}); try again shortly{detail}",
            >= 500 => $"{endpoint} failed on {path} ({code}){detail}",
            _ => $"{endpoint} rejected {path} ({code}){detail}",
        };
        return Fail(endpoint, message, inner);
    }

    public static LlmLspException ModelMismatch(RemoteEndpoint endpoint, IReadOnlyList<string> served) =>
        Fail(endpoint, $"{endpoint} does not serve the model \"{endpoint.Model}\"; it serves {string.Join(", ", served.Select(s => $"\"{s}\""))}. Check backend.model.", null);

    private static LlmLspException Unreachable(RemoteEndpoint endpoint, Exception exception)
    {
        var socket = FindInner<SocketException>(exception);
        var why = socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            SocketError.TimedOut => "timed out",
            SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
            _ => Trim(exception.InnerException?.Message ?? exception.Message),
        };
        return Fail(endpoint, $"cannot reach {endpoint} ({why}). Is the server running? Local features keep working.", exception);
    }

    private static LlmLspException Fail(RemoteEndpoint endpoint, string message, Exception? inner) =>
        // The inner exception is not kept: its message may quote the request or the server, key included.
        new(ErrorKind.Backend, endpoint.Scrub(message), inner is null ? null : new RemoteCallException(endpoint.Scrub(inner.GetType().Name)));

    private static string ReadBody(ClientResultException result)
    {
        try
        {
            return result.GetRawResponse()?.Content?.ToString() ?? "";
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            return "";
        }
    }

    /// <summary>The server's own words: OpenAI's <c>{"error": {"message": …}}</c>, llama-server's the same, else the
    /// body's start as text.</summary>
    internal static string ServerMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "";
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return Trim(error.GetString() ?? "");
                }
                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return Trim(message.GetString() ?? "");
                }
            }
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                return Trim(detail.GetString() ?? "");
            }
        }
        catch (JsonException)
        {
        }
        return Trim(body);
    }

    private static string Trim(string text)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length > 300 ? text[..300] + "…" : text;
    }

    private static T? FindInner<T>(Exception exception) where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }
        return null;
    }
}

/// <summary>What an <see cref="ErrorKind.Backend"/> failure was underneath (its type only), for debugging.</summary>
public sealed class RemoteCallException(string message) : Exception(message);
