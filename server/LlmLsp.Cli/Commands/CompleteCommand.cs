using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using LlmLsp.Engine;
using LlmLsp.Features.Completion;
using LlmLsp.Models;

namespace LlmLsp.Cli.Commands;

/// <summary>`llmlsp complete --file F --line L --column C`: the inline suggestion an editor would show at
/// that cursor (1-based line and column, column in UTF-16 code units like most editors).</summary>
internal static class CompleteCommand
{
    public static Command Create()
    {
        var engineOptions = new EngineCommandOptions(ModelRole.Completion);
        var file = new Option<FileInfo>("--file", "-f") { Description = "The source file.", Required = true };
        var line = new Option<int>("--line", "-l") { Description = "1-based line of the cursor.", Required = true };
        var column = new Option<int>("--column") { Description = "1-based column of the cursor.", Required = true };
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 64 };
        var json = new Option<bool>("--json") { Description = "Print {text, source, promptTokens, evaluatedTokens, elapsedMs}." };
        var command = new Command("complete", "Show the code completion for a cursor position in a file.");
        engineOptions.AddTo(command);
        command.Options.Add(file);
        command.Options.Add(line);
        command.Options.Add(column);
        command.Options.Add(maxTokens);
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            var source = parse.GetValue(file)!;
            if (!source.Exists)
            {
                throw new LlmLspException(ErrorKind.InvalidInput, $"File not found: {source.FullName}");
            }
            var text = await File.ReadAllTextAsync(source.FullName, ct).ConfigureAwait(false);
            var offset = OffsetOf(text, parse.GetValue(line), parse.GetValue(column));
            using var loggerFactory = CliLogging.Create(parse.GetValue(engineOptions.Verbose));
            using var backends = ConfiguredBackends.Load();
            var remote = parse.GetValue(engineOptions.Model) is null ? backends.For(ModelRole.Completion) : null;
            using var engine = remote is null ? LlamaEngine.Load(engineOptions.ToEngineOptions(parse), loggerFactory) : null;
            var settings = new CompletionSettings { MaxTokens = parse.GetValue(maxTokens) };
            using var feature = engine is null ? new CompletionFeature(remote!.InfillModel, settings) : new CompletionFeature(engine, settings);
            var result = await feature.CompleteAsync(new CompletionRequest(source.FullName, source.Name, text, offset), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await using var stdout = Console.OpenStandardOutput();
                await using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                {
                    writer.WriteStartObject();
                    if (result.Text is null)
                    {
                        writer.WriteNull("text");
                    }
                    else
                    {
                        writer.WriteString("text", result.Text);
                    }
                    writer.WriteString("source", result.Source.ToString().ToLowerInvariant());
                    writer.WriteNumber("promptTokens", result.PromptTokens);
                    writer.WriteNumber("evaluatedTokens", result.EvaluatedTokens);
                    writer.WriteNumber("elapsedMs", Math.Round(result.Elapsed.TotalMilliseconds, 1));
                    writer.WriteEndObject();
                }
                await stdout.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
            }
            else if (result.Text is not null)
            {
                await Console.Out.WriteLineAsync(result.Text).ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken));
        return command;
    }

    private static int OffsetOf(string text, int line, int column)
    {
        if (line < 1 || column < 1)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, "--line and --column are 1-based.");
        }
        var offset = 0;
        for (var current = 1; current < line; current++)
        {
            var newline = text.IndexOf('\n', offset);
            if (newline < 0)
            {
                throw new LlmLspException(ErrorKind.InvalidInput, $"The file has only {current} lines.");
            }
            offset = newline + 1;
        }
        var lineEnd = text.IndexOf('\n', offset);
        var length = (lineEnd < 0 ? text.Length : lineEnd) - offset;
        if (column - 1 > length)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"Line {line} has only {length} characters.");
        }
        return offset + column - 1;
    }
}
