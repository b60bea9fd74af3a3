using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

internal sealed class InitializedHandler()
    : LspNotificationHandler<InitializedParams>(LspJsonContext.Default.InitializedParams)
{
    public override string Method => Methods.Initialized;

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
