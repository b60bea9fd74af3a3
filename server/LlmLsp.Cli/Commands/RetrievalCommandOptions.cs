using System.CommandLine;
using LlmLsp.Features.Indexing;
using LlmLsp.Models;
using LlmLsp.Options;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Cli.Commands;

/// <summary>`--keyword-only` for the commands that index or search, and the index feature they share: hybrid
/// (keywords + the embedding model, loaded only when a text is first embedded) unless turned off.</summary>
internal sealed class RetrievalCommandOptions
{
    public Option<bool> KeywordOnly { get; } = new("--keyword-only")
    {
        Description = "Index and search without embeddings (no embedding model is loaded).",
    };

    public void AddTo(Command command) => command.Options.Add(KeywordOnly);

    /// <summary>The index feature with this command's embedding choice (config.json's embedding server, if it names one);
    /// dispose the second value after the feature.</summary>
    public (IndexingFeature Index, IDisposable Embeddings) CreateIndex(ParseResult parse, ILoggerFactory loggerFactory, int? threads = null)
    {
        var embeddings = new EmbeddingSource(UserDirectories.FromEnvironment(), loggerFactory);
        var backends = ConfiguredBackends.Load();
        var keywordOnly = parse.GetValue(KeywordOnly);
        var model = new ModelOptions { Threads = threads ?? 0 };
        var remote = keywordOnly ? null : backends.For(ModelRole.Embedding)?.Server;
        return (new IndexingFeature(() => embeddings.Choose(model, keywordOnly, remote), loggerFactory: loggerFactory), new Owned(embeddings, backends));
    }

    private sealed class Owned(EmbeddingSource embeddings, ConfiguredBackends backends) : IDisposable
    {
        public void Dispose()
        {
            embeddings.Dispose();
            backends.Dispose();
        }
    }
}
