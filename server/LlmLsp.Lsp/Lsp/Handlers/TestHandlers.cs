using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

// Test-only methods, registered only when LLMLSP_TEST_METHODS=1 (see docs/lsp-extensions.md). They exist so the
// end-to-end tests can observe cancellation, progress and document state through the real process.

internal sealed class TestSlowHandler()
    : LspRequestHandler<SlowParams, object>(LspJsonContext.Default.SlowParams, LspJsonContext.Default.Object)
{
    public override string Method => Methods.TestSlow;

    protected override async Task<object> HandleAsync(SlowParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(Math.Clamp(parameters.DelayMs, 0, 600_000), cancellationToken).ConfigureAwait(false);
        return null!;
    }
}

internal sealed class TestDocumentTextHandler()
    : LspRequestHandler<DocumentTextParams, DocumentTextResult>(LspJsonContext.Default.DocumentTextParams, LspJsonContext.Default.DocumentTextResult)
{
    public override string Method => Methods.TestDocumentText;

    protected override Task<DocumentTextResult> HandleAsync(DocumentTextParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        if (!context.State.Documents.TryGet(parameters.Uri, out var document))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"Document {parameters.Uri} is not open.");
        }

        return Task.FromResult(new DocumentTextResult(document.Uri, document.Version, document.LanguageId, document.Text));
    }
}

/// <summary>Begins work-done progress, reports <c>steps</c> times (sending each item as a partial result when a
/// partialResultToken is given), then ends. With <c>waitForCancel</c> it waits after the first report until the
/// user cancels the progress or the request is cancelled.</summary>
internal sealed class TestProgressHandler()
    : LspRequestHandler<TestProgressParams, TestProgressResult>(LspJsonContext.Default.TestProgressParams, LspJsonContext.Default.TestProgressResult)
{
    public override string Method => Methods.TestProgress;

    protected override async Task<TestProgressResult> HandleAsync(TestProgressParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var progress = context.Progress;
        await using var work = await progress.BeginAsync("Test progress", parameters.WorkDoneToken, cancellable: true, percentage: 0, cancellationToken: cancellationToken).ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, work.CancellationToken);
        var items = new List<string>();
        for (int i = 1; i <= parameters.Steps; i++)
        {
            string item = $"item {i}";
            if (parameters.PartialResultToken is { } partial)
            {
                await progress.ReportPartialResultAsync(partial, new[] { item }, LspJsonContext.Default.IReadOnlyListString).ConfigureAwait(false);
            }
            else
            {
                items.Add(item);
            }

            await work.ReportAsync(item, i * 100 / Math.Max(1, parameters.Steps)).ConfigureAwait(false);
            if (parameters.WaitForCancel == true)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await work.EndAsync("cancelled").ConfigureAwait(false);
                    throw;
                }
            }
        }

        await work.EndAsync("done").ConfigureAwait(false);
        return new TestProgressResult(items);
    }
}

internal sealed class TestCrashHandler()
    : LspRequestHandler<InitializedParams, object>(LspJsonContext.Default.InitializedParams, LspJsonContext.Default.Object)
{
    public override string Method => Methods.TestCrash;

    protected override bool ParamsRequired => false;

    protected override Task<object> HandleAsync(InitializedParams parameters, RequestContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("deliberate test crash");
}
