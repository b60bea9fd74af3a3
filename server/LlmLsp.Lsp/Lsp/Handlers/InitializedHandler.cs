using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

internal sealed class InitializedHandler()
    : LspNotificationHandler<InitializedParams>(LspJsonContext.Default.InitializedParams)
{
    public override string Method => Methods.Initialized;

    // In order, like a mutation: a request sent right after `initialized` must find log forwarding on. As a read
    // it ran on another thread and could lose that race (a bug's window/logMessage was then never sent).
    public override HandlerKind Kind => HandlerKind.Mutation;

    protected override bool ParamsRequired => false;

    protected override Task HandleAsync(InitializedParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        context.Services.LogForwarder.Enable(context.Client);
        context.Features.WarmUpInBackground();
        if (context.State.ClientSupportsConfiguration)
        {
            ConfigurationPuller.Start(context.Services);
        }

        return Task.CompletedTask;
    }
}
