using System.Text.Json.Serialization;

namespace LlmLsp.Protocol;

// textDocument/inlineCompletion (LSP 3.18) and textDocument/completion.

public sealed record InlineCompletionContext(
    [property: JsonPropertyName("triggerKind")] int TriggerKind);

public sealed record InlineCompletionParams(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("position")] Position Position,
    [property: JsonPropertyName("context"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] InlineCompletionContext? Context = null);

public sealed record InlineCompletionItem(
    [property: JsonPropertyName("insertText")] string InsertText,
    [property: JsonPropertyName("range"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Range? Range = null);

public sealed record InlineCompletionList(
    [property: JsonPropertyName("items")] IReadOnlyList<InlineCompletionItem> Items);

public sealed record CompletionParams(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("position")] Position Position);

public sealed record CompletionItem(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("insertText")] string InsertText,
    [property: JsonPropertyName("kind")] int Kind,
    [property: JsonPropertyName("sortText")] string SortText,
    [property: JsonPropertyName("filterText")] string FilterText,
    [property: JsonPropertyName("preselect")] bool Preselect,
    [property: JsonPropertyName("insertTextFormat")] int InsertTextFormat,
    [property: JsonPropertyName("textEdit")] TextEdit TextEdit,
    [property: JsonPropertyName("detail"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null);

public sealed record TextEdit(
    [property: JsonPropertyName("range")] Range Range,
    [property: JsonPropertyName("newText")] string NewText);

public sealed record CompletionList(
    [property: JsonPropertyName("isIncomplete")] bool IsIncomplete,
    [property: JsonPropertyName("items")] IReadOnlyList<CompletionItem> Items);

/// <summary>Serialises as <c>{}</c>: inline completion without options.</summary>
public sealed record InlineCompletionOptions;

public sealed record CompletionOptionsCapability(
    [property: JsonPropertyName("resolveProvider")] bool ResolveProvider);

// llmlsp/chat, llmlsp/ask, llmlsp/search (docs/lsp-extensions.md).

public sealed record ChatMessageDto(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content);

public sealed record ChatContextDto(
    [property: JsonPropertyName("uri"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Uri = null,
    [property: JsonPropertyName("selection"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Range? Selection = null,
    [property: JsonPropertyName("includeDocument"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? IncludeDocument = null,
    [property: JsonPropertyName("workspace"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Workspace = null);

public sealed record ChatParams(
    [property: JsonPropertyName("messages")] IReadOnlyList<ChatMessageDto> Messages,
    [property: JsonPropertyName("context"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChatContextDto? Context = null,
    [property: JsonPropertyName("partialResultToken"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProgressToken? PartialResultToken = null,
    [property: JsonPropertyName("workDoneToken"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProgressToken? WorkDoneToken = null);

/// <summary>One streamed piece of an answer, sent as the value of <c>$/progress</c> on the partialResultToken.</summary>
public sealed record TextDelta(
    [property: JsonPropertyName("delta")] string Delta);

public sealed record CitationDto(
    [property: JsonPropertyName("n")] int Number,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("startLine")] int StartLine,
    [property: JsonPropertyName("endLine")] int EndLine,
    [property: JsonPropertyName("page"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Page = null,
    [property: JsonPropertyName("uri"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Uri = null);

public sealed record ChatResult(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("finishReason")] string FinishReason,
    [property: JsonPropertyName("promptTokens")] int PromptTokens,
    [property: JsonPropertyName("completionTokens")] int CompletionTokens,
    [property: JsonPropertyName("elapsedMs")] double ElapsedMs,
    [property: JsonPropertyName("citations")] IReadOnlyList<CitationDto> Citations);

public sealed record AskParams(
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("top"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Top = null,
    [property: JsonPropertyName("partialResultToken"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProgressToken? PartialResultToken = null,
    [property: JsonPropertyName("workDoneToken"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProgressToken? WorkDoneToken = null);

public sealed record AskResult(
    [property: JsonPropertyName("answer")] string Answer,
    [property: JsonPropertyName("citations")] IReadOnlyList<CitationDto> Citations,
    [property: JsonPropertyName("finishReason")] string FinishReason,
    [property: JsonPropertyName("notice"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Notice = null);

public sealed record SearchParams(
    [property: JsonPropertyName("query")] string Query,
    [property: JsonPropertyName("top"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Top = null);

public sealed record SearchHitDto(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("startLine")] int StartLine,
    [property: JsonPropertyName("endLine")] int EndLine,
    [property: JsonPropertyName("page")] int? Page,
    [property: JsonPropertyName("heading")] string Heading,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("snippet")] string Snippet,
    [property: JsonPropertyName("uri"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Uri = null);

public sealed record SearchResult(
    [property: JsonPropertyName("hits")] IReadOnlyList<SearchHitDto> Hits);

/// <summary>The result of <c>workspace/executeCommand</c> <c>llmlsp.indexFolder</c>.</summary>
public sealed record IndexFolderResult(
    [property: JsonPropertyName("folder")] string Folder,
    [property: JsonPropertyName("filesIndexed")] int FilesIndexed,
    [property: JsonPropertyName("filesUnchanged")] int FilesUnchanged,
    [property: JsonPropertyName("filesRemoved")] int FilesRemoved,
    [property: JsonPropertyName("filesSkipped")] int FilesSkipped,
    [property: JsonPropertyName("chunks")] int Chunks,
    [property: JsonPropertyName("elapsedMs")] double ElapsedMs,
    [property: JsonPropertyName("filesReembedded")] int FilesReembedded = 0,
    [property: JsonPropertyName("embeddingModel")] string? EmbeddingModel = null,
    [property: JsonPropertyName("embeddingProblem")] string? EmbeddingProblem = null);

// llmlsp/models and llmlsp/pullModel.

public sealed record ModelsParams;

public sealed record ModelDto(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("sizeBytes")] long? SizeBytes,
    [property: JsonPropertyName("sha256")] string? Sha256,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("defaultFor")] IReadOnlyList<string> DefaultFor,
    [property: JsonPropertyName("selectedFor")] IReadOnlyList<string> SelectedFor);

public sealed record ModelsResult(
    [property: JsonPropertyName("models")] IReadOnlyList<ModelDto> Models);

public sealed record PullModelParams(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("workDoneToken"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProgressToken? WorkDoneToken = null);
