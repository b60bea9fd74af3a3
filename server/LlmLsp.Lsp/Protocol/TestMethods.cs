using System.Text.Json.Serialization;

namespace LlmLsp.Protocol;

// Parameters of the test-only llmlsp/_* methods (see docs/lsp-extensions.md). Not a product surface.

public sealed record SlowParams(
    [property: JsonPropertyName("delayMs")] int DelayMs);

public sealed record DocumentTextParams(
    [property: JsonPropertyName("uri")] string Uri);

public sealed record DocumentTextResult(
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("languageId")] string LanguageId,
    [property: JsonPropertyName("text")] string Text);

public sealed record TestProgressParams(
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("waitForCancel"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? WaitForCancel = null,
    [property: JsonPropertyName("workDoneToken"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProgressToken? WorkDoneToken = null,
    [property: JsonPropertyName("partialResultToken"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProgressToken? PartialResultToken = null);

public sealed record TestProgressResult(
    [property: JsonPropertyName("items")] IReadOnlyList<string> Items);
