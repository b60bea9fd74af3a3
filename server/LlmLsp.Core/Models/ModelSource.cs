using System.Net;

namespace LlmLsp.Models;

/// <summary>Turns catalogue URLs into download URLs: expands the <c>hf:owner/repo/file.gguf</c> shorthand,
/// refuses anything but https (plain http only to this machine, for tests and local mirrors) and applies
/// the <c>LLMLSP_MODEL_MIRROR</c> override.</summary>
public static class ModelSource
{
    /// <summary>A base URL that replaces <c>https://huggingface.co</c> in catalogue URLs, e.g. an internal
    /// mirror or a test server: <c>LLMLSP_MODEL_MIRROR=http://127.0.0.1:8080</c> turns
    /// <c>https://huggingface.co/Qwen/x/resolve/main/f.gguf</c> into <c>http://127.0.0.1:8080/Qwen/x/resolve/main/f.gguf</c>.</summary>
    public const string MirrorVariable = "LLMLSP_MODEL_MIRROR";

    public static Uri HuggingFace { get; } = new("https://huggingface.co");

    private const string HfPrefix = "hf:";

    /// <summary>Parses a catalogue URL: https://..., http://127.0.0.1..., or hf:owner/repo/path/file.gguf.</summary>
    public static Uri Parse(string text)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.StartsWith(HfPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var parts = trimmed[HfPrefix.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3)
            {
                throw new LlmLspException(ErrorKind.InvalidInput,
                    $"'{trimmed}' is not a Hugging Face file: write hf:owner/repo/file.gguf.");
            }
            var path = string.Join('/', parts.Skip(2).Select(Uri.EscapeDataString));
            return new Uri(HuggingFace, $"{Uri.EscapeDataString(parts[0])}/{Uri.EscapeDataString(parts[1])}/resolve/main/{path}");
        }
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"'{trimmed}' is not a URL: write https://... or hf:owner/repo/file.gguf.");
        }
        RequireSafeScheme(uri);
        return uri;
    }

    /// <summary>Parses the mirror base URL (null or empty = no mirror).</summary>
    public static Uri? ParseMirror(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var mirror))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"{MirrorVariable}='{text}' is not a URL.");
        }
        RequireSafeScheme(mirror);
        return mirror;
    }

    /// <summary>The URL a download actually uses: the catalogue URL, with the Hugging Face origin replaced by the mirror when one is set.</summary>
    public static Uri DownloadUri(Uri url, Uri? mirror)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (mirror is null || !string.Equals(url.Host, HuggingFace.Host, StringComparison.OrdinalIgnoreCase) || url.Scheme != Uri.UriSchemeHttps)
        {
            return url;
        }
        var basePath = mirror.AbsolutePath.TrimEnd('/');
        var builder = new UriBuilder(mirror) { Path = basePath + url.AbsolutePath, Query = url.Query.TrimStart('?') };
        return builder.Uri;
    }

    /// <summary>Plain http would let anyone on the path swap the model; the hash catches that, but only for entries
    /// that have one, so http is allowed only to this machine.</summary>
    private static void RequireSafeScheme(Uri uri)
    {
        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return;
        }
        if (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri))
        {
            return;
        }
        throw new LlmLspException(ErrorKind.InvalidInput,
            $"'{uri}' is not allowed: models download over https (plain http only from this machine: localhost, 127.0.0.1, ::1).");
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
