using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmLsp.Tests.EndToEnd;

namespace LlmLsp.Tests.Lsp;

public sealed class RequestPipelineTests
{
    [Fact]
    public async Task Cancel_request_answers_32800_promptly()
    {
        var (client, _) = await LspTestClient.StartInitializedAsync();
        await using var _1 = client;
        var (id, response) = client.BeginRequest("llmlsp/_slow", new { delayMs = 60_000 });
        // A read that follows is not held up by the slow one.
        var quick = await client.RequestAsync("llmlsp/_slow", new { delayMs = 0 });
        Assert.True(quick.TryGetProperty("result", out _));

        var watch = Stopwatch.StartNew();
        await client.NotifyAsync("$/cancelRequest", new { id });
        var cancelled = await response.WaitAsync(TestTimeout.Token(TimeSpan.FromSeconds(5)));
        Assert.Equal(-32800, cancelled.GetProperty("error").GetProperty("code").GetInt32());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"cancellation took {watch.Elapsed}");
    }

    [Fact]
    public async Task Work_done_progress_on_a_client_token_begins_reports_and_ends_in_order()
    {
        var (client, _) = await LspTestClient.StartInitializedAsync();
        await using var _1 = client;
        var response = await client.RequestAsync("llmlsp/_progress", new { steps = 3, workDoneToken = "t1" });
        Assert.Equal(3, response.GetProperty("result").GetProperty("items").GetArrayLength());

        var kinds = new List<string>();
        while (kinds.Count < 5)
        {
            var progress = await client.NextNotificationAsync("$/progress");
            Assert.Equal("t1", progress.GetProperty("params").GetProperty("token").GetString());
            kinds.Add(progress.GetProperty("params").GetProperty("value").GetProperty("kind").GetString()!);
        }

        Assert.Equal(["begin", "report", "report", "report", "end"], kinds);
    }

    [Fact]
    public async Task Server_created_progress_and_partial_results()
    {
        var (client, _) = await LspTestClient.StartInitializedAsync(capabilities: new { window = new { workDoneProgress = true } });
        await using var _1 = client;
        var response = await client.RequestAsync("llmlsp/_progress", new { steps = 2, partialResultToken = 42 });
        Assert.Equal(0, response.GetProperty("result").GetProperty("items").GetArrayLength());

        var create = await client.NextServerRequestAsync();
        Assert.Equal("window/workDoneProgress/create", create.GetProperty("method").GetString());
        string token = create.GetProperty("params").GetProperty("token").GetString()!;

        var partial = new List<string>();
        var workDone = new List<string>();
        while (workDone.Count < 4 || partial.Count < 2)
        {
            var p = (await client.NextNotificationAsync("$/progress")).GetProperty("params");
            if (p.GetProperty("token").ValueKind == JsonValueKind.Number)
            {
                Assert.Equal(42, p.GetProperty("token").GetInt32());
                partial.Add(p.GetProperty("value")[0].GetString()!);
            }
            else
            {
                Assert.Equal(token, p.GetProperty("token").GetString());
                workDone.Add(p.GetProperty("value").GetProperty("kind").GetString()!);
            }
        }

        Assert.Equal(["item 1", "item 2"], partial);
        Assert.Equal(["begin", "report", "report", "end"], workDone);
    }

    [Fact]
    public async Task Cancelling_work_done_progress_ends_it_and_cancels_the_request()
    {
        var (client, _) = await LspTestClient.StartInitializedAsync();
        await using var _1 = client;
        var (_, response) = client.BeginRequest("llmlsp/_progress", new { steps = 5, workDoneToken = "c1", waitForCancel = true });
        var begin = await client.NextNotificationAsync("$/progress");
        Assert.Equal("begin", begin.GetProperty("params").GetProperty("value").GetProperty("kind").GetString());
        Assert.True(begin.GetProperty("params").GetProperty("value").GetProperty("cancellable").GetBoolean());
        var report = await client.NextNotificationAsync("$/progress");
        Assert.Equal("report", report.GetProperty("params").GetProperty("value").GetProperty("kind").GetString());

        await client.NotifyAsync("window/workDoneProgress/cancel", new { token = "c1" });
        var end = await client.NextNotificationAsync("$/progress");
        Assert.Equal("end", end.GetProperty("params").GetProperty("value").GetProperty("kind").GetString());
        var answer = await response.WaitAsync(TestTimeout.Token());
        Assert.Equal(-32800, answer.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Bad_settings_are_reported_by_name_from_initialization_options_and_pulled_configuration()
    {
        await using var client = LspTestClient.Start();
        client.Configuration = JsonNode.Parse("""{"chat":{"maxTokens":"lots"}}""");
        await client.RequestAsync("initialize", new
        {
            processId = (int?)null,
            capabilities = new { workspace = new { configuration = true } },
            initializationOptions = new { completion = new { maxTokens = -5 } },
        });
        var first = await client.NextNotificationAsync("window/showMessage");
        Assert.Contains("llmlsp.completion.maxTokens", first.GetProperty("params").GetProperty("message").GetString(), StringComparison.Ordinal);

        await client.NotifyAsync("initialized", new { });
        var request = await client.NextServerRequestAsync();
        Assert.Equal("workspace/configuration", request.GetProperty("method").GetString());
        var messages = new List<string>();
        while (!messages.Any(m => m.Contains("llmlsp.chat.maxTokens", StringComparison.Ordinal)))
        {
            messages.Add((await client.NextNotificationAsync("window/showMessage")).GetProperty("params").GetProperty("message").GetString()!);
        }
    }

    [Fact]
    public async Task Bad_params_get_32602_and_unknown_methods_32601()
    {
        var (client, _) = await LspTestClient.StartInitializedAsync();
        await using var _1 = client;
        var bad = await client.RequestAsync("llmlsp/_documentText", new { uri = 5 });
        Assert.Equal(-32602, bad.GetProperty("error").GetProperty("code").GetInt32());
        var missing = await client.RequestAsync("llmlsp/_documentText", new { });
        Assert.Equal(-32602, missing.GetProperty("error").GetProperty("code").GetInt32());
        var unknown = await client.RequestAsync("textDocument/unheardOf", new { });
        Assert.Equal(-32601, unknown.GetProperty("error").GetProperty("code").GetInt32());
        var command = await client.RequestAsync("workspace/executeCommand", new { command = "nope" });
        Assert.Equal(-32602, command.GetProperty("error").GetProperty("code").GetInt32());
    }
}
