using LlmLsp.Engine;
using Microsoft.Extensions.AI;

namespace LlmLsp.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class ChatClientTests(EngineFixture fixture)
{
    [Fact]
    public async Task The_chat_client_streams_an_answer_that_matches_the_full_response()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        IChatClient client = new LlamaChatClient(fixture.Decoder);
        var options = new ChatOptions { MaxOutputTokens = 16, Instructions = "You are terse." };
        List<ChatMessage> messages = [new(ChatRole.User, "What is a token?")];

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, timeout.Token))
        {
            updates.Add(update);
        }
        var response = await client.GetResponseAsync(messages, options, timeout.Token);

        Assert.True(updates.Count > 1);
        Assert.Equal(response.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(16, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public void Chat_formatting_uses_the_models_template()
    {
        var prompt = fixture.Decoder.FormatChat([("system", "be brief"), ("user", "hi")]);

        Assert.Equal("<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", prompt);
    }
}
