using LlmLsp.Features.Indexing;
using LlmLsp.Models.Builtin;
using LlmLsp.Options;
using LlmLsp.Retrieval;
using LlmLsp.Tests.Fixtures;
using LlmLsp.Tests.Models;

namespace LlmLsp.Tests.Index;

/// <summary>Indexing and search through the feature as the CLI and the server build it: the built-in embedder by
/// default, the user's model when configured, keywords when the embedder cannot run.</summary>
public sealed class DefaultEmbedderIndexTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(180);

    private static TempFolder Workspace()
    {
        var folder = new TempFolder();
        folder.Write("docs/stash.md", "# Saving work in progress\n\nStash the changes in a dirty working directory away, and restore them later with pop.\n");
        folder.Write("docs/worktree.md", "# Several checkouts\n\nManage multiple working trees attached to the same repository, each with its own branch.\n");
        folder.Write("docs/hash.md", "# Object ids\n\nCompute the object id of a file's contents and optionally write the blob into the object database.\n");
        folder.Write("src/Parser.cs", "public static class Parser\n{\n    public static int ParseNumber(string text) => int.Parse(text);\n}\n");
        return folder;
    }

    [Fact]
    public async Task With_no_configuration_the_index_is_hybrid_with_the_builtin_model()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var home = new ModelTestHome();
        using var folder = Workspace();
        using var embeddings = new EmbeddingSource(home.Directories);
        using var feature = new IndexingFeature(() => embeddings.Choose(new ModelOptions(), keywordOnly: false));

        var summary = await feature.IndexFolderAsync(new IndexFolderRequest(folder.Path, Path.Combine(folder.Path, "x.db")), null, timeout.Token);
        var again = await feature.IndexFolderAsync(new IndexFolderRequest(folder.Path, Path.Combine(folder.Path, "x.db")), null, timeout.Token);
        var hits = await feature.SearchAsync(new SearchRequest("put my half-done edits aside for later", 1, Path.Combine(folder.Path, "x.db")), timeout.Token);
        var vectorHits = await feature.SearchAsync(new SearchRequest("several branches checked out in separate directories", 1, Path.Combine(folder.Path, "x.db"),
            Mode: RetrievalMode.VectorsOnly), timeout.Token);

        Assert.Equal(BuiltinEmbedder.ModelId(LlmLsp.Engine.ModelFileType.Q8_0), summary.EmbeddingModel);
        Assert.Null(summary.EmbeddingProblem);
        Assert.True(File.Exists(BuiltinEmbedder.FilePath(home.Directories.ModelsDirectory, LlmLsp.Engine.ModelFileType.Q8_0)));
        Assert.Equal(0, again.FilesIndexed + again.FilesReembedded); // nothing changed: nothing embedded again
        Assert.Equal("docs/stash.md", Assert.Single(hits).Path);
        Assert.Equal("docs/worktree.md", Assert.Single(vectorHits).Path); // no shared keyword: the vectors found it
    }

    [Fact]
    public async Task Keyword_only_loads_no_model_and_stores_no_vectors()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var home = new ModelTestHome();
        using var folder = Workspace();
        using var embeddings = new EmbeddingSource(home.Directories);
        using var feature = new IndexingFeature(() => embeddings.Choose(new ModelOptions(), keywordOnly: true));

        var summary = await feature.IndexFolderAsync(new IndexFolderRequest(folder.Path, Path.Combine(folder.Path, "x.db")), null, timeout.Token);
        var hits = await feature.SearchAsync(new SearchRequest("stash changes", 1, Path.Combine(folder.Path, "x.db")), timeout.Token);

        Assert.Null(summary.EmbeddingModel);
        Assert.False(Directory.Exists(home.Directories.ModelsDirectory), "no model was converted or loaded");
        Assert.Equal("docs/stash.md", Assert.Single(hits).Path);
    }

    [Fact]
    public async Task A_broken_builtin_model_leaves_a_complete_keyword_index_and_says_why()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var home = new ModelTestHome();
        using var folder = Workspace();
        var broken = folder.Write("broken/" + BuiltinEmbedder.PackageFileName, "MZ not really an assembly");
        using var embeddings = new EmbeddingSource(home.Directories, builtinPackage: broken);
        using var feature = new IndexingFeature(() => embeddings.Choose(new ModelOptions(), keywordOnly: false));
        var db = Path.Combine(folder.Path, "x.db");

        var summary = await feature.IndexFolderAsync(new IndexFolderRequest(folder.Path, db), null, timeout.Token);
        var hits = await feature.SearchAsync(new SearchRequest("stash changes", 1, db), timeout.Token);

        Assert.Null(summary.EmbeddingModel);
        Assert.Contains("damaged", summary.EmbeddingProblem, StringComparison.Ordinal);
        Assert.True(summary.FilesIndexed >= 4); // every document is in the keyword index
        Assert.Equal("docs/stash.md", Assert.Single(hits).Path);
    }

    [Fact]
    public async Task Switching_to_the_users_model_re_embeds_once_and_says_from_what()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var home = new ModelTestHome();
        using var folder = Workspace();
        using var embeddings = new EmbeddingSource(home.Directories);
        var model = new ModelOptions();
        using var feature = new IndexingFeature(() => embeddings.Choose(model, keywordOnly: false));
        var db = Path.Combine(folder.Path, "x.db");
        var builtin = await feature.IndexFolderAsync(new IndexFolderRequest(folder.Path, db), null, timeout.Token);

        model = new ModelOptions { EmbeddingModelPath = TinyModels.Encoder() };
        var switched = await feature.IndexFolderAsync(new IndexFolderRequest(folder.Path, db), null, timeout.Token);
        var again = await feature.IndexFolderAsync(new IndexFolderRequest(folder.Path, db), null, timeout.Token);
        model = new ModelOptions();
        var hitsWithOldChoice = await feature.SearchAsync(new SearchRequest("stash changes", 1, db), timeout.Token);

        Assert.Equal(Path.GetFileNameWithoutExtension(TinyModels.Encoder()), switched.EmbeddingModel);
        Assert.Equal(builtin.EmbeddingModel, switched.PreviousEmbeddingModel);
        Assert.Equal(4, switched.FilesReembedded);
        Assert.Equal(0, switched.FilesIndexed);
        Assert.Equal(0, again.FilesReembedded);
        Assert.Null(again.PreviousEmbeddingModel);
        // Back on the built-in model before re-indexing: keywords still answer.
        Assert.Equal("docs/stash.md", Assert.Single(hitsWithOldChoice).Path);
    }

    [Fact]
    public async Task A_configured_model_that_is_missing_keeps_the_keyword_index_and_names_the_file()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        using var home = new ModelTestHome();
        using var folder = Workspace();
        using var embeddings = new EmbeddingSource(home.Directories);
        var missing = Path.Combine(folder.Path, "no-such-model.gguf");
        using var feature = new IndexingFeature(() => embeddings.Choose(new ModelOptions { EmbeddingModelPath = missing }, keywordOnly: false));

        var summary = await feature.IndexFolderAsync(new IndexFolderRequest(folder.Path, Path.Combine(folder.Path, "x.db")), null, timeout.Token);

        Assert.Contains("no-such-model.gguf", summary.EmbeddingProblem, StringComparison.Ordinal);
        Assert.Equal(4, summary.FilesIndexed);
    }
}
