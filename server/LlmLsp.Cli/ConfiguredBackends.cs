using LlmLsp.Features;
using LlmLsp.Models;
using LlmLsp.Options;

namespace LlmLsp.Cli;

/// <summary>The remote servers config.json names (<c>backend</c>), for the commands: a role with a server and no
/// <c>--model</c> runs there. Problems in the file's settings are printed as warnings; the role then runs locally.</summary>
internal sealed class ConfiguredBackends : IDisposable
{
    private readonly BackendOptions _options;
    private readonly RemoteServers _servers = new();

    private ConfiguredBackends(BackendOptions options) => _options = options;

    public static ConfiguredBackends Load()
    {
        var (options, problems) = OptionsLoader.Load(UserConfig.Load().Settings);
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"warning: config.json: {problem.Setting} {problem.Message}.");
        }
        return new ConfiguredBackends(options.Backend);
    }

    /// <summary>The server for <paramref name="role"/>, or null to run it locally. Invalid settings throw, naming the setting.</summary>
    public RemoteServers.Entry? For(ModelRole role) => _options.For(role) is { } endpoint ? _servers.Get(endpoint, role) : null;

    public void Dispose() => _servers.Dispose();
}
