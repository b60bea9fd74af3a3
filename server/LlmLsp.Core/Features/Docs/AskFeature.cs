using System.Runtime.CompilerServices;
using System.Text;
using LlmLsp.Features.Indexing;
using LlmLsp.Models;
using LlmLsp.Retrieval;
using Microsoft.Extensions.AI;

namespace LlmLsp.Features.Docs;

public sealed record AskRequest(
    string Question,
    int Top = 5,
    string? DatabasePath = null,
    string? Directory = null,
    IReadOnlyList<ChatTurn>? History = null);

/// <summary>A streamed piece of the answer; the last update carries the result.</summary>
public sealed record AskUpdate(string Delta, AskResult? Result = null);

public sealed record AskOptions
{
    public int AnswerTokens { get; init; } = 512;
    public string? SystemPrompt { get; init; }
    public float Temperature { get; init; }
}

/// <summary>"Ask the docs": retrieve passages from the index, let the model answer from them with [n]
/// markers, and return only the citations the answer really makes. Without a model it returns the
/// passages themselves and says how to get one.</summary>
public sealed class AskFeature
{
    /// <summary>What ask says instead of an answer when there is no chat model: the passages, and how to get one.</summary>
    public static string NoModelNotice { get; } =
        "Here are the most relevant passages instead of an answer. " + ModelGuidance.NoModelConfigured(ModelRole.Chat, ModelCatalogue.BuiltIn()).Message;

    private readonly IndexingFeature _index;
    private readonly ChatModel? _model;
    private readonly AskOptions _options;

    public AskFeature(IndexingFeature index, ChatModel? model, AskOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        _index = index;
        _model = model;
        _options = options ?? new AskOptions();
    }

    public async IAsyncEnumerable<AskUpdate> AskAsync(AskRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Question))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, "The question is empty.");
        }
        var hits = await _index.SearchAsync(new SearchRequest(request.Question, Math.Clamp(request.Top, 1, 50), request.DatabasePath, request.Directory),
            cancellationToken).ConfigureAwait(false);
        var passages = hits.Select((hit, i) => ToPassage(hit, i + 1)).ToList();

        if (_model is null)
        {
            var citations = passages.Select(p => new Citation(p.Number, p.Path, p.StartLine, p.EndLine, p.Page)).ToList();
            yield return new AskUpdate("", new AskResult("", citations, passages, NoModelNotice, "no_model"));
            yield break;
        }

        var builder = new AskPromptBuilder(_model.CountTokens, _model.ContextSize, _options.AnswerTokens, _options.SystemPrompt);
        var prompt = builder.Build(request.Question, passages, request.History);
        var messages = prompt.Messages.Select(m => new ChatMessage(new ChatRole(m.Role), m.Content)).ToList();
        var chatOptions = new ChatOptions { MaxOutputTokens = _options.AnswerTokens, Temperature = _options.Temperature };
        var answer = new StringBuilder();
        var finish = "stop";
        await foreach (var update in _model.Client.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false))
        {
            if (update.FinishReason is { } reason)
            {
                finish = reason == ChatFinishReason.Length ? "length" : "stop";
            }
            var text = update.Text;
            if (text.Length > 0)
            {
                answer.Append(text);
                yield return new AskUpdate(text);
            }
        }
        var final = answer.ToString();
        var notice = passages.Count == 0 ? "Nothing in the index matched the question; the answer is not grounded in your files." : null;
        yield return new AskUpdate("", new AskResult(final, CitationExtractor.Extract(final, prompt.Sources), prompt.Sources, notice, finish));
    }

    private static SourcePassage ToPassage(SearchHit hit, int number)
        => new(number, hit.Path, hit.StartLine, hit.EndLine, hit.Page, hit.Heading, hit.Text);
}
