using LlmLsp.Options;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>Push-style settings are applied directly; an empty push (the usual "something changed") triggers a
/// pull through <c>workspace/configuration</c> when the client supports it.</summary>
internal sealed class DidChangeConfigurationHandler()
    : LspNotificationHandler<DidChangeConfigurationParams>(LspJsonContext.Default.DidChangeConfigurationParams)
{
    public override string Method => Methods.WorkspaceDidChangeConfiguration;

    public override HandlerKind Kind => HandlerKind.Mutation;

    protected override bool ParamsRequired => false;

    protected override async Task HandleAsync(DidChangeConfigurationParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var settings = parameters?.Settings;
        if (settings is { ValueKind: System.Text.Json.JsonValueKind.Object } element && element.TryGetProperty(OptionsLoader.Section, out _))
        {
            var state = await ConfigurationPuller.ApplyAsync(context.State, SettingsReader.Read(element), context.Client).ConfigureAwait(false);
            context.Update(state);
        }
        else if (context.State.ClientSupportsConfiguration)
        {
            ConfigurationPuller.Start(context.Services);
        }
    }
}
