using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmLsp.Engine;

/// <summary>The engine as a Microsoft.Extensions.AI chat client: messages are formatted with the model's
/// chat template (ChatML when it has none), and the answer streams as it is generated.</summary>
public sealed class LlamaChatClient : IChatClient
{
    /// <summary>ChatOptions.AdditionalProperties key for min-p sampling.</summary>
    public const string MinPKey = "min_p";

    /// <summary>ChatOptions.AdditionalProperties key for the repetition penalty.</summary>
    public const string RepeatPenaltyKey = "repeat_penalty";

    private readonly LlamaEngine _engine;
    private readonly ChatClientMetadata _metadata;
    private readonly bool _ignoreEndOfGeneration;

    /// <param name="ignoreEndOfGeneration">Benchmark only: keep generating past end-of-generation tokens, so
    /// random-weight models answer with a fixed number of tokens.</param>
    public LlamaChatClient(LlamaEngine engine, bool ignoreEndOfGeneration = false)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _ignoreEndOfGeneration = ignoreEndOfGeneration;
        _metadata = new ChatClientMetadata("llama.cpp", providerUri: null, defaultModelId: Path.GetFileName(engine.Model.Path));
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
        => await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turns = messages.Select(m => (m.Role.Value, m.Text)).ToList();
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            turns.Insert(0, (ChatRole.System.Value, instructions));
        }
        var request = new GenerationRequest
        {
            Prompt = _engine.FormatChat(turns),
            // The template already starts with whatever BOS-like marker the model expects.
            AddSpecialTokens = false,
            MaxTokens = options?.MaxOutputTokens ?? 1024,
            StopSequences = options?.StopSequences?.ToArray() ?? [],
            Sampling = ToSampling(options),
            Lane = ComputeLane.Background,
            Slot = GenerationSlot.Chat,
            IgnoreEndOfGeneration = _ignoreEndOfGeneration,
        };
        var responseId = Guid.NewGuid().ToString("N");
        var modelId = options?.ModelId ?? _metadata.DefaultModelId;
        await foreach (var update in _engine.GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (update.Result is { } result)
            {
                var last = new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails
                {
                    InputTokenCount = result.PromptTokens,
                    OutputTokenCount = result.GeneratedTokens,
                    TotalTokenCount = result.PromptTokens + result.GeneratedTokens,
                })])
                {
                    FinishReason = result.FinishReason is FinishReason.MaxTokens or FinishReason.ContextFull or FinishReason.TimeBudget
                        ? ChatFinishReason.Length
                        : ChatFinishReason.Stop,
                    ResponseId = responseId,
                    MessageId = responseId,
                    ModelId = modelId,
                };
                yield return last;
            }
            else
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, update.Text)
                {
                    ResponseId = responseId,
                    MessageId = responseId,
                    ModelId = modelId,
                };
            }
        }
    }

    private static SamplingOptions ToSampling(ChatOptions? options)
    {
        if (options is null)
        {
            return SamplingOptions.Greedy;
        }
        var sampling = new SamplingOptions
        {
            Temperature = options.Temperature ?? 0f,
            TopK = options.TopK ?? SamplingOptions.Greedy.TopK,
            TopP = options.TopP ?? SamplingOptions.Greedy.TopP,
            FrequencyPenalty = options.FrequencyPenalty ?? 0f,
            PresencePenalty = options.PresencePenalty ?? 0f,
            Seed = options.Seed is { } seed ? unchecked((uint)seed) : SamplingOptions.Greedy.Seed,
        };
        if (options.AdditionalProperties?.TryGetValue(MinPKey, out float minP) == true)
        {
            sampling = sampling with { MinP = minP };
        }
        if (options.AdditionalProperties?.TryGetValue(RepeatPenaltyKey, out float repeatPenalty) == true)
        {
            sampling = sampling with { RepeatPenalty = repeatPenalty };
        }
        return sampling;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(_engine) ? _engine
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>The engine is owned by whoever created it; disposing the client does not unload the model.</summary>
    public void Dispose()
    {
    }
}
