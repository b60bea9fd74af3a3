namespace LlmLsp.Features.Completion;

/// <summary>A piece of another file offered to the model as context.</summary>
public sealed record ContextSnippet(string Path, string Text);

/// <summary>A small ring of snippets from documents the user opened, saved or switched away from,
/// de-duplicated by path. It changes on those events, not on every keystroke, so the context it adds to
/// completion prompts stays a cached prefix while the user types.</summary>
public sealed class RecentSnippets
{
    private readonly int _capacity;
    private readonly int _maxLines;
    private readonly Lock _lock = new();
    private readonly LinkedList<ContextSnippet> _ring = new();

    public RecentSnippets(int capacity = 8, int maxLines = 48)
    {
        _capacity = capacity;
        _maxLines = maxLines;
    }

    /// <summary>Remembers the head of a document (the part that names imports, types and signatures).</summary>
    public void Note(string path, string text)
    {
        var lines = text.Split('\n');
        var head = string.Join('\n', lines.Take(_maxLines)).TrimEnd();
        if (head.Length == 0)
        {
            return;
        }
        lock (_lock)
        {
            for (var node = _ring.First; node is not null; node = node.Next)
            {
                if (node.Value.Path == path)
                {
                    _ring.Remove(node);
                    break;
                }
            }
            _ring.AddFirst(new ContextSnippet(path, head));
            while (_ring.Count > _capacity)
            {
                _ring.RemoveLast();
            }
        }
    }

    /// <summary>The snippets other than <paramref name="currentPath"/>, in a stable order (by path).</summary>
    public IReadOnlyList<ContextSnippet> For(string currentPath)
    {
        lock (_lock)
        {
            return _ring.Where(s => s.Path != currentPath).OrderBy(s => s.Path, StringComparer.Ordinal).ToList();
        }
    }
}
