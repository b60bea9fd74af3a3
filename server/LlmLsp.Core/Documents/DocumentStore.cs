using System.Collections.Immutable;

namespace LlmLsp.Documents;

/// <summary>The open documents, immutable: every mutation returns a new store, so a reader's snapshot never changes
/// under it. Keys are URIs compared ordinally, as clients send them.</summary>
public sealed class DocumentStore
{
    public static readonly DocumentStore Empty = new(ImmutableDictionary.Create<string, TextDocumentSnapshot>(StringComparer.Ordinal));

    private readonly ImmutableDictionary<string, TextDocumentSnapshot> _documents;

    private DocumentStore(ImmutableDictionary<string, TextDocumentSnapshot> documents)
    {
        _documents = documents;
    }

    public int Count => _documents.Count;

    public IEnumerable<TextDocumentSnapshot> Documents => _documents.Values;

    public bool TryGet(string uri, out TextDocumentSnapshot document) =>
        _documents.TryGetValue(uri, out document!);

    public DocumentStore Open(TextDocumentSnapshot document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return new DocumentStore(_documents.SetItem(document.Uri, document));
    }

    /// <summary>Applies edits to an open document; throws <see cref="LlmLspException"/> for a document that is not open.</summary>
    public DocumentStore Change(string uri, int version, IReadOnlyList<TextChange> changes, PositionEncoding encoding)
    {
        if (!_documents.TryGetValue(uri, out var document))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"Document {uri} is not open.");
        }

        return new DocumentStore(_documents.SetItem(uri, document.WithChanges(changes, version, encoding)));
    }

    public DocumentStore Close(string uri) => new(_documents.Remove(uri));
}
