using System.CommandLine;
using LlmLsp.Features.Indexing;
using LlmLsp.Index;
using Spectre.Console;

namespace LlmLsp.Cli.Commands;

/// <summary>`llmlsp index &lt;folder&gt; [--db PATH] [--rebuild]`: builds or updates the workspace index.</summary>
internal static class IndexCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "The folder to index." };
        var db = new Option<string?>("--db") { Description = "Index file (default: the user's data directory, keyed by folder)." };
        var rebuild = new Option<bool>("--rebuild") { Description = "Discard the existing index file and build it from scratch." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log details to stderr." };
        var retrieval = new RetrievalCommandOptions();
        var command = new Command("index", "Index a folder (code and documents) for search and ask.") { folder, db, rebuild, verbose };
        retrieval.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync(async cancellationToken =>
        {
            var request = new IndexFolderRequest(parseResult.GetValue(folder)!, parseResult.GetValue(db), parseResult.GetValue(rebuild));
            using var loggerFactory = CliLogging.Create(parseResult.GetValue(verbose));
            var (feature, embeddings) = retrieval.CreateIndex(parseResult, loggerFactory);
            using var _ = embeddings;
            using var __ = feature;
            var summary = Console.IsOutputRedirected || Console.IsErrorRedirected
                ? await feature.IndexFolderAsync(request, new PlainProgress(), cancellationToken).ConfigureAwait(false)
                : await RunWithProgressBarAsync(feature, request, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteAsync(FormatSummary(summary)).ConfigureAwait(false);
            return 0;
        }, ct));
        return command;
    }

    private static async Task<IndexRunSummary> RunWithProgressBarAsync(IndexingFeature feature, IndexFolderRequest request, CancellationToken cancellationToken)
    {
        IndexRunSummary? summary = null;
        await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("scanning", maxValue: 1);
                var progress = new CallbackProgress<IndexProgress>(p =>
                {
                    task.Description = p.Phase.ToString().ToLowerInvariant();
                    task.MaxValue = Math.Max(1, p.FilesTotal);
                    task.Value = p.Phase == IndexPhase.Done ? task.MaxValue : p.FilesDone;
                });
                summary = await feature.IndexFolderAsync(request, progress, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return summary!;
    }

    internal static string FormatSummary(IndexRunSummary summary)
    {
        var writer = new StringWriter();
        writer.WriteLine($"indexed {summary.Root} in {summary.Elapsed.TotalSeconds:F1} s");
        if (summary.ReplacedSchema is { } schema)
        {
            writer.WriteLine($"  rebuilt: the index was written by an older llmlsp (schema v{schema}), so every file was indexed again");
        }

        writer.WriteLine($"  files: {summary.FilesSeen} seen, {summary.FilesIndexed} indexed, {summary.FilesUnchanged} unchanged, {summary.FilesRemoved} removed, {summary.FilesReembedded} re-embedded");
        writer.WriteLine($"  chunks: {summary.ChunksWritten} written, {summary.TotalChunks} in the index");
        if (summary.EmbeddingProblem is { } problem)
        {
            writer.WriteLine($"  vectors: none this run, search uses keywords only: {problem}");
        }
        else if (summary.EmbeddingModel is { } model)
        {
            writer.WriteLine(summary.PreviousEmbeddingModel is { } previous && summary.FilesReembedded > 0
                ? $"  vectors: {model} (the index held {previous} vectors: {summary.FilesReembedded} files re-embedded, once)"
                : $"  vectors: {model}");
        }
        else
        {
            writer.WriteLine("  vectors: off (keyword only)");
        }
        writer.WriteLine($"  skipped: {summary.Skipped.Count}");
        foreach (var group in summary.Skipped.GroupBy(s => s.Reason).OrderByDescending(g => g.Count()))
        {
            var examples = string.Join(", ", group.Take(3).Select(s => s.RelativePath));
            var more = group.Count() > 3 ? ", ..." : "";
            writer.WriteLine($"    {ReasonText(group.Key)}: {group.Count()} ({examples}{more})");
        }

        writer.WriteLine($"  index: {summary.DatabasePath}");
        return writer.ToString();
    }

    private static string ReasonText(SkipReason reason) => reason switch
    {
        SkipReason.GitIgnored => "ignored by .gitignore",
        SkipReason.LlmLspIgnored => "ignored by .llmlspignore",
        SkipReason.BuildOrToolDirectory => "build or tool directory",
        SkipReason.LockFile => "lock file",
        SkipReason.Secret => "possible secret",
        SkipReason.TooLarge => "too large",
        SkipReason.Binary => "binary",
        SkipReason.SymlinkOutsideFolder => "symlink leaving the folder",
        SkipReason.SymlinkedDirectory => "symlinked directory (walked at its target)",
        SkipReason.Unreadable => "unreadable",
        SkipReason.InvalidUtf8 => "not valid UTF-8",
        SkipReason.BrokenDocument => "broken document",
        _ => reason.ToString(),
    };

    /// <summary>One line per step on stderr when output is not a terminal (logs, CI, tests that watch progress).</summary>
    private sealed class PlainProgress : IProgress<IndexProgress>
    {
        private int _lastPrinted = -1;

        public void Report(IndexProgress value)
        {
            var step = Math.Max(1, value.FilesTotal / 100);
            if (value.Phase is IndexPhase.Scanning or IndexPhase.Done || value.FilesDone - _lastPrinted >= step || value.FilesDone == value.FilesTotal)
            {
                if (value.FilesDone == _lastPrinted && value.Phase is not (IndexPhase.Scanning or IndexPhase.Done))
                {
                    return;
                }

                _lastPrinted = value.FilesDone;
                Console.Error.WriteLine($"{value.Phase.ToString().ToLowerInvariant()}: {value.FilesDone}/{value.FilesTotal} files");
            }
        }
    }
}

/// <summary>Runs the callback on the reporting thread, unlike Progress&lt;T&gt;, so updates stay in order.</summary>
internal sealed class CallbackProgress<T>(Action<T> onReport) : IProgress<T>
{
    public void Report(T value) => onReport(value);
}
