namespace LlmLsp.Lsp;

/// <summary>Turns LSP URIs into the file paths Core works with, and back.</summary>
internal static class DocumentPaths
{
    public static string? ToPath(string uri)
        => Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile ? parsed.LocalPath : null;

    public static string ToUri(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    /// <summary>The first workspace folder as a path (the folder whose index ask/search use), or null.</summary>
    public static string? WorkspaceFolder(ServerState state)
        => state.WorkspaceFolders.Select(f => ToPath(f.Uri)).FirstOrDefault(p => p is not null);
}
