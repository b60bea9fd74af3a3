using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmLsp.Protocol;

public enum MessageType
{
    Error = 1,
    Warning = 2,
    Info = 3,
    Log = 4,
    Debug = 5,
}

public sealed record LogMessageParams(
    [property: JsonPropertyName("type")] MessageType Type,
    [property: JsonPropertyName("message")] string Message);

public sealed record ShowMessageParams(
    [property: JsonPropertyName("type")] MessageType Type,
    [property: JsonPropertyName("message")] string Message);

public sealed record WorkDoneProgressCreateParams(
    [property: JsonPropertyName("token")] ProgressToken Token);

public sealed record WorkDoneProgressCancelParams(
    [property: JsonPropertyName("token")] ProgressToken Token);

/// <summary><c>$/progress</c>: <see cref="Value"/> is a work-done begin/report/end or a partial result.</summary>
public sealed record ProgressParams(
    [property: JsonPropertyName("token")] ProgressToken Token,
    [property: JsonPropertyName("value")] JsonElement Value);

public sealed record WorkDoneProgressBegin(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("cancellable"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Cancellable = null,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null,
    [property: JsonPropertyName("percentage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Percentage = null)
{
    [JsonPropertyName("kind")]
    public string Kind => "begin";
}

public sealed record WorkDoneProgressReport(
    [property: JsonPropertyName("cancellable"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Cancellable = null,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null,
    [property: JsonPropertyName("percentage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Percentage = null)
{
    [JsonPropertyName("kind")]
    public string Kind => "report";
}

public sealed record WorkDoneProgressEnd(
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null)
{
    [JsonPropertyName("kind")]
    public string Kind => "end";
}

public static class TraceValue
{
    public const string Off = "off";
    public const string Messages = "messages";
    public const string Verbose = "verbose";
}
