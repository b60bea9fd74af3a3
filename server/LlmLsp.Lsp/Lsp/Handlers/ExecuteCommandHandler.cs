using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>No commands exist yet, so <c>executeCommandProvider</c> is not advertised and every command is
/// unknown (-32602). Features that add commands register them here and in the capabilities.</summary>
internal sealed class ExecuteCommandHandler()
    : LspRequestHandler<ExecuteCommandParams, object>(LspJsonContext.Default.ExecuteCommandParams, LspJsonContext.Default.Object)
{
    public override string Method => Methods.WorkspaceExecuteCommand;

    protected override Task<object> HandleAsync(ExecuteCommandParams parameters, RequestContext context, CancellationToken cancellationToken) =>
        throw new InvalidParamsException($"unknown command \"{parameters.Command}\"");
}
