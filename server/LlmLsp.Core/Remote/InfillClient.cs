using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using LlmLsp.Options;

namespace LlmLsp.Remote;

/// <summary>A file offered as extra context for a completion.</summary>
public sealed record InfillFile(string FileName, string Text);

/// <summary>What to complete: the code before the cursor (whole lines), the cursor line up to the cursor, the code after,
/// other files' snippets, and the limits.</summary>
public sealed record InfillInput(string Prefix, string CurrentLine, string Suffix, IReadOnlyList<InfillFile> Extra,
    int MaxTokens, int TimeBudgetMs, bool IgnoreEndOfGeneration = false);

/// <summary>
/// Fill-in-the-middle on a remote server. llama-server's <c>/infill</c> takes the pieces apart and builds the prompt with
/// the model's own FIM tokens, extra files included (the repo-level pattern). Servers without it (vLLM, Ollama) get
/// <c>/v1/completions</c> with the FIM markers from the settings around prefix and suffix. With
/// <see cref="RemoteCompletionApi.Auto"/>, a 404 or 501 from <c>/infill</c> switches to <c>/v1/completions</c> for good.
/// Greedy decoding, streamed; leaving the stream early closes the connection, which stops the server's generation.
/// </summary>
public sealed class InfillClient
{
    private const string InfillPath = "/infill";
    private const string CompletionsPath = "/v1/completions";

    private readonly RemoteServer _server;
    private readonly HttpClient _http;
    private volatile bool _noInfill;

    internal InfillClient(RemoteServer server, HttpClient http)
    {
        _server = server;
        _http = http;
    }

    /// <summary>The route the next request takes.</summary>
    public string Route => UsesInfill ? InfillPath : CompletionsPath;

    private bool UsesInfill => _server.Endpoint.Options.CompletionApi switch
    {
        RemoteCompletionApi.Infill => true,
        RemoteCompletionApi.Completions => false,
        _ => !_noInfill,
    };

    public IAsyncEnumerable<string> StreamAsync(InfillInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return _server.StreamAsync(Route, ct => PiecesAsync(input, ct), cancellationToken);
    }

    private async IAsyncEnumerable<string> PiecesAsync(InfillInput input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var infill = UsesInfill;
        var response = await SendAsync(infill, input, cancellationToken).ConfigureAwait(false);
        if (infill && _server.Endpoint.Options.CompletionApi == RemoteCompletionApi.Auto && (int)response.StatusCode is 404 or 501)
        {
            // Not llama-server, or a model without FIM tokens: plain completions with the markers as text.
            response.Dispose();
            _noInfill = true;
            infill = false;
            response = await SendAsync(infill, input, cancellationToken).ConfigureAwait(false);
        }
        using (response)
        {
            var path = infill ? InfillPath : CompletionsPath;
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw RemoteFailure.FromStatus(_server.Endpoint, path, (int)response.StatusCode, body);
            }
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith("error:", StringComparison.Ordinal))
                {
                    throw RemoteFailure.FromStatus(_server.Endpoint, path, 500, line["error:".Length..]);
                }
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue; // blank separators, comments, event names
                }
                var data = line["data:".Length..].Trim();
                if (data == "[DONE]")
                {
                    yield break;
                }
                var (text, done) = infill ? ReadInfill(data) : ReadCompletion(data);
                if (text.Length > 0)
                {
                    yield return text;
                }
                if (done)
                {
                    yield break;
                }
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(bool infill, InfillInput input, CancellationToken cancellationToken)
    {
        var endpoint = _server.Endpoint;
        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            if (infill)
            {
                json.WriteString("input_prefix", input.Prefix);
                json.WriteString("input_suffix", input.Suffix);
                json.WriteString("prompt", input.CurrentLine);
                json.WriteStartArray("input_extra");
                foreach (var file in input.Extra)
                {
                    json.WriteStartObject();
                    json.WriteString("filename", file.FileName);
                    json.WriteString("text", file.Text);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteNumber("n_predict", input.MaxTokens);
                json.WriteNumber("t_max_predict_ms", input.TimeBudgetMs);
                json.WriteBoolean("cache_prompt", true);
                json.WriteNumber("top_k", 1);
            }
            else
            {
                if (endpoint.Model is { } model)
                {
                    json.WriteString("model", model);
                }
                var options = endpoint.Options;
                json.WriteString("prompt", string.Concat(options.FimPrefix, input.Prefix, input.CurrentLine, options.FimSuffix, input.Suffix, options.FimMiddle));
                json.WriteNumber("max_tokens", input.MaxTokens);
            }
            json.WriteNumber("temperature", 0);
            json.WriteBoolean("stream", true);
            if (input.IgnoreEndOfGeneration)
            {
                json.WriteBoolean("ignore_eos", true);
            }
            json.WriteEndObject();
        }
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Resolve(infill ? "infill" : "v1/completions"))
        {
            Content = new ByteArrayContent(body.ToArray()) { Headers = { ContentType = new("application/json") } },
        };
        _server.AddKey(request);
        using (request)
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
    }

    private static (string Text, bool Done) ReadInfill(string data)
    {
        using var document = JsonDocument.Parse(data);
        var root = document.RootElement;
        var text = root.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString()! : "";
        var done = root.TryGetProperty("stop", out var stop) && stop.ValueKind == JsonValueKind.True;
        if (text.Length == 0 && !done && !root.TryGetProperty("content", out _))
        {
            throw new JsonException(string.Create(CultureInfo.InvariantCulture, $"a streamed piece without \"content\""));
        }
        return (text, done);
    }

    private static (string Text, bool Done) ReadCompletion(string data)
    {
        using var document = JsonDocument.Parse(data);
        var choices = document.RootElement.GetProperty("choices");
        if (choices.GetArrayLength() == 0)
        {
            return ("", false);
        }
        var choice = choices[0];
        var text = choice.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        var done = choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String;
        return (text, done);
    }
}
