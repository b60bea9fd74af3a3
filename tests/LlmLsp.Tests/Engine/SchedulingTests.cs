using LlmLsp.Engine;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.Engine;

public sealed class SchedulingTests
{
    [Fact]
    public async Task A_completion_during_a_long_chat_answer_is_served_before_the_chat_finishes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var engine = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 2048, Threads = 2 });
        var chat = new GenerationRequest
        {
            Prompt = "a long answer about everything",
            MaxTokens = 400,
            IgnoreEndOfGeneration = true,
            Lane = ComputeLane.Background,
            Slot = GenerationSlot.Chat,
        };
        var completion = new GenerationRequest { Prompt = "int x =", MaxTokens = 4, Lane = ComputeLane.Latency, Slot = GenerationSlot.Completion };
        var chatPieces = 0;
        var chatPiecesWhenCompletionDone = -1;
        Task<GenerationResult>? completionTask = null;

        await foreach (var update in engine.GenerateAsync(chat, timeout.Token))
        {
            chatPieces++;
            if (chatPieces == 1)
            {
                completionTask = engine.GenerateTextAsync(completion, timeout.Token);
            }
            if (completionTask is { IsCompleted: true } && chatPiecesWhenCompletionDone < 0)
            {
                chatPiecesWhenCompletionDone = chatPieces;
            }
        }

        var completed = await completionTask!;
        Assert.True(completed.GeneratedTokens > 0);
        Assert.InRange(chatPiecesWhenCompletionDone, 1, chatPieces - 50);
        Assert.True(engine.Scheduler.Counters.LatencyStepsDuringBackground >= 2, "no latency step ran while the chat was in progress");
    }
}
