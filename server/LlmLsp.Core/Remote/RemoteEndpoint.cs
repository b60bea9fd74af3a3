using System.Globalization;
using System.Net;
using LlmLsp.Options;

namespace LlmLsp.Remote;

/// <summary>
/// A checked remote server for one role: an http(s) URL without credentials in it, plain http only to loopback unless
/// the user opted in, the model name and the API key. The key is kept here and only here: <see cref="ToString"/>,
/// <see cref="Display"/> and every message built with <see cref="Scrub"/> leave it out.
/// </summary>
public sealed class RemoteEndpoint
{
    private RemoteEndpoint(string role, Uri root, string? apiKey, string? model, RemoteEndpointOptions options)
    {
        Role = role;
        Root = root;
        ApiKey = apiKey;
        Model = model;
        Options = options;
    }

    /// <summary>What the server is for, in messages: "chat", "completion", "embedding".</summary>
    public string Role { get; }

    /// <summary>The server's root, without a trailing <c>/v1</c>: OpenAI routes live under <c>/v1/</c>, llama-server's
    /// own (<c>/infill</c>) at the root.</summary>
    public Uri Root { get; }

    public string? Model { get; }

    internal string? ApiKey { get; }

    public RemoteEndpointOptions Options { get; }

    public TimeSpan Timeout => TimeSpan.FromMilliseconds(Options.TimeoutMs);

    public string Display => Root.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>Stable name for vectors an index stores: another server or model means other vectors.</summary>
    public string ModelId => $"remote:{Root.Authority}/{Model ?? "default"}";

    public Uri Resolve(string path) => new(Root, path.TrimStart('/'));

    public override string ToString() => $"the {Role} server at {Display}";

    /// <summary><paramref name="text"/> with the API key (should a server echo it) replaced.</summary>
    public string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.IsNullOrEmpty(ApiKey) ? text : text.Replace(ApiKey, "[api key]", StringComparison.Ordinal);
    }

    /// <summary>Checks the settings of one role's server. Problems are <see cref="ErrorKind.InvalidInput"/> naming the setting.</summary>
    public static RemoteEndpoint From(RemoteEndpointOptions options, string role)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        var setting = $"llmlsp.backend.url (or backend.{role}.url)";
        if (string.IsNullOrWhiteSpace(options.Url))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"{setting} is empty.");
        }
        if (!Uri.TryCreate(options.Url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"{setting} must be an http:// or https:// address such as http://127.0.0.1:8080, not \"{Shorten(options.Url)}\".");
        }
        if (uri.UserInfo.Length > 0)
        {
            // user:password@host would end up in logs and messages; the key has its own setting.
            throw new LlmLspException(ErrorKind.InvalidInput, $"{setting} must not contain a user name or password; put the key in backend.apiKey.");
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"{setting} must not have a query or fragment: give the server's address, such as http://127.0.0.1:8080/v1.");
        }
        if (uri.Scheme == "http" && !IsLoopback(uri) && !options.AllowInsecureHttp)
        {
            throw new LlmLspException(ErrorKind.InvalidInput,
                $"{setting} is plain http:// to {uri.Host}, which would send your code{(options.ApiKey is null ? "" : " and the API key")} unencrypted. " +
                "Use https://, or set backend.allowInsecureHttp to true if this network is trusted.");
        }
        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^3];
        }
        var root = new UriBuilder(uri.Scheme, uri.Host, uri.Port, path + "/").Uri;
        return new RemoteEndpoint(role, root, options.ApiKey, options.Model, options);
    }

    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);

    private static string Shorten(string text) => text.Length > 60 ? string.Create(CultureInfo.InvariantCulture, $"{text[..60]}…") : text;
}
