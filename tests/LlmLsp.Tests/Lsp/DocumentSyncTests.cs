using System.Text.Json;
using LlmLsp.Tests.EndToEnd;

namespace LlmLsp.Tests.Lsp;

public sealed class DocumentSyncTests
{
    private const string Uri = "file:///project/sample.txt";

    private static object Edit(int startLine, int startChar, int endLine, int endChar, string text) => new
    {
        range = new { start = new { line = startLine, character = startChar }, end = new { line = endLine, character = endChar } },
        text,
    };

    private static async Task<string> TextAsync(LspTestClient client, int expectedVersion)
    {
        var response = await client.RequestAsync("llmlsp/_documentText", new { uri = Uri });
        var result = response.GetProperty("result");
        Assert.Equal(expectedVersion, result.GetProperty("version").GetInt32());
        return result.GetProperty("text").GetString()!;
    }

    [Fact]
    public async Task Incremental_edits_in_utf16_with_surrogate_pairs_and_multiple_lines()
    {
        var (client, _) = await LspTestClient.StartInitializedAsync();
        await using var _1 = client;
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = Uri, languageId = "plaintext", version = 1, text = "a😀b\n漢字\r\nxyz" } });
        await client.NotifyAsync("textDocument/didChange", new
        {
            textDocument = new { uri = Uri, version = 2 },
            contentChanges = new[] { Edit(0, 3, 0, 3, "Z"), Edit(0, 1, 0, 3, "🎉🎉") },
        });
        Assert.Equal("a🎉🎉Zb\n漢字\r\nxyz", await TextAsync(client, 2));

        await client.NotifyAsync("textDocument/didChange", new
        {
            textDocument = new { uri = Uri, version = 3 },
            contentChanges = new[] { Edit(0, 6, 1, 1, "-\nnew line\n") },
        });
        await client.NotifyAsync("textDocument/didChange", new
        {
            textDocument = new { uri = Uri, version = 4 },
            contentChanges = new[] { Edit(1, 0, 2, 1, string.Empty), Edit(50, 0, 60, 9, "!") },
        });
        Assert.Equal("a🎉🎉Z-\n\r\nxyz!", await TextAsync(client, 4));

        // Full-document sync replaces everything.
        await client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = Uri, version = 5 }, contentChanges = new[] { new { text = "fresh" } } });
        Assert.Equal("fresh", await TextAsync(client, 5));

        await client.NotifyAsync("textDocument/didClose", new { textDocument = new { uri = Uri } });
        var closed = await client.RequestAsync("llmlsp/_documentText", new { uri = Uri });
        Assert.Equal(-32803, closed.GetProperty("error").GetProperty("code").GetInt32());

        await client.RequestAsync("shutdown");
        await client.NotifyAsync("exit");
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Empty(client.FramingViolations);
    }

    [Fact]
    public async Task Utf8_is_negotiated_and_edits_count_bytes()
    {
        var (client, result) = await LspTestClient.StartInitializedAsync(capabilities: new { general = new { positionEncodings = new[] { "utf-32", "utf-8", "utf-16" } } });
        await using var _1 = client;
        Assert.Equal("utf-8", result.GetProperty("capabilities").GetProperty("positionEncoding").GetString());

        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = Uri, languageId = "plaintext", version = 1, text = "é😀漢\nx" } });
        await client.NotifyAsync("textDocument/didChange", new
        {
            textDocument = new { uri = Uri, version = 2 },
            contentChanges = new[]
            {
                Edit(0, 2, 0, 2, "A"), // after é (2 bytes)
                Edit(0, 3, 0, 7, "B"), // the 4-byte emoji
                Edit(0, 7, 0, 7, "C"), // end of line: é A B 漢 = 2+1+1+3
                Edit(0, 5, 0, 5, "D"), // inside 漢: rounds down to its start
                Edit(0, 9, 1, 1, "\ny\n"), // multi-line, across the line break
            },
        });
        Assert.Equal("éABD漢C\ny\n", await TextAsync(client, 2));
    }

    [Fact]
    public async Task Many_edits_apply_in_order()
    {
        var (client, _) = await LspTestClient.StartInitializedAsync();
        await using var _1 = client;
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = Uri, languageId = "plaintext", version = 0, text = string.Empty } });
        var expected = new System.Text.StringBuilder();
        for (int i = 1; i <= 300; i++)
        {
            string piece = i % 7 == 0 ? "😀\n" : ((char)('a' + (i % 26))).ToString();
            var lines = expected.ToString().Split('\n');
            int lastLine = lines.Length - 1;
            int lastChar = lines[^1].Length;
            await client.NotifyAsync("textDocument/didChange", new
            {
                textDocument = new { uri = Uri, version = i },
                contentChanges = new[] { Edit(lastLine, lastChar, lastLine, lastChar, piece) },
            });
            expected.Append(piece);
        }

        Assert.Equal(expected.ToString(), await TextAsync(client, 300));
    }
}
