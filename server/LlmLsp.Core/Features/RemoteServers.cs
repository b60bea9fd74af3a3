using LlmLsp.Features.Completion;
using LlmLsp.Models;
using LlmLsp.Options;
using LlmLsp.Remote;

namespace LlmLsp.Features;

/// <summary>The remote servers the current settings name, one per role and settings, kept while the settings stay the
/// same (so connections and the model check are reused). Settings that fail the checks throw
/// <see cref="ErrorKind.InvalidInput"/> on use, naming the setting.</summary>
public sealed class RemoteServers : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(ModelRole, RemoteEndpointOptions), Entry> _servers = [];

    public sealed record Entry(RemoteServer Server, RemoteInfillModel InfillModel);

    public Entry Get(RemoteEndpointOptions options, ModelRole role)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_lock)
        {
            if (!_servers.TryGetValue((role, options), out var entry))
            {
                var server = new RemoteServer(RemoteEndpoint.From(options, role.ToName()));
                entry = new Entry(server, new RemoteInfillModel(server.Infill, server.Endpoint.ToString()));
                _servers[(role, options)] = entry;
            }
            return entry;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var entry in _servers.Values)
            {
                entry.Server.Dispose();
            }
            _servers.Clear();
        }
    }
}
