namespace LlmLsp.Index;

public enum DocumentKind
{
    CSharp,
    Code,
    Markdown,
    Pdf,
    Word,
    Html,
    PlainText,
}

/// <summary>Maps a file name to the chunker that understands it.</summary>
public static class DocumentKinds
{
    private static readonly HashSet<string> s_codeExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".py", ".go", ".rs", ".java", ".kt", ".kts",
        ".scala", ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".m", ".mm", ".swift", ".rb", ".php", ".pl",
        ".lua", ".sh", ".bash", ".zsh", ".fish", ".ps1", ".psm1", ".fs", ".fsx", ".vb", ".sql", ".r", ".dart",
        ".ex", ".exs", ".erl", ".hs", ".clj", ".el", ".zig", ".nim", ".vue", ".svelte", ".css", ".scss", ".less",
        ".json", ".jsonc", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".xml", ".xaml", ".csproj", ".fsproj",
        ".props", ".targets", ".sln", ".gradle", ".cmake", ".proto", ".graphql", ".tf", ".dockerfile", ".razor",
        ".cshtml", ".editorconfig", ".gitignore",
    };

    public static DocumentKind FromFileName(string name)
    {
        var extension = Path.GetExtension(name);
        return extension.ToUpperInvariant() switch
        {
            ".CS" or ".CSX" => DocumentKind.CSharp,
            ".MD" or ".MARKDOWN" or ".MDX" => DocumentKind.Markdown,
            ".PDF" => DocumentKind.Pdf,
            ".DOCX" => DocumentKind.Word,
            ".HTML" or ".HTM" or ".XHTML" => DocumentKind.Html,
            _ when s_codeExtensions.Contains(extension) => DocumentKind.Code,
            _ when name is "Makefile" or "Dockerfile" or "Justfile" or "Rakefile" => DocumentKind.Code,
            _ => DocumentKind.PlainText,
        };
    }

    /// <summary>Formats stored as binary containers, which are allowed a larger size and are not text-sniffed.</summary>
    public static bool IsPackagedDocument(string name) =>
        FromFileName(name) is DocumentKind.Pdf or DocumentKind.Word;
}
