using System.Text;
using LlmLsp.Index;
using LlmLsp.Engine;
using LlmLsp.Retrieval;
using LlmLsp.Tests.Fixtures;
using Microsoft.Extensions.AI;

namespace LlmLsp.Tests.Index;

public sealed class IndexerTests
{
    private static async Task<IndexRunSummary> RunAsync(string folder, string db, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, string? model = null, bool rebuild = false)
    {
        using var store = IndexStore.OpenForIndexing(db, folder, rebuild);
        var summary = await new WorkspaceIndexer(store, new IndexerOptions { BatchFiles = 2 }, embedder, model).RunAsync(null, CancellationToken.None);
        Assert.True(store.CheckConsistency().IsConsistent, store.CheckConsistency().ToString());
        return summary;
    }

    private static async Task<IReadOnlyList<SearchHit>> SearchAsync(string db, string query, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, string? model = null, int top = 5)
    {
        using var store = IndexStore.OpenExisting(db);
        return await WorkspaceSearcher.Load(store, embedder, model).SearchAsync(query, top, CancellationToken.None);
    }

    [Fact]
    public async Task Incremental_runs_skip_unchanged_replace_changed_and_remove_deleted()
    {
        using var folder = new TempFolder();
        using var data = new TempFolder();
        var db = Path.Combine(data.Path, "index.db");
        folder.Write("docs/install.md", "# Install\n\nRun the zebrafish installer.\n");
        var tuning = folder.Write("docs/tuning.md", "# Tuning\n\nSet the pelican cache size.\n");
        var removed = folder.Write("src/old.py", "def flamingo():\n    pass\n");

        var first = await RunAsync(folder.Path, db);
        Assert.Equal(3, first.FilesIndexed);

        var second = await RunAsync(folder.Path, db);
        Assert.Equal(0, second.FilesIndexed);
        Assert.Equal(3, second.FilesUnchanged);

        File.WriteAllText(tuning, "# Tuning\n\nSet the walrus cache size.\n");
        File.SetLastWriteTimeUtc(tuning, DateTime.UtcNow.AddMinutes(1));
        File.Delete(removed);
        var touched = Path.Combine(folder.Path, "docs/install.md");
        File.SetLastWriteTimeUtc(touched, DateTime.UtcNow.AddMinutes(2));
        var third = await RunAsync(folder.Path, db);
        Assert.Equal(1, third.FilesIndexed);
        Assert.Equal(1, third.FilesRemoved);
        Assert.Equal(1, third.FilesUnchanged);

        Assert.Empty(await SearchAsync(db, "pelican"));
        Assert.Empty(await SearchAsync(db, "flamingo"));
        var walrus = Assert.Single(await SearchAsync(db, "walrus"));
        Assert.Equal("docs/tuning.md", walrus.Path);
        Assert.Equal("Tuning", walrus.Heading);

        // The touched file's new mtime was recorded, so the next run takes the fast path for all.
        var fourth = await RunAsync(folder.Path, db);
        Assert.Equal(2, fourth.FilesUnchanged);
        Assert.Equal(0, fourth.FilesIndexed);
    }

