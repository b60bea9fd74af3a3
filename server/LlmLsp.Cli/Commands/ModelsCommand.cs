using System.CommandLine;
using System.Text.Json;
using LlmLsp.Models;
using LlmLsp.Options;

namespace LlmLsp.Cli.Commands;

/// <summary>`llmlsp models list|pull|use|remove|verify`: the catalogue, downloads and the per-role choice.
/// Only `pull` uses the network.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List, download, choose and check models. Models live in the user's data folder (LLMLSP_HOME overrides).");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreatePull());
        command.Subcommands.Add(CreateUse());
        command.Subcommands.Add(CreateRemove());
        command.Subcommands.Add(CreateVerify());
        return command;
    }

    private static ModelManager CreateManager(TimeSpan? stallTimeout = null, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        var options = DownloadOptions.FromEnvironment();
        if (stallTimeout is { } stall)
        {
            options = options with { StallTimeout = stall };
        }
        return new ModelManager(UserDirectories.FromEnvironment(), options, loggerFactory: loggerFactory);
    }

    private static Command CreateList()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON: every entry with roles, URL, size, SHA-256 and local state." };
        var command = new Command("list", "List the catalogue and what is downloaded.");
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            using var manager = CreateManager();
            var models = await manager.ListAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await Console.Out.WriteLineAsync(ToJson(models)).ConfigureAwait(false);
                return 0;
            }
            var nameWidth = models.Max(m => m.Name.Length);
            foreach (var model in models)
            {
                var roles = string.Join(",", model.Entry.Roles.Select(r => r.ToName()));
                var size = model.IsUsable ? ModelCatalogue.FormatSize(model.LocalBytes)
                    : model.Entry.SizeBytes is { } s ? ModelCatalogue.FormatSize(s) : "?";
                var marks = string.Concat(
                    model.SelectedFor.Count > 0 ? $"  in use: {string.Join(",", model.SelectedFor.Select(r => r.ToName()))}" : "",
                    model.DefaultFor.Count > 0 ? $"  default: {string.Join(",", model.DefaultFor.Select(r => r.ToName()))}" : "");
                await Console.Out.WriteLineAsync(
                    $"{model.Name.PadRight(nameWidth)}  {StateName(model.State),-10}  {size,8}  {roles,-16}{marks}").ConfigureAwait(false);
            }
            await Console.Out.WriteLineAsync($"models folder: {manager.Directories.ModelsDirectory}").ConfigureAwait(false);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command CreatePull()
    {
        var name = new Argument<string>("name") { Description = "A catalogue name (see `llmlsp models list`)." };
        var stall = new Option<int>("--stall-timeout") { Description = "Give up when no data arrives for this many seconds.", DefaultValueFactory = _ => 30 };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log resumes and retries to stderr." };
        var command = new Command("pull", "Download a model (resuming an interrupted download) and check its SHA-256.");
        command.Arguments.Add(name);
        command.Options.Add(stall);
        command.Options.Add(verbose);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            var modelName = parse.GetValue(name)!;
            var seconds = parse.GetValue(stall);
            if (seconds <= 0)
            {
                throw new LlmLspException(ErrorKind.InvalidInput, "--stall-timeout must be a positive number of seconds.");
            }
            using var loggerFactory = CliLogging.Create(parse.GetValue(verbose));
            using var manager = CreateManager(TimeSpan.FromSeconds(seconds), loggerFactory);
            var before = (await manager.ListAsync(ct).ConfigureAwait(false))
                .FirstOrDefault(m => string.Equals(m.Name, modelName, StringComparison.OrdinalIgnoreCase));
            if (before is { State: ModelState.Verified })
            {
                await Console.Out.WriteLineAsync($"{before.Name} is already downloaded and verified: {before.Path}").ConfigureAwait(false);
                return 0;
            }
            ModelStatus status;
            try
            {
                status = await PullProgress.RunAsync(modelName, progress => manager.PullAsync(modelName, progress, ct)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync(
                    $"Download stopped; what was received is kept. Run `llmlsp models pull {modelName}` again to resume.").ConfigureAwait(false);
                throw;
            }
            var state = status.State == ModelState.Verified ? "downloaded and verified" : "downloaded (the catalogue gives no SHA-256 to check)";
            await Console.Out.WriteLineAsync($"{status.Name} is {state}: {status.Path}").ConfigureAwait(false);
            var usedFor = status.Entry.Roles.Where(role => manager.TryResolve(role)?.Path == status.Path).Select(r => r.ToName()).ToList();
            if (usedFor.Count > 0)
            {
                await Console.Out.WriteLineAsync($"It will be used for {string.Join(" and ", usedFor)}.").ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command CreateUse()
    {
        var name = new Argument<string>("name") { Description = "A catalogue name, or a path to a GGUF file." };
        var role = new Option<string[]>("--role", "-r")
        {
            Description = "chat, completion or embedding (repeatable; default: every role the catalogue entry has).",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("use", "Choose the model for a role; saved in config.json, which the server reads.");
        command.Arguments.Add(name);
        command.Options.Add(role);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            using var manager = CreateManager();
            var roles = (parse.GetValue(role) ?? []).Select(ModelRoles.Parse).ToList();
            var written = manager.Use(parse.GetValue(name)!, roles);
            foreach (var choice in written)
            {
                await Console.Out.WriteLineAsync($"{choice.Role.ToName()}: {choice.Value}").ConfigureAwait(false);
            }
            await Console.Out.WriteLineAsync($"saved in {manager.Directories.ConfigFile}").ConfigureAwait(false);
            if (written.Count > 0 && written[0].IsCatalogueName && !File.Exists(written[0].Path))
            {
                await Console.Error.WriteLineAsync(
                    $"note: {written[0].Value} is not downloaded yet. Run `llmlsp models pull {written[0].Value}`.").ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command CreateRemove()
    {
        var name = new Argument<string>("name") { Description = "A catalogue name." };
        var command = new Command("remove", "Delete a downloaded model (and any partial download).");
        command.Arguments.Add(name);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            using var manager = CreateManager();
            var modelName = parse.GetValue(name)!;
            var removed = await manager.RemoveAsync(modelName, ct).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(removed ? $"removed {modelName}" : $"{modelName} was not downloaded").ConfigureAwait(false);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command CreateVerify()
    {
        var name = new Argument<string?>("name") { Description = "One model to check (default: every downloaded model).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("verify", "Re-hash downloaded models and compare with the catalogue's SHA-256.");
        command.Arguments.Add(name);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async ct =>
        {
            using var manager = CreateManager();
            var results = await manager.VerifyAsync(parse.GetValue(name), ct).ConfigureAwait(false);
            if (results.Count == 0)
            {
                await Console.Out.WriteLineAsync("No models are downloaded.").ConfigureAwait(false);
                return 0;
            }
            foreach (var result in results)
            {
                var line = result switch
                {
                    { ExpectedSha256: null } => $"unchecked  {result.Name}  sha256 {result.ActualSha256} (the catalogue gives none)",
                    { Matches: true } => $"ok         {result.Name}",
                    _ => $"MISMATCH   {result.Name}  expected {result.ExpectedSha256}, got {result.ActualSha256}; run `llmlsp models pull {result.Name}` to replace it",
                };
                await Console.Out.WriteLineAsync(line).ConfigureAwait(false);
            }
            return results.All(r => r.Matches) ? 0 : CommandRunner.ExitFailure;
        }, cancellationToken));
        return command;
    }

    private static string StateName(ModelState state) => state switch
    {
        ModelState.Absent => "absent",
        ModelState.Partial => "partial",
        ModelState.Downloaded => "downloaded",
        ModelState.Verified => "verified",
        _ => state.ToString(),
    };

    /// <summary>The `list --json` format: an array of entries; field names are part of the CLI's contract.</summary>
    private static string ToJson(IReadOnlyList<ModelStatus> models)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var model in models)
            {
                var entry = model.Entry;
                writer.WriteStartObject();
                writer.WriteString("name", entry.Name);
                writer.WriteString("description", entry.Description);
                writer.WriteStartArray("roles");
                foreach (var r in entry.Roles)
                {
                    writer.WriteStringValue(r.ToName());
                }
                writer.WriteEndArray();
                writer.WriteString("url", entry.Url.AbsoluteUri);
                writer.WriteString("downloadUrl", model.DownloadUrl.AbsoluteUri);
                if (entry.SizeBytes is { } size)
                {
                    writer.WriteNumber("sizeBytes", size);
                }
                else
                {
                    writer.WriteNull("sizeBytes");
                }
                writer.WriteString("sha256", entry.Sha256);
                writer.WriteString("state", StateName(model.State));
                writer.WriteString("path", model.Path);
                writer.WriteNumber("localBytes", model.LocalBytes);
                WriteRoles(writer, "defaultFor", model.DefaultFor);
                WriteRoles(writer, "selectedFor", model.SelectedFor);
                writer.WriteBoolean("fimTrained", entry.FimTrained);
                if (entry.Embedding is { } prefixes)
                {
                    writer.WriteStartObject("embedding");
                    writer.WriteString("queryPrefix", prefixes.QueryPrefix);
                    writer.WriteString("documentPrefix", prefixes.DocumentPrefix);
                    writer.WriteEndObject();
                }
                writer.WriteBoolean("userEntry", entry.IsUserEntry);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteRoles(Utf8JsonWriter writer, string name, IReadOnlyList<ModelRole> roles)
    {
        writer.WriteStartArray(name);
        foreach (var role in roles)
        {
            writer.WriteStringValue(role.ToName());
        }
        writer.WriteEndArray();
    }
}
