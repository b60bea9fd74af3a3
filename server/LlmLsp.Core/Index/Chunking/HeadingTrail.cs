namespace LlmLsp.Index.Chunking;

/// <summary>The headings a block sits under, outermost first: a new heading closes every open heading of its
/// level or deeper. Named as "Title > Section > Subsection", the way chunks of every document format are.</summary>
internal sealed class HeadingTrail
{
    private readonly List<(int Level, string Title)> _open = [];

    public void Enter(int level, string title)
    {
        _open.RemoveAll(h => h.Level >= level);
        _open.Add((level, title));
    }

    /// <summary>The path of open headings; <paramref name="documentTitle"/> (e.g. from front matter) leads it unless
    /// the first heading already says the same; <paramref name="fallback"/> (the file name) when there is neither.</summary>
    public string Describe(string fallback, string? documentTitle = null)
    {
        var titles = _open.Select(h => h.Title);
        if (documentTitle is not null && (_open.Count == 0 || _open[0].Title != documentTitle))
        {
            titles = titles.Prepend(documentTitle);
        }

        var path = string.Join(" > ", titles);
        return path.Length == 0 ? fallback : path;
    }
}
