using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using LlmLsp.Engine;
using LlmLsp.Features.Docs;
using LlmLsp.Features.Indexing;
using LlmLsp.Models;
using LlmLsp.Options;

namespace LlmLsp.Cli.Commands;

/// <summary>`llmlsp ask "question" [--db PATH] [--model M] [--json]`: answers from the indexed files with
/// citations; without a model, prints the most relevant passages and how to get a model.</summary>
internal static class AskCommand
{
    public static Command Create()
    {
        var question = new Argument<string>("question") { Description = "What you want to know about the indexed files." };
        var db = new Option<string?>("--db") { Description = "Index file (default: the index of the current folder or its nearest indexed ancestor)." };
        var model = new Option<string?>("--model", "-m") { Description = "GGUF chat model to answer with (default: the chat model chosen with `llmlsp models use`)." };
        var top = new Option<int>("--top") { Description = "How many passages to give the model.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object {answer, citations, notice} at the end." };
        var threads = new Option<int?>("--threads", "-t") { Description = "Compute threads (default: physical cores)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log engine details to stderr." };
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Longest answer, in tokens.", DefaultValueFactory = _ => 512 };
        var retrieval = new RetrievalCommandOptions();
        var command = new Command("ask", "Ask a question about the indexed files; the answer cites them.")
        {
            question, db, model, top, json, threads, verbose, maxTokens,
        };
        retrieval.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            using var loggerFactory = CliLogging.Create(parse.GetValue(verbose));
            // Without --model: the chat model chosen with `llmlsp models use` (or the recommended one if
            // downloaded); with none at all, ask still answers with the passages it found.
            // A chat server in config.json (backend) answers when no --model is given.
            using var backends = ConfiguredBackends.Load();
            var remote = parse.GetValue(model) is null ? backends.For(ModelRole.Chat) : null;
            using var manager = new ModelManager(UserDirectories.FromEnvironment());
            var modelPath = remote is null ? parse.GetValue(model) ?? manager.TryResolve(ModelRole.Chat)?.Path : null;
            using var engine = modelPath is null
                ? null
                : LlamaEngine.Load(new EngineOptions { ModelPath = modelPath, Threads = parse.GetValue(threads) }, loggerFactory);
            var chatModel = remote is not null ? ChatModel.FromRemote(remote.Server, new ModelOptions().ContextSize)
                : engine is null ? null : ChatModel.FromEngine(engine);
            var (index, embeddings) = retrieval.CreateIndex(parse, loggerFactory, parse.GetValue(threads));
            using var _ = embeddings;
            using var __ = index;
            var feature = new AskFeature(index, chatModel,
                new AskOptions { AnswerTokens = Math.Max(1, parse.GetValue(maxTokens)) });
            var asJson = parse.GetValue(json);
            AskResult? result = null;
            await foreach (var update in feature.AskAsync(new AskRequest(parse.GetValue(question)!, parse.GetValue(top), parse.GetValue(db)), ct).ConfigureAwait(false))
            {
                if (update.Result is not null)
                {
                    result = update.Result;
                }
                else if (!asJson)
                {
                    await Console.Out.WriteAsync(update.Delta).ConfigureAwait(false);
                    await Console.Out.FlushAsync(ct).ConfigureAwait(false);
                }
            }
            if (result is null)
            {
                return CommandRunner.ExitFailure;
            }
            if (asJson)
            {
                await WriteJsonAsync(result, Console.OpenStandardOutput(), ct).ConfigureAwait(false);
            }
            else
            {
                await WriteTextAsync(result).ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken));
        return command;
    }

    private static async Task WriteTextAsync(AskResult result)
    {
        var output = Console.Out;
        if (result.Answer.Length > 0)
        {
            await output.WriteLineAsync().ConfigureAwait(false);
        }
        if (result.Notice is { } notice)
        {
            await output.WriteLineAsync(notice).ConfigureAwait(false);
        }
        if (result.Answer.Length == 0)
        {
            // No answer: the passages themselves are the result.
            foreach (var passage in result.Passages)
            {
                await output.WriteLineAsync().ConfigureAwait(false);
                await output.WriteLineAsync($"[{passage.Number}] {Location(passage.Path, passage.StartLine, passage.EndLine, passage.Page)}"
                    + (passage.Heading.Length > 0 ? $"  ({passage.Heading})" : "")).ConfigureAwait(false);
                foreach (var line in passage.Text.Trim().Split('\n').Take(8))
                {
                    await output.WriteLineAsync("    " + line.TrimEnd()).ConfigureAwait(false);
                }
            }
            return;
        }
        if (result.Citations.Count > 0)
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("Sources:").ConfigureAwait(false);
            foreach (var citation in result.Citations)
            {
                await output.WriteLineAsync($"  [{citation.Number}] {Location(citation.Path, citation.StartLine, citation.EndLine, citation.Page)}").ConfigureAwait(false);
            }
        }
    }

    private static string Location(string path, int startLine, int endLine, int? page)
        => page is { } p ? $"{path} (page {p})" : $"{path}:{startLine}-{endLine}";

    private static async Task WriteJsonAsync(AskResult result, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteString("answer", result.Answer);
        writer.WriteStartArray("citations");
        foreach (var citation in result.Citations)
        {
            writer.WriteStartObject();
            writer.WriteNumber("n", citation.Number);
            writer.WriteString("path", citation.Path);
            writer.WriteNumber("startLine", citation.StartLine);
            writer.WriteNumber("endLine", citation.EndLine);
            if (citation.Page is { } page)
            {
                writer.WriteNumber("page", page);
            }
            else
            {
                writer.WriteNull("page");
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        if (result.Notice is { } notice)
        {
            writer.WriteString("notice", notice);
        }
        else
        {
            writer.WriteNull("notice");
        }
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
