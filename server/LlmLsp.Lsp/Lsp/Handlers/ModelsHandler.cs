using LlmLsp.Models;
using LlmLsp.Options;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>llmlsp/models: every catalogue model with its state on this machine (no network).</summary>
internal sealed class ModelsHandler()
    : LspRequestHandler<ModelsParams, ModelsResult>(LspJsonContext.Default.ModelsParams, LspJsonContext.Default.ModelsResult)
{
    public override string Method => Methods.Models;

    protected override bool ParamsRequired => false;

    protected override async Task<ModelsResult> HandleAsync(ModelsParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        using var manager = new ModelManager(UserDirectories.FromEnvironment());
        var models = await manager.ListAsync(cancellationToken).ConfigureAwait(false);
        return new ModelsResult(models.Select(ToDto).ToList());
    }

    internal static ModelDto ToDto(ModelStatus status) => new(
        status.Name,
        status.Entry.Description,
        status.Entry.Roles.Select(r => r.ToName()).ToList(),
        status.DownloadUrl.AbsoluteUri,
        status.Entry.SizeBytes,
        status.Entry.Sha256,
        status.State.ToString().ToLowerInvariant(),
        status.Path,
        status.DefaultFor.Select(r => r.ToName()).ToList(),
        status.SelectedFor.Select(r => r.ToName()).ToList());
}
