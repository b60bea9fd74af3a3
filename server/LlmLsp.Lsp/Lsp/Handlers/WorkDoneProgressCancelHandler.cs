using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

internal sealed class WorkDoneProgressCancelHandler()
    : LspNotificationHandler<WorkDoneProgressCancelParams>(LspJsonContext.Default.WorkDoneProgressCancelParams)
{
    public override string Method => Methods.WindowWorkDoneProgressCancel;

    protected override Task HandleAsync(WorkDoneProgressCancelParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        context.Services.ProgressRegistry.Cancel(parameters.Token);
        return Task.CompletedTask;
    }
}