    [Fact]
    public async Task Changing_the_embedding_model_re_embeds_and_search_becomes_hybrid()
    {
        using var folder = new TempFolder();
        using var data = new TempFolder();
        var db = Path.Combine(data.Path, "index.db");
        for (var i = 0; i < 5; i++)
        {
            folder.Write($"notes/n{i}.md", $"# Note {i}\n\nTopic number{i} about otters and rivers.\n");
        }

        // Two real (tiny) embedding models of different dimensions stand for "the user switched models".
        using var engineA = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Encoder(), Threads = 2 });
        using var engineB = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Encoder(new TinyModels.EncoderSpec(Seed: 2, Hidden: 32)), Threads = 2 });
        var modelA = new LlamaEmbeddingGenerator(engineA);
        var first = await RunAsync(folder.Path, db, modelA, "model-a");
        Assert.Equal(5, first.FilesIndexed);
        using (var store = IndexStore.OpenExisting(db))
        {
            Assert.Equal("model-a", store.EmbeddingModel);
            Assert.Equal(5, store.ReadVectors("model-a").Count());
        }

        var modelB = new LlamaEmbeddingGenerator(engineB);
        var second = await RunAsync(folder.Path, db, modelB, "model-b");
        Assert.Equal(5, second.FilesReembedded);
        Assert.Equal(0, second.FilesIndexed);
        using (var store = IndexStore.OpenExisting(db))
        {
            Assert.Equal("model-b", store.EmbeddingModel);
            Assert.Equal(32, store.EmbeddingDimension);
            Assert.Empty(store.ReadVectors("model-a"));
            Assert.All(store.LoadFiles().Values, f => Assert.Equal("model-b", f.EmbeddingModel));
            var searcher = WorkspaceSearcher.Load(store, modelB, "model-b");
            Assert.True(searcher.IsHybrid);
            var hits = await searcher.SearchAsync("number3 otters", 3, CancellationToken.None);
            // Random-weight vectors rank arbitrarily; fusion must still surface the exact keyword match.
            Assert.Contains(hits, h => h.Path == "notes/n3.md");
        }

        var third = await RunAsync(folder.Path, db, modelB, "model-b");
        Assert.Equal(0, third.FilesReembedded);
        Assert.Equal(5, third.FilesUnchanged);
    }

    [Fact]
    public void Vector_index_ranks_explicit_vectors_by_cosine()
    {
        // Three chunks with known directions; the query is closest to the second.
        float[][] vectors = [[1, 0, 0, 0], [0.6f, 0.8f, 0, 0], [0, 0, 1, 0]];
        var values = new sbyte[12];
        var scales = new float[3];
        for (var i = 0; i < 3; i++)
        {
            scales[i] = VectorQuantizer.Quantize(vectors[i], values.AsSpan(i * 4, 4));
        }

        var index = new VectorIndex("m", 4, values, scales, [10, 20, 30]);
        var hits = index.Search([0.5f, 0.85f, 0.1f, 0], 3);
        Assert.Equal([20L, 10L, 30L], hits.Select(h => h.ChunkId));
        Assert.InRange(hits[0].Score, 0.95f, 1.01f);

        var a = Enumerable.Range(0, 100).Select(i => (sbyte)((i * 7 % 255) - 127)).ToArray();
        var b = Enumerable.Range(0, 100).Select(i => (sbyte)((i * 13 % 255) - 127)).ToArray();
        Assert.Equal(a.Zip(b).Sum(p => p.First * p.Second), VectorIndex.Dot(a, b));
    }

    [Fact]
    public async Task Bad_files_are_skipped_with_a_reason_and_the_run_continues()
    {
        using var folder = new TempFolder();
        using var data = new TempFolder();
        var db = Path.Combine(data.Path, "index.db");
        folder.Write("broken.pdf", "%PDF-1.4 this is not really a pdf"u8.ToArray());
        folder.Write("broken.docx", "PK\u0003\u0004 truncated"u8.ToArray());
        folder.Write("latin1.txt", [0x63, 0x61, 0x66, 0xE9]);
        folder.Write("huge.log.txt", Encoding.ASCII.GetBytes(new string('x', 1024 * 1024 + 1)));
        folder.Write("good.md", "# Good\n\nThe capybara section.\n");

        var summary = await RunAsync(folder.Path, db);
        var reasons = summary.Skipped.ToDictionary(s => s.RelativePath, s => s.Reason);

        Assert.Equal(1, summary.FilesIndexed);
        Assert.Equal(SkipReason.BrokenDocument, reasons["broken.pdf"]);
        Assert.Equal(SkipReason.BrokenDocument, reasons["broken.docx"]);
        Assert.Equal(SkipReason.InvalidUtf8, reasons["latin1.txt"]);
        Assert.Equal(SkipReason.TooLarge, reasons["huge.log.txt"]);
        Assert.Equal("good.md", Assert.Single(await SearchAsync(db, "capybara")).Path);
    }

    [Fact]
    public async Task Search_shows_other_files_before_a_second_region_of_the_same_file()
    {
        using var folder = new TempFolder();
        using var data = new TempFolder();
        var db = Path.Combine(data.Path, "index.db");
        var filler = string.Join("\n\n", Enumerable.Range(0, 40).Select(i => $"Filler paragraph number {i} about something else entirely."));
        folder.Write("docs/heron.md", $"# Heron\n\n## Feeding\n\nThe heron heron heron wades.\n\n{filler}\n\n## Nesting\n\nThe heron heron nests.\n");
        folder.Write("docs/pond.md", "# Pond\n\nA heron visits the pond.\n");
        await RunAsync(folder.Path, db);

        var two = await SearchAsync(db, "heron", top: 2);
        Assert.Equal(["docs/heron.md", "docs/pond.md"], two.Select(h => h.Path).Order());

        // With no other file left, the second region of the same file still fills the list.
        var three = await SearchAsync(db, "heron", top: 3);
        Assert.Equal(2, three.Count(h => h.Path == "docs/heron.md"));
        Assert.True(three.Select(h => h.Score).SequenceEqual(three.Select(h => h.Score).OrderDescending()), "hits come in score order");
    }

    [Fact]
    public async Task The_same_passage_in_two_files_is_one_hit()
    {
        using var folder = new TempFolder();
        using var data = new TempFolder();
        var db = Path.Combine(data.Path, "index.db");
        const string Passage = "The kingfisher dives from a perch, catches small fish and returns to beat them against a branch before swallowing them head first.";
        folder.Write("api/birds.md", $"# Birds\n\n{Passage} Kingfisher kingfisher.\n");
        folder.Write("api/birds.html", $"<html><body><h1>Birds</h1><p>{Passage} Kingfisher kingfisher.</p></body></html>\n");
        folder.Write("notes/river.md", "# River\n\nWe saw a kingfisher by the river.\n");
        await RunAsync(folder.Path, db);

        var hits = await SearchAsync(db, "kingfisher", top: 2);
        Assert.Single(hits, h => h.Path.StartsWith("api/birds.", StringComparison.Ordinal));
        Assert.Contains(hits, h => h.Path == "notes/river.md");
    }

    [Fact]
    public async Task An_index_in_use_is_reported_busy_and_a_closed_one_leaves_no_log_file_behind()
    {
        using var folder = new TempFolder();
        using var data = new TempFolder();
        folder.Write("docs/a.md", "# A\n\nAlbatross.\n");
        var db = Path.Combine(data.Path, "index.db");
        using (var store = IndexStore.OpenForIndexing(db, folder.Path, rebuild: false))
        {
            await new WorkspaceIndexer(store).RunAsync(null, CancellationToken.None);
            var busy = Assert.Throws<LlmLspException>(() => IndexStore.OpenExisting(db));
            Assert.Equal(ErrorKind.Busy, busy.Kind);
            Assert.True(File.Exists(IndexStore.LogFilePath(db)), "LiteDB's write-ahead log exists while the index is open");
        }

        Assert.False(File.Exists(IndexStore.LogFilePath(db)), "closing checkpoints the log into the data file and removes it");
        Assert.Single(await SearchAsync(db, "albatross"));
    }

    [Fact]
    public async Task Indexing_a_folder_again_rebuilds_the_index_an_older_llmlsp_wrote_for_it_and_only_that()
    {
        using var folder = new TempFolder();
        using var other = new TempFolder();
        using var data = new TempFolder();
        folder.Write("docs/owl.md", "# Owls\n\nThe barn owl hunts at night.\n");
        static void WriteOlderIndex(string path, string root)
        {
            using var database = new LiteDB.LiteDatabase(path);
            database.GetCollection("meta").Upsert(new LiteDB.BsonDocument { ["_id"] = "index", ["schema"] = IndexStore.SchemaVersion - 1, ["root"] = root, ["nextFileId"] = 2, ["model"] = LiteDB.BsonValue.Null, ["dim"] = 0 });
            database.GetCollection("chunks").Insert(new LiteDB.BsonDocument { ["_id"] = 7, ["fid"] = 1, ["t"] = "a chunk in the old layout" });
        }

        var own = Path.Combine(data.Path, "own.db");
        WriteOlderIndex(own, PathGuard.NormalizeRoot(folder.Path));
        var summary = await RunAsync(folder.Path, own);
        Assert.Equal(IndexStore.SchemaVersion - 1, summary.ReplacedSchema);
        Assert.Equal(1, summary.FilesIndexed);
        Assert.Equal("docs/owl.md", Assert.Single(await SearchAsync(own, "owl")).Path);
        Assert.Null((await RunAsync(folder.Path, own)).ReplacedSchema);

        // An older index of another folder is not this run's to discard: refused, and left as it was.
        var foreign = Path.Combine(data.Path, "foreign.db");
        WriteOlderIndex(foreign, PathGuard.NormalizeRoot(other.Path));
        var bytes = File.ReadAllBytes(foreign);
        var refused = Assert.Throws<LlmLspException>(() => IndexStore.OpenForIndexing(foreign, folder.Path, rebuild: false));
        Assert.Contains("older llmlsp", refused.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(foreign));
    }

    [Fact]
    public void Corrupt_or_newer_index_files_fail_with_a_rebuild_hint_and_rebuild_recovers()
    {
        using var data = new TempFolder();
        using var folder = new TempFolder();
        var garbage = data.Write("garbage.db", Encoding.ASCII.GetBytes(new string('#', 32 * 1024)));
        var corrupt = Assert.Throws<LlmLspException>(() => IndexStore.OpenExisting(garbage));
        Assert.Equal(ErrorKind.IndexCorrupt, corrupt.Kind);
        Assert.Contains("--rebuild", corrupt.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(garbage), "a corrupt index must not be deleted silently");

        var newer = Path.Combine(data.Path, "newer.db");
        using (var database = new LiteDB.LiteDatabase(newer))
        {
            database.GetCollection("meta").Upsert(new LiteDB.BsonDocument { ["_id"] = "index", ["schema"] = IndexStore.SchemaVersion + 1, ["root"] = folder.Path, ["nextFileId"] = 1, ["model"] = LiteDB.BsonValue.Null, ["dim"] = 0 });
        }

        var tooNew = Assert.Throws<LlmLspException>(() => IndexStore.OpenForIndexing(newer, folder.Path, rebuild: false));
        Assert.Equal(ErrorKind.IndexCorrupt, tooNew.Kind);
        Assert.Contains("newer llmlsp", tooNew.Message, StringComparison.Ordinal);

        var older = Path.Combine(data.Path, "older.db");
        using (var database = new LiteDB.LiteDatabase(older))
        {
            database.GetCollection("meta").Upsert(new LiteDB.BsonDocument { ["_id"] = "index", ["schema"] = IndexStore.SchemaVersion - 1, ["root"] = folder.Path, ["nextFileId"] = 1, ["model"] = LiteDB.BsonValue.Null, ["dim"] = 0 });
        }

        // Searching cannot use it; indexing its folder again rebuilds it (next test).
        var tooOld = Assert.Throws<LlmLspException>(() => IndexStore.OpenExisting(older));
        Assert.Equal(ErrorKind.IndexCorrupt, tooOld.Kind);
        Assert.Contains("older llmlsp", tooOld.Message, StringComparison.Ordinal);
        Assert.Contains("llmlsp index <folder>", tooOld.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(older));

        using var rebuilt = IndexStore.OpenForIndexing(garbage, folder.Path, rebuild: true);
        Assert.Equal(PathGuard.NormalizeRoot(folder.Path), rebuilt.Root);
        Assert.Equal(0, rebuilt.CountChunks());

        var missing = Assert.Throws<LlmLspException>(() => IndexStore.OpenExisting(Path.Combine(data.Path, "none.db")));
        Assert.Equal(ErrorKind.IndexNotFound, missing.Kind);
    }
}
