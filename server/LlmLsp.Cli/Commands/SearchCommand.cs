using System.CommandLine;
using System.Text.Json;
using LlmLsp.Features.Indexing;
using LlmLsp.Retrieval;

namespace LlmLsp.Cli.Commands;

/// <summary>`llmlsp search "&lt;query&gt;" [--db PATH] [--top K] [--json]`: searches the index of the
/// current folder (or its nearest indexed ancestor) or of --db.</summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        var query = new Argument<string>("query") { Description = "What to look for." };
        var db = new Option<string?>("--db") { Description = "Index file (default: the index of the current folder or its nearest indexed ancestor)." };
        var top = new Option<int>("--top") { Description = "How many hits to return.", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print {\"hits\":[...]} as JSON." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log details to stderr." };
        var retrieval = new RetrievalCommandOptions();
        var command = new Command("search", "Search the workspace index.") { query, db, top, json, verbose };
        retrieval.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync(async cancellationToken =>
        {
            using var loggerFactory = CliLogging.Create(parseResult.GetValue(verbose));
            var (feature, embeddings) = retrieval.CreateIndex(parseResult, loggerFactory);
            using var _ = embeddings;
            using var __ = feature;
            var hits = await feature.SearchAsync(new SearchRequest(parseResult.GetValue(query)!, parseResult.GetValue(top), parseResult.GetValue(db)), cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(json))
            {
                await WriteJsonAsync(hits, Console.OpenStandardOutput(), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                foreach (var hit in hits)
                {
                    var page = hit.Page is { } p ? $" p.{p}" : "";
                    await Console.Out.WriteLineAsync($"{hit.Path}{page}:{hit.StartLine}-{hit.EndLine}  [{hit.Heading}]  {hit.Score:F3}").ConfigureAwait(false);
                    await Console.Out.WriteLineAsync("    " + hit.Snippet.Replace("\n", "\n    ", StringComparison.Ordinal)).ConfigureAwait(false);
                }
            }

            return 0;
        }, ct));
        return command;
    }

    internal static async Task WriteJsonAsync(IReadOnlyList<SearchHit> hits, Stream output, CancellationToken cancellationToken)
    {
        // Relaxed escaping keeps headings like "A > B" and backticks readable; the output is never embedded in HTML.
        await using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteStartArray("hits");
        foreach (var hit in hits)
        {
            writer.WriteStartObject();
            writer.WriteString("path", hit.Path);
            writer.WriteNumber("startLine", hit.StartLine);
            writer.WriteNumber("endLine", hit.EndLine);
            if (hit.Page is { } page)
            {
                writer.WriteNumber("page", page);
            }
            else
            {
                writer.WriteNull("page");
            }

            writer.WriteString("heading", hit.Heading);
            writer.WriteNumber("score", hit.Score);
            writer.WriteString("snippet", hit.Snippet);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
