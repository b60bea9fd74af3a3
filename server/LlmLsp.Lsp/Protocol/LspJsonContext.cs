using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmLsp.Protocol;

/// <summary>Source-generated serialisation for every protocol type: no reflection at startup, and the null-omission
/// and required-member rules are the same everywhere.</summary>
[JsonSourceGenerationOptions(
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(InitializeParams))]
[JsonSerializable(typeof(InitializeResult))]
[JsonSerializable(typeof(InitializedParams))]
[JsonSerializable(typeof(SetTraceParams))]
[JsonSerializable(typeof(DidOpenTextDocumentParams))]
[JsonSerializable(typeof(DidChangeTextDocumentParams))]
[JsonSerializable(typeof(DidCloseTextDocumentParams))]
[JsonSerializable(typeof(DidSaveTextDocumentParams))]
[JsonSerializable(typeof(DidChangeConfigurationParams))]
[JsonSerializable(typeof(ConfigurationParams))]
[JsonSerializable(typeof(DidChangeWatchedFilesParams))]
[JsonSerializable(typeof(DidChangeWorkspaceFoldersParams))]
[JsonSerializable(typeof(ExecuteCommandParams))]
[JsonSerializable(typeof(LogMessageParams))]
[JsonSerializable(typeof(ShowMessageParams))]
[JsonSerializable(typeof(WorkDoneProgressCreateParams))]
[JsonSerializable(typeof(WorkDoneProgressCancelParams))]
[JsonSerializable(typeof(ProgressParams))]
[JsonSerializable(typeof(WorkDoneProgressBegin))]
[JsonSerializable(typeof(WorkDoneProgressReport))]
[JsonSerializable(typeof(WorkDoneProgressEnd))]
[JsonSerializable(typeof(SlowParams))]
[JsonSerializable(typeof(DocumentTextParams))]
[JsonSerializable(typeof(DocumentTextResult))]
[JsonSerializable(typeof(TestProgressParams))]
[JsonSerializable(typeof(TestProgressResult))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(InlineCompletionParams))]
[JsonSerializable(typeof(InlineCompletionList))]
[JsonSerializable(typeof(CompletionParams))]
[JsonSerializable(typeof(CompletionList))]
[JsonSerializable(typeof(ChatParams))]
[JsonSerializable(typeof(ChatResult))]
[JsonSerializable(typeof(TextDelta))]
[JsonSerializable(typeof(AskParams))]
[JsonSerializable(typeof(AskResult))]
[JsonSerializable(typeof(SearchParams))]
[JsonSerializable(typeof(SearchResult))]
[JsonSerializable(typeof(IndexFolderResult))]
[JsonSerializable(typeof(ModelsParams))]
[JsonSerializable(typeof(ModelsResult))]
[JsonSerializable(typeof(PullModelParams))]
[JsonSerializable(typeof(ModelDto))]
[JsonSerializable(typeof(object))]
public sealed partial class LspJsonContext : JsonSerializerContext;
