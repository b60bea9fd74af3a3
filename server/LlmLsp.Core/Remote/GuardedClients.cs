using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmLsp.Remote;

/// <summary>OpenAI's chat client with this project's failure messages and stall guard.</summary>
internal sealed class GuardedChatClient(RemoteServer server, IChatClient inner) : DelegatingChatClient(inner)
{
    private const string Path = "/v1/chat/completions";

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        server.CallAsync(Path, ct => base.GetResponseAsync(messages, options, ct), cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in server.StreamAsync(Path, ct => base.GetStreamingResponseAsync(messages, options, ct), cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }
}

/// <summary>OpenAI's embedding client with this project's failure messages and time limit.</summary>
internal sealed class GuardedEmbeddingGenerator(RemoteServer server, IEmbeddingGenerator<string, Embedding<float>> inner)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyCollection<string> ?? values.ToArray();
        var result = await server.CallAsync("/v1/embeddings", ct => base.GenerateAsync(texts, options, ct), cancellationToken).ConfigureAwait(false);
        if (result.Count != texts.Count)
        {
            throw new LlmLspException(ErrorKind.Backend, $"{server.Endpoint} returned {result.Count} embeddings for {texts.Count} texts.");
        }
        if (result.Any(e => e.Vector.Length == 0 || !AllFinite(e.Vector.Span)))
        {
            throw new LlmLspException(ErrorKind.Backend, $"{server.Endpoint} returned an empty or non-numeric embedding.");
        }
        return result;
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (var value in values)
        {
            if (!float.IsFinite(value))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>Benchmark only: adds llama-server's <c>ignore_eos</c> to every chat request, so random-weight models stream a
/// fixed length.</summary>
public sealed class IgnoreEndOfGenerationChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, WithIgnoreEos(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, WithIgnoreEos(options), cancellationToken);

    private static ChatOptions WithIgnoreEos(ChatOptions? options)
    {
        var copy = options?.Clone() ?? new ChatOptions();
        copy.RawRepresentationFactory = _ =>
        {
            var raw = new OpenAI.Chat.ChatCompletionOptions();
#pragma warning disable SCME0001 // JsonPatch is the SDK's way to send a field it does not model
            raw.Patch.Set("$.ignore_eos"u8, true);
#pragma warning restore SCME0001
            return raw;
        };
        return copy;
    }
}
