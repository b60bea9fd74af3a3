using System.Collections.Immutable;
using System.Text.Json;
using LlmLsp.Options;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>Pulls the <c>llmlsp</c> section with <c>workspace/configuration</c>. The pull runs outside the queue (a
/// client round trip must not hold up edits) and its result is applied as a queued mutation.</summary>
internal static class ConfigurationPuller
{
    public static void Start(LspServices services) => _ = Task.Run(async () =>
    {
        JsonElement[]? result;
        try
        {
            result = await services.Client.RequestAsync(
                Methods.WorkspaceConfiguration, new ConfigurationParams([new ConfigurationItem(OptionsLoader.Section)]),
                LspJsonContext.Default.ConfigurationParams, ConfigurationJsonContext.Default.JsonElementArray, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StreamJsonRpc.RemoteInvocationException or StreamJsonRpc.ConnectionLostException or ObjectDisposedException or JsonException)
        {
            return;
        }

        var pulled = SettingsReader.Read(result is { Length: > 0 } ? result[0] : null);
        await services.Queue.Enqueue(new ApplySettings(pulled), null, null, CancellationToken.None).ConfigureAwait(false);
    });

    public static async Task<ServerState> ApplyAsync(ServerState state, ImmutableDictionary<string, object?> pulled, LspClient client)
    {
        var merged = state.InitializationSettings.SetItems(pulled);
        var (options, problems) = OptionsLoader.Load(SettingsReader.OverConfigFile(merged, out _));
        foreach (var problem in problems)
        {
            await client.ShowMessageAsync(MessageType.Warning, SettingsReader.Describe(problem)).ConfigureAwait(false);
        }

        return state with { Options = options };
    }

    /// <summary>An internal mutation, never registered as a method.</summary>
    private sealed class ApplySettings(ImmutableDictionary<string, object?> pulled) : ILspHandler
    {
        public string Method => "(apply pulled configuration)";

        public HandlerKind Kind => HandlerKind.Mutation;

        public bool AllowedBeforeInitialize => false;

        public bool AllowedAfterShutdown => false;

        public async Task<JsonElement?> InvokeAsync(JsonElement? parameters, RequestContext context, CancellationToken cancellationToken)
        {
            context.Update(await ApplyAsync(context.State, pulled, context.Client).ConfigureAwait(false));
            return null;
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonElement[]))]
internal sealed partial class ConfigurationJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
