using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LlmLsp.Tests.EndToEnd;

namespace LlmLsp.Tests.Lsp;

/// <summary>Seeded hostile input against the real server. Recoverable garbage goes over one long connection, each
/// input checked for exactly the right answer (or none); unrecoverable framing goes to fresh processes, which must
/// close deliberately and say why on stderr.</summary>
public sealed class FuzzTests
{
    private const int Seed = 20_240_611;
    private const int HostileInputs = 2_000;
    private const string OpenUri = "file:///fuzz.txt";

    /// <summary>What a hostile input must produce: a response with this code and id (null id = JSON null), or nothing.</summary>
    private sealed record Expectation(int? Code, object? Id, bool Answered);

    private sealed record Input(string Category, byte[] Body, Expectation Expect);

    [Fact]
    public async Task Survives_thousands_of_hostile_inputs_on_one_connection()
    {
        var watch = Stopwatch.StartNew();
        var random = new Random(Seed);
        await using var client = LspTestClient.Start();
        var categories = new Dictionary<string, int>();
        int sent = 0;
        long nextId = 1;

        async Task CheckAsync(Input input)
        {
            categories[input.Category] = categories.GetValueOrDefault(input.Category) + 1;
            await client.SendFrameAsync(input.Body);
            sent++;
            if (!input.Expect.Answered)
            {
                return;
            }

            JsonElement response;
            try
            {
                response = await client.NextUnmatchedResponseAsync(TestTimeout.Token(TimeSpan.FromSeconds(5)));
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no answer to {input.Category}: {Preview(input.Body)}\n{client.Stderr[^Math.Min(2000, client.Stderr.Length)..]}");
                throw;
            }

            string what = $"{input.Category}: {Preview(input.Body)} -> {response}";
            Assert.True(response.TryGetProperty("error", out var error), what);
            Assert.Equal(input.Expect.Code, error.GetProperty("code").GetInt32());
            var id = response.GetProperty("id");
            switch (input.Expect.Id)
            {
                case null:
                    Assert.True(id.ValueKind == JsonValueKind.Null, what);
                    break;
                case long n:
                    Assert.True(id.ValueKind == JsonValueKind.Number && id.GetInt64() == n, what);
                    break;
                case string s:
                    Assert.True(id.ValueKind == JsonValueKind.String && id.GetString() == s, what);
                    break;
            }
        }

        // Before initialize: known requests are refused with -32002, notifications dropped, garbage still answered.
        for (int i = 0; i < 100; i++)
        {
            await CheckAsync((i % 4) switch
            {
                0 => Req("before-init", nextId++, "llmlsp/_slow", """{"delayMs":0}""", -32002),
                1 => Req("before-init", nextId++, "shutdown", null, -32002),
                2 => Note("before-init-notification", "textDocument/didOpen", """{"textDocument":{"uri":"file:///x","languageId":"c","version":1,"text":"x"}}"""),
                _ => Generate(random, ref nextId, initialized: false),
            });
        }

        var init = await client.RequestAsync("initialize", new { processId = (int?)null, capabilities = new { } });
        Assert.True(init.TryGetProperty("result", out _));
        await client.NotifyAsync("initialized", new { });
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = OpenUri, languageId = "plaintext", version = 1, text = "line one\nline two 😀\n" } });

        while (sent < HostileInputs)
        {
            await CheckAsync(Generate(random, ref nextId));
            if (sent % 250 == 0)
            {
                // The server still answers real requests correctly in between.
                var text = await client.RequestAsync("llmlsp/_documentText", new { uri = OpenUri });
                Assert.True(text.TryGetProperty("result", out _), text.ToString());
            }
        }

        var final = await client.RequestAsync("llmlsp/_documentText", new { uri = OpenUri });
        Assert.Equal(OpenUri, final.GetProperty("result").GetProperty("uri").GetString());
        Assert.False(client.TryReadUnmatchedResponse(out var extra), $"unexpected extra response: {extra}");
        Assert.Empty(client.FramingViolations);

        await client.RequestAsync("shutdown");
        await client.NotifyAsync("exit");
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Empty(client.FramingViolations);
        Assert.True(categories.Count >= 14, string.Join(", ", categories.Keys));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("missing Content-Length", "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}")]
    [InlineData("negative Content-Length", "Content-Length: -5\r\n\r\n{}")]
    [InlineData("huge Content-Length", "Content-Length: 99999999999\r\n\r\n{}")]
    [InlineData("non-numeric Content-Length", "Content-Length: abc\r\n\r\n{}")]
    [InlineData("zero Content-Length", "Content-Length: 0\r\n\r\n")]
    [InlineData("header without colon", "Content-Length 12\r\n\r\n")]
    [InlineData("unsupported charset", "Content-Length: 2\r\nContent-Type: application/json; charset=utf-16\r\n\r\n{}")]
    [InlineData("no blank line in 9 KiB", "Content-Length: 2\r\nX-Padding: ")]
    public async Task Unrecoverable_framing_closes_the_connection_deliberately(string name, string frame)
    {
        await using var client = LspTestClient.Start();
        var ok = await client.RequestAsync("llmlsp/_slow", new { delayMs = 0 });
        Assert.Equal(-32002, ok.GetProperty("error").GetProperty("code").GetInt32());

        byte[] bytes = Encoding.ASCII.GetBytes(frame);
        if (name.StartsWith("no blank line", StringComparison.Ordinal))
        {
            bytes = [.. bytes, .. Enumerable.Repeat((byte)'x', 9 * 1024)];
        }

        await client.SendRawAsync(bytes);
        Assert.Equal(1, await client.WaitForExitAsync());
        Assert.Contains("framing error", client.Stderr, StringComparison.Ordinal);
        Assert.Empty(client.FramingViolations);
    }

    [Fact]
    public async Task Truncated_frame_at_end_of_input_exits_cleanly()
    {
        await using var client = LspTestClient.Start();
        await client.SendRawAsync(Encoding.ASCII.GetBytes("Content-Length: 100\r\n\r\n{\"jsonrpc\":\"2.0\""));
        await client.CloseInputAsync();
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Contains("inside a frame", client.Stderr, StringComparison.Ordinal);
        Assert.Empty(client.FramingViolations);
    }

    private static Input Generate(Random random, ref long nextId, bool initialized = true)
    {
        long id = nextId++;
        object anyId = random.Next(2) == 0 ? id : $"s{id}";
        string idJson = anyId is long n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"\"{anyId}\"";
        switch (random.Next(20))
        {
            case 0:
                return new("invalid JSON", RandomInvalidJson(random), new(-32700, null, true));
            case 1:
                string[] nonObjects = ["[]", "42", "\"text\"", "null", "true", $"[{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"method\":\"x\"}}]"];
                return new("not an object", Utf8(nonObjects[random.Next(nonObjects.Length)]), new(-32600, null, true));
            case 2:
                string[] versions = ["\"1.0\"", "2", "null", "\"2.0 \""];
                return random.Next(5) == 0
                    ? new("missing jsonrpc", Utf8($"{{\"id\":{idJson},\"method\":\"llmlsp/_slow\"}}"), new(-32600, anyId, true))
                    : new("wrong jsonrpc", Utf8($"{{\"jsonrpc\":{versions[random.Next(versions.Length)]},\"id\":{idJson},\"method\":\"x\"}}"), new(-32600, anyId, true));
            case 3:
                string[] badIds = ["{}", "[]", "true", "1.5", "null", "99999999999999999999999"];
                return new("wrong-typed id", Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{badIds[random.Next(badIds.Length)]},\"method\":\"llmlsp/_slow\"}}"), new(-32600, null, true));
            case 4:
                string[] badMethods = ["5", "null", "{}", "[\"x\"]", "false"];
                return new("wrong-typed method", Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"method\":{badMethods[random.Next(badMethods.Length)]}}}"), new(-32600, anyId, true));
            case 5:
                return new("missing method", Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"params\":{{}}}}"), new(-32600, anyId, true));
            case 6:
                string[] badParams = ["\"text\"", "5", "true"];
                return random.Next(3) == 0
                    ? Note("wrong-typed params notification", "textDocument/didChange", badParams[random.Next(badParams.Length)])
                    : new("wrong-typed params", Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"method\":\"llmlsp/_documentText\",\"params\":{badParams[random.Next(badParams.Length)]}}}"), new(-32602, anyId, true));
            case 7:
                string[] wrongShapes = ["""{"uri":5}""", """{}""", """{"uri":null}""", """{"uri":["a"]}"""];
                return new("wrong params shape", Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"method\":\"llmlsp/_documentText\",\"params\":{wrongShapes[random.Next(wrongShapes.Length)]}}}"), new(initialized ? -32602 : -32002, anyId, true));
            case 8:
                int depth = random.Next(65, 3000);
                return new("deep nesting", Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"method\":\"x\",\"params\":{{\"a\":{new string('[', depth)}{new string(']', depth)}}}}}"), new(-32700, null, true));
            case 9 when random.Next(40) == 0:
                string huge = new('x', 10 * 1024 * 1024);
                return new("10 MB string", Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"method\":\"llmlsp/_documentText\",\"params\":{{\"uri\":\"{huge}\"}}}}"), new(initialized ? -32803 : -32002, anyId, true));
            case 10:
                string[] unknown = ["textDocument/unheardOf", "$/unknownRequest", "llmlsp/nothing", ""];
                return new("unknown method", Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"method\":\"{unknown[random.Next(unknown.Length)]}\",\"params\":{{}}}}"), new(-32601, anyId, true));
            case 11:
                string[] notes = ["$/unknownNotification", "custom/notify", "$/setTrace", "textDocument/didOpen"];
                return Note("unknown or bad notification", notes[random.Next(notes.Length)], "{\"weird\":[1,2,3]}");
            case 12:
                return Note("edit out of range", "textDocument/didChange",
                    $"{{\"textDocument\":{{\"uri\":\"{OpenUri}\",\"version\":{id}}},\"contentChanges\":[{{\"range\":{{\"start\":{{\"line\":{random.Next(-5, 1000)},\"character\":{random.Next(-5, 1000)}}},\"end\":{{\"line\":{random.Next(-5, 1000)},\"character\":{random.Next(-5, 100000)}}}}},\"text\":\"z\"}}]}}");
            case 13:
                return Note("edit to unopened document", "textDocument/didChange",
                    "{\"textDocument\":{\"uri\":\"file:///never\",\"version\":2},\"contentChanges\":[{\"text\":\"x\"}]}");
            case 14:
                return new("unsolicited response", Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"result\":{{\"x\":1}}}}"), new(null, null, false));
            case 15:
                return new("malformed response", Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"error\":{{\"code\":\"bad\"}}}}"), new(null, null, false));
            case 16:
                return new("invalid UTF-8", [.. Utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\""), 0xFF, 0xFE, .. Utf8("\"}")], new(-32700, null, true));
            case 17:
                return Req("array params", id, "llmlsp/_documentText", "[1,2]", -32602);
            case 18 when initialized:
                return Req("second initialize", id, "initialize", "{\"capabilities\":{}}", -32600);
            default:
                return Req("crash", id, "llmlsp/_crash", null, initialized ? -32603 : -32002);
        }
    }

    private static Input Req(string category, long id, string method, string? parameters, int code) =>
        new(category, Utf8($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\"{(parameters is null ? string.Empty : ",\"params\":" + parameters)}}}"), new(code, id, true));

    private static Input Note(string category, string method, string parameters) =>
        new(category, Utf8($"{{\"jsonrpc\":\"2.0\",\"method\":\"{method}\",\"params\":{parameters}}}"), new(null, null, false));

    private static byte[] RandomInvalidJson(Random random)
    {
        const string alphabet = "{}[]:,\"abc123 \\\n\t";
        var text = new StringBuilder("{");
        int length = random.Next(1, 60);
        for (int i = 0; i < length; i++)
        {
            text.Append(alphabet[random.Next(alphabet.Length)]);
        }

        // An unclosed object can never be valid JSON, whatever came before.
        return Utf8(text.Append("\"unterminated").ToString());
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Preview(byte[] body) => Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 160));
}
