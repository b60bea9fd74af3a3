using LlmLsp.Options;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

internal sealed class InitializeHandler(ServerCapabilitiesFactory capabilities)
    : LspRequestHandler<InitializeParams, InitializeResult>(LspJsonContext.Default.InitializeParams, LspJsonContext.Default.InitializeResult)
{
    public override string Method => Methods.Initialize;

    public override HandlerKind Kind => HandlerKind.Mutation;

    public override bool AllowedBeforeInitialize => true;

    protected override async Task<InitializeResult> HandleAsync(InitializeParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        if (context.State.Lifecycle != Lifecycle.NotInitialized)
        {
            throw new InvalidRequestException("initialize may only be sent once.");
        }

        var clientCapabilities = parameters.Capabilities ?? new ClientCapabilities();
        var encoding = PositionMapping.Negotiate(clientCapabilities.General?.PositionEncodings);
        var settings = SettingsReader.Read(parameters.InitializationOptions);
        var (options, problems) = OptionsLoader.Load(SettingsReader.OverConfigFile(settings, out var configProblem));
        if (configProblem is not null)
        {
            await context.Client.ShowMessageAsync(MessageType.Warning, configProblem).ConfigureAwait(false);
        }
        foreach (var problem in problems)
        {
            // showMessage is one of the few notifications allowed while initialize is pending.
            await context.Client.ShowMessageAsync(MessageType.Warning, SettingsReader.Describe(problem)).ConfigureAwait(false);
        }

        if (parameters.ProcessId is { } processId)
        {
            context.Services.Lifetime.WatchClientProcess(processId);
        }

        context.Update(context.State with
        {
            Lifecycle = Lifecycle.Initialized,
            ClientCapabilities = clientCapabilities,
            PositionEncoding = encoding,
            InitializationSettings = settings,
            Options = options,
            WorkspaceFolders = [.. parameters.WorkspaceFolders ?? []],
            Trace = parameters.Trace ?? TraceValue.Off,
        });

        return new InitializeResult(capabilities.Create(encoding), new ServerInfo("llmlsp", typeof(InitializeHandler).Assembly.GetName().Version?.ToString(3)));
    }
}
