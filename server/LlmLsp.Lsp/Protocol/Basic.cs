using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmLsp.Protocol;

public sealed record Position(
    [property: JsonPropertyName("line")] int Line,
    [property: JsonPropertyName("character")] int Character);

public sealed record Range(
    [property: JsonPropertyName("start")] Position Start,
    [property: JsonPropertyName("end")] Position End);

public sealed record TextDocumentIdentifier(
    [property: JsonPropertyName("uri")] string Uri);

public sealed record VersionedTextDocumentIdentifier(
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("version")] int Version);

public sealed record TextDocumentItem(
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("languageId")] string LanguageId,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("text")] string Text);

public sealed record WorkspaceFolder(
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("name")] string Name);

/// <summary>LSP <c>integer | string</c> token for progress.</summary>
[JsonConverter(typeof(ProgressTokenConverter))]
public sealed record ProgressToken
{
    public ProgressToken(long number) => Number = number;

    public ProgressToken(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
    }

    public long? Number { get; }

    public string? Text { get; }

    public override string ToString() => Text ?? Number!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class ProgressTokenConverter : JsonConverter<ProgressToken>
{
    public override ProgressToken Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt64(out long n) => new ProgressToken(n),
        JsonTokenType.String => new ProgressToken(reader.GetString()!),
        _ => throw new JsonException("A progress token must be an integer or a string."),
    };

    public override void Write(Utf8JsonWriter writer, ProgressToken value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Text is not null)
        {
            writer.WriteStringValue(value.Text);
        }
        else
        {
            writer.WriteNumberValue(value.Number!.Value);
        }
    }
}
