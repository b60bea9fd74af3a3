using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using LlmLsp.Features.Docs;
using LlmLsp.Features.Indexing;
using LlmLsp.Models;
using Microsoft.Extensions.AI;

namespace LlmLsp.Features.Chat;

/// <summary>What the editor adds to a chat turn: the active document, a selection in it, and whether to
/// search the workspace index for sources.</summary>
public sealed record ChatContext(
    string? DocumentPath = null,
    string? DocumentText = null,
    string? Selection = null,
    int SelectionStartLine = 1,
    bool Workspace = false);

public sealed record ChatRequest(IReadOnlyList<ChatTurn> Messages, ChatContext? Context = null);

public sealed record ChatResult(
    string Text,
    string FinishReason,
    int PromptTokens,
    int CompletionTokens,
    TimeSpan Elapsed,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<SourcePassage> Sources);

/// <summary>A streamed piece of the answer; the last update carries the result.</summary>
public sealed record ChatUpdate(string Delta, ChatResult? Result = null);

public sealed record ChatFeatureOptions
{
    public int AnswerTokens { get; init; } = 1024;
    public string? SystemPrompt { get; init; }
    public float Temperature { get; init; } = 0.2f;
    public int WorkspaceSources { get; init; } = 5;
}

/// <summary>Streamed chat with optional grounding: the selection, the active document and workspace search
/// results become numbered sources, fenced as untrusted data. History is trimmed oldest first to fit the
/// context. Cancelling ends the answer early and still returns what was produced.</summary>
public sealed class ChatFeature
{
    private readonly ChatModel? _model;
    private readonly IndexingFeature? _index;
    private readonly ChatFeatureOptions _options;

    public ChatFeature(ChatModel? model, IndexingFeature? index = null, ChatFeatureOptions? options = null)
    {
        _model = model;
        _index = index;
        _options = options ?? new ChatFeatureOptions();
    }

    public async IAsyncEnumerable<ChatUpdate> ChatAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var model = _model ?? throw ModelGuidance.NoModelConfigured(ModelRole.Chat, ModelCatalogue.BuiltIn());
        if (request.Messages.Count == 0 || request.Messages[^1].Role != "user" || string.IsNullOrWhiteSpace(request.Messages[^1].Content))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, "A chat request needs a last message from the user.");
        }
        var question = request.Messages[^1].Content;
        var history = request.Messages.Take(request.Messages.Count - 1).ToList();
        var sources = await GatherSourcesAsync(question, request.Context, cancellationToken).ConfigureAwait(false);

        var systemPrompt = _options.SystemPrompt ?? AskPromptBuilder.DefaultChatSystemPrompt;
        var prompt = new AskPromptBuilder(model.CountTokens, model.ContextSize, _options.AnswerTokens, systemPrompt).Build(question, sources, history);
        var messages = prompt.Messages.Select(m => new ChatMessage(new ChatRole(m.Role), m.Content)).ToList();
        var chatOptions = new ChatOptions { MaxOutputTokens = _options.AnswerTokens, Temperature = _options.Temperature };

        var clock = Stopwatch.StartNew();
        var answer = new StringBuilder();
        var finish = "stop";
        var usage = (Prompt: prompt.Tokens, Completion: 0);
        await using var updates = model.Client.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }
                update = updates.Current;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                finish = "cancelled";
                break;
            }
            if (update.FinishReason is { } reason)
            {
                finish = reason == ChatFinishReason.Length ? "length" : "stop";
            }
            foreach (var content in update.Contents.OfType<UsageContent>())
            {
                usage = ((int?)content.Details.InputTokenCount ?? usage.Prompt, (int?)content.Details.OutputTokenCount ?? usage.Completion);
            }
            if (update.Text.Length > 0)
            {
                answer.Append(update.Text);
                yield return new ChatUpdate(update.Text);
            }
        }
        var text = answer.ToString();
        var citations = CitationExtractor.Extract(text, prompt.Sources);
        yield return new ChatUpdate("", new ChatResult(text, finish, usage.Prompt, usage.Completion, clock.Elapsed, citations, prompt.Sources));
    }

    private async Task<List<SourcePassage>> GatherSourcesAsync(string question, ChatContext? context, CancellationToken cancellationToken)
    {
        var sources = new List<SourcePassage>();
        if (context is null)
        {
            return sources;
        }
        var path = context.DocumentPath ?? "current document";
        if (!string.IsNullOrEmpty(context.Selection))
        {
            var lines = context.Selection.Split('\n').Length;
            sources.Add(new SourcePassage(sources.Count + 1, path, context.SelectionStartLine, context.SelectionStartLine + lines - 1, null, "selection", context.Selection));
        }
        if (!string.IsNullOrEmpty(context.DocumentText))
        {
            var lines = context.DocumentText.Split('\n').Length;
            sources.Add(new SourcePassage(sources.Count + 1, path, 1, lines, null, "current file", context.DocumentText));
        }
        if (context.Workspace && _index is not null)
        {
            IReadOnlyList<Retrieval.SearchHit> hits;
            try
            {
                hits = await _index.SearchAsync(new SearchRequest(question, _options.WorkspaceSources,
                    Directory: context.DocumentPath is { } doc ? Path.GetDirectoryName(doc) : null), cancellationToken).ConfigureAwait(false);
            }
            catch (LlmLspException ex) when (ex.Kind == ErrorKind.IndexNotFound)
            {
                // No index yet: answer from the conversation alone rather than failing the chat.
                hits = [];
            }
            foreach (var hit in hits)
            {
                sources.Add(new SourcePassage(sources.Count + 1, hit.Path, hit.StartLine, hit.EndLine, hit.Page, hit.Heading, hit.Text));
            }
        }
        return sources;
    }
}
