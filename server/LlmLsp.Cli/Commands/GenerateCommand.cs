using System.CommandLine;
using LlmLsp.Engine;

namespace LlmLsp.Cli.Commands;

/// <summary>`llmlsp generate`: streams a completion of a raw prompt (or a chat turn with --chat).</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var engineOptions = new EngineCommandOptions();
        var prompt = new Argument<string>("prompt") { Description = "The text to continue." };
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Stop after this many tokens.", DefaultValueFactory = _ => 128 };
        var temperature = new Option<float>("--temperature") { Description = "0 = greedy.", DefaultValueFactory = _ => 0f };
        var seed = new Option<uint>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 42u };
        var stop = new Option<string[]>("--stop") { Description = "Stop when this text appears (repeatable).", AllowMultipleArgumentsPerToken = false };
        var chat = new Option<bool>("--chat") { Description = "Treat the prompt as a user message and apply the model's chat template." };
        var stats = new Option<bool>("--stats") { Description = "Print token counts and speed to stderr at the end." };

        var command = new Command("generate", "Generate text with a local model, streaming it as it comes.");
        engineOptions.AddTo(command);
        command.Arguments.Add(prompt);
        command.Options.Add(maxTokens);
        command.Options.Add(temperature);
        command.Options.Add(seed);
        command.Options.Add(stop);
        command.Options.Add(chat);
        command.Options.Add(stats);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            using var loggerFactory = CliLogging.Create(parse.GetValue(engineOptions.Verbose));
            using var engine = LlamaEngine.Load(engineOptions.ToEngineOptions(parse), loggerFactory);
            var text = parse.GetValue(prompt) ?? "";
            var asChat = parse.GetValue(chat);
            var request = new GenerationRequest
            {
                Prompt = asChat ? engine.FormatChat([("user", text)]) : text,
                AddSpecialTokens = !asChat,
                MaxTokens = parse.GetValue(maxTokens),
                StopSequences = parse.GetValue(stop) ?? [],
                Sampling = new SamplingOptions { Temperature = parse.GetValue(temperature), Seed = parse.GetValue(seed) },
            };
            var stdout = Console.Out;
            await foreach (var update in engine.GenerateAsync(request, ct).ConfigureAwait(false))
            {
                if (update.Result is { } result)
                {
                    await stdout.WriteLineAsync().ConfigureAwait(false);
                    if (parse.GetValue(stats))
                    {
                        var tps = result.GeneratedTokens / Math.Max(result.GenerationTime.TotalSeconds, 1e-9);
                        await Console.Error.WriteLineAsync(
                            $"prompt {result.PromptTokens} tokens ({result.EvaluatedPromptTokens} evaluated, {result.PromptTime.TotalMilliseconds:F0} ms); " +
                            $"generated {result.GeneratedTokens} tokens ({tps:F1} tokens/s); finish: {result.FinishReason}").ConfigureAwait(false);
                    }
                }
                else
                {
                    await stdout.WriteAsync(update.Text).ConfigureAwait(false);
                    await stdout.FlushAsync(ct).ConfigureAwait(false);
                }
            }
            return 0;
        }, cancellationToken));
        return command;
    }
}
