using System.CommandLine;
using System.Globalization;
using LlmLsp.Engine;

namespace LlmLsp.Cli.Commands;

/// <summary>`llmlsp embed`: prints the dimension and first values of a text's embedding.</summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        // Without --model: the embedding model search uses (the built-in one unless another is chosen).
        var engineOptions = new EngineCommandOptions(Models.ModelRole.Embedding);
        var text = new Argument<string>("text") { Description = "The text to embed." };
        var count = new Option<int>("--show") { Description = "How many leading values to print.", DefaultValueFactory = _ => 8 };
        var command = new Command("embed", "Compute a normalised embedding of a text with a local embedding model.");
        engineOptions.AddTo(command);
        command.Arguments.Add(text);
        command.Options.Add(count);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            using var loggerFactory = CliLogging.Create(parse.GetValue(engineOptions.Verbose));
            using var engine = LlamaEngine.Load(engineOptions.ToEngineOptions(parse), loggerFactory);
            var vectors = await engine.EmbedAsync([parse.GetValue(text) ?? ""], ct).ConfigureAwait(false);
            var vector = vectors[0];
            var shown = vector.Take(Math.Max(0, parse.GetValue(count))).Select(v => v.ToString("F6", CultureInfo.InvariantCulture));
            await Console.Out.WriteLineAsync($"model: {engine.Model.Path}").ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"dimension: {vector.Length}").ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"values: [{string.Join(", ", shown)}{(vector.Length > parse.GetValue(count) ? ", ..." : "")}]").ConfigureAwait(false);
            return 0;
        }, cancellationToken));
        return command;
    }
}
