using System.Diagnostics;
using System.Text.Json;
using LlmLsp.Tests.EndToEnd;

namespace LlmLsp.Tests.Lsp;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Shutdown_then_exit_ends_with_code_0()
    {
        var (client, result) = await LspTestClient.StartInitializedAsync();
        await using var _ = client;
        Assert.Equal("utf-16", result.GetProperty("capabilities").GetProperty("positionEncoding").GetString());
        Assert.Equal(2, result.GetProperty("capabilities").GetProperty("textDocumentSync").GetProperty("change").GetInt32());
        // Only implemented commands are advertised.
        Assert.Equal(["llmlsp.indexFolder"], result.GetProperty("capabilities").GetProperty("executeCommandProvider").GetProperty("commands").EnumerateArray().Select(c => c.GetString()));

        var shutdown = await client.RequestAsync("shutdown");
        Assert.Equal(JsonValueKind.Null, shutdown.GetProperty("result").ValueKind);
        var after = await client.RequestAsync("llmlsp/_slow", new { delayMs = 0 });
        Assert.Equal(-32600, after.GetProperty("error").GetProperty("code").GetInt32());

        await client.NotifyAsync("exit");
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Empty(client.FramingViolations);
    }

    [Fact]
    public async Task Exit_without_shutdown_ends_with_code_1()
    {
        var (client, _) = await LspTestClient.StartInitializedAsync();
        await using var _1 = client;
        await client.NotifyAsync("exit");
        Assert.Equal(1, await client.WaitForExitAsync());
        Assert.Empty(client.FramingViolations);
    }

    [Fact]
    public async Task End_of_input_exits_cleanly()
    {
        var (client, _) = await LspTestClient.StartInitializedAsync();
        await using var _1 = client;
        await client.CloseInputAsync();
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.DoesNotContain("Exception", client.Stderr, StringComparison.Ordinal);
        Assert.Contains("Input ended", client.Stderr, StringComparison.Ordinal);
        Assert.Empty(client.FramingViolations);
    }

    [Fact]
    public async Task Requests_before_initialize_get_32002_and_initialize_twice_gets_32600()
    {
        await using var client = LspTestClient.Start();
        var early = await client.RequestAsync("llmlsp/_slow", new { delayMs = 0 });
        Assert.Equal(-32002, early.GetProperty("error").GetProperty("code").GetInt32());
        await client.RequestAsync("initialize", new { processId = (int?)null, capabilities = new { } });
        var again = await client.RequestAsync("initialize", new { processId = (int?)null, capabilities = new { } });
        Assert.Equal(-32600, again.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Before_initialize_every_request_gets_32002_even_unserved_ones_and_notifications_are_dropped()
    {
        await using var client = LspTestClient.Start();
        var hover = await client.RequestAsync("textDocument/hover", new { textDocument = new { uri = "file:///a.py" }, position = new { line = 0, character = 0 } });
        Assert.Equal(-32002, hover.GetProperty("error").GetProperty("code").GetInt32());
        var madeUp = await client.RequestAsync("no/suchMethod");
        Assert.Equal(-32002, madeUp.GetProperty("error").GetProperty("code").GetInt32());

        // Notifications before initialize, served or not, are dropped: nothing answers them and the document stays unknown.
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = "file:///early.py", languageId = "python", version = 1, text = "early" } });
        await client.NotifyAsync("no/suchNotification", new { });
        await client.RequestAsync("initialize", new { processId = (int?)null, capabilities = new { } });
        await client.NotifyAsync("initialized", new { });
        var early = await client.RequestAsync("llmlsp/_documentText", new { uri = "file:///early.py" });
        Assert.Equal(-32803, early.GetProperty("error").GetProperty("code").GetInt32());
        Assert.False(client.TryReadUnmatchedResponse(out var stray), $"unexpected message: {stray}");

        // Once initialized, an unserved method is "not found"; after shutdown it is refused as an invalid request.
        var afterInit = await client.RequestAsync("textDocument/hover", new { textDocument = new { uri = "file:///a.py" }, position = new { line = 0, character = 0 } });
        Assert.Equal(-32601, afterInit.GetProperty("error").GetProperty("code").GetInt32());
        await client.RequestAsync("shutdown");
        var afterShutdown = await client.RequestAsync("textDocument/hover", new { textDocument = new { uri = "file:///a.py" }, position = new { line = 0, character = 0 } });
        Assert.Equal(-32600, afterShutdown.GetProperty("error").GetProperty("code").GetInt32());
        await client.NotifyAsync("exit");
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Empty(client.FramingViolations);
    }

    [Fact]
    public async Task Server_exits_when_the_client_process_dies()
    {
        using var fakeClient = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var (client, _) = await LspTestClient.StartInitializedAsync(processId: fakeClient.Id);
        await using var _1 = client;
        fakeClient.Kill();
        await fakeClient.WaitForExitAsync(TestTimeout.Token());
        Assert.Equal(1, await client.WaitForExitAsync(TestTimeout.Token(TimeSpan.FromSeconds(10))));
        Assert.Contains("is gone", client.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bug_in_a_handler_fails_only_its_request_with_32603_and_is_logged()
    {
        var (client, _) = await LspTestClient.StartInitializedAsync();
        await using var _1 = client;
        var crash = await client.RequestAsync("llmlsp/_crash");
        Assert.Equal(-32603, crash.GetProperty("error").GetProperty("code").GetInt32());
        var log = await client.NextNotificationAsync("window/logMessage");
        Assert.Contains("llmlsp/_crash", log.GetProperty("params").GetProperty("message").GetString(), StringComparison.Ordinal);
        var ok = await client.RequestAsync("llmlsp/_slow", new { delayMs = 0 });
        Assert.True(ok.TryGetProperty("result", out _));
        Assert.Contains("llmlsp/_crash", client.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expected_failure_is_32803_with_kind()
    {
        var (client, _) = await LspTestClient.StartInitializedAsync();
        await using var _1 = client;
        var response = await client.RequestAsync("llmlsp/_documentText", new { uri = "file:///not-open" });
        var error = response.GetProperty("error");
        Assert.Equal(-32803, error.GetProperty("code").GetInt32());
        Assert.Equal("InvalidInput", error.GetProperty("data").GetProperty("kind").GetString());
        Assert.Contains("not open", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_methods_are_absent_without_the_environment_variable()
    {
        await using var client = LspTestClient.Start(testMethods: false);
        await client.RequestAsync("initialize", new { processId = (int?)null, capabilities = new { } });
        var response = await client.RequestAsync("llmlsp/_slow", new { delayMs = 0 });
        Assert.Equal(-32601, response.GetProperty("error").GetProperty("code").GetInt32());
    }
}
