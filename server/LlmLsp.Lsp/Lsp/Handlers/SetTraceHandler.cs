using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

internal sealed class SetTraceHandler()
    : LspNotificationHandler<SetTraceParams>(LspJsonContext.Default.SetTraceParams)
{
    public override string Method => Methods.SetTrace;

    public override HandlerKind Kind => HandlerKind.Mutation;

    protected override Task HandleAsync(SetTraceParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        if (parameters.Value is not (TraceValue.Off or TraceValue.Messages or TraceValue.Verbose))
        {
            throw new InvalidParamsException($"unknown trace value \"{parameters.Value}\"");
        }

        context.Update(context.State with { Trace = parameters.Value });
        return Task.CompletedTask;
    }
}
