using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using LlmLsp.Engine;
using LlmLsp.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmLsp.Models;

/// <summary>
/// The model-management feature: list the catalogue with local state, pull (download, resume, verify), verify,
/// remove, choose a model per role, and resolve which file a feature should load. The CLI's `llmlsp models` and the
/// LSP's `llmlsp/models` and `llmlsp/pullModel` both call this. Only <see cref="PullAsync"/> uses the network;
/// the HTTP client is not even created until a pull needs it.
/// </summary>
public sealed partial class ModelManager : IDisposable
{
    private const string StampSuffix = ".verified";

    private readonly Lazy<HttpClient> _http;
    private readonly bool _ownsHttp;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;

    /// <param name="directories">Where models and settings live (<see cref="UserDirectories.FromEnvironment()"/> normally).</param>
    /// <param name="downloadOptions">Timeouts and mirror; <see cref="DownloadOptions.FromEnvironment"/> when null.</param>
    /// <param name="httpClient">A shared client to download with; when null one is created on the first pull and owned here.</param>
    /// <param name="loggerFactory">Logging for resumes, retries and downloads.</param>
    public ModelManager(UserDirectories directories, DownloadOptions? downloadOptions = null, HttpClient? httpClient = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(directories);
        Directories = directories;
        DownloadOptions = downloadOptions ?? DownloadOptions.FromEnvironment();
        _ownsHttp = httpClient is null;
        _http = httpClient is null ? new Lazy<HttpClient>(CreateHttpClient) : new Lazy<HttpClient>(httpClient);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<ModelManager>();
    }

    public UserDirectories Directories { get; }

    public DownloadOptions DownloadOptions { get; }

    /// <summary>The catalogue as it is on disk now (built-in plus the user's file); re-read on every call so edits apply.</summary>
    public ModelCatalogue LoadCatalogue() => ModelCatalogue.Load(Directories);

    public UserConfig LoadConfig() => UserConfig.Load(Directories);

    /// <summary>The file a catalogue model lives in once downloaded.</summary>
    public string PathOf(CatalogueEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Path.Combine(Directories.ModelsDirectory, entry.FileName);
    }

    /// <summary>Every catalogue entry with its local state, in catalogue order. Local files only.</summary>
    public Task<IReadOnlyList<ModelStatus>> ListAsync(CancellationToken cancellationToken)
    {
        var catalogue = LoadCatalogue();
        var config = LoadConfig();
        var list = new List<ModelStatus>(catalogue.Entries.Count);
        foreach (var entry in catalogue.Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            list.Add(StatusOf(entry, catalogue, config));
        }
        return Task.FromResult<IReadOnlyList<ModelStatus>>(list);
    }

    /// <summary>
    /// Downloads a catalogue model (resuming a partial file), checks its SHA-256 and GGUF header, and only then
    /// gives it its final name. Returns at once without a request when the model is already verified. Cancelling
    /// keeps the partial file for the next pull.
    /// </summary>
    public async Task<ModelStatus> PullAsync(string name, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var catalogue = LoadCatalogue();
        var entry = catalogue.Get(name);
        var path = PathOf(entry);
        var status = StatusOf(entry, catalogue, LoadConfig());
        if (status.State == ModelState.Verified || (status.State == ModelState.Downloaded && entry.Sha256 is null))
        {
            return status;
        }
        if (status.State == ModelState.Downloaded)
        {
            // In place but not known to match (copied in, or the catalogue hash changed): check before downloading again.
            var verification = await VerifyFileAsync(entry, path, cancellationToken).ConfigureAwait(false);
            if (verification.Matches)
            {
                return StatusOf(entry, catalogue, LoadConfig());
            }
            LogReplacingMismatch(_logger, entry.Name, verification.ActualSha256);
        }
        if (File.Exists(path + StampSuffix))
        {
            File.Delete(path + StampSuffix);
        }

        var url = ModelSource.DownloadUri(entry.Url, DownloadOptions.Mirror);
        var downloader = new ModelDownloader(_http.Value, DownloadOptions, _loggerFactory.CreateLogger<ModelDownloader>());
        var stopwatch = Stopwatch.StartNew();
        var result = await downloader.DownloadAsync(new DownloadRequest(entry.Name, url, path, entry.Sha256, entry.SizeBytes), progress, cancellationToken)
            .ConfigureAwait(false);
        WriteStamp(path, result.Sha256);
        LogDownloaded(_logger, entry.Name, result.Size, stopwatch.ElapsedMilliseconds, result.ResumedFromBytes, result.Requests);
        return StatusOf(entry, catalogue, LoadConfig());
    }

    /// <summary>Re-hashes downloaded models (one, or all when <paramref name="name"/> is null) against the catalogue.
    /// Matching files become <see cref="ModelState.Verified"/>; mismatches lose that state, so the next pull replaces them.</summary>
    public async Task<IReadOnlyList<ModelVerification>> VerifyAsync(string? name, CancellationToken cancellationToken)
    {
        var catalogue = LoadCatalogue();
        IEnumerable<CatalogueEntry> entries = catalogue.Entries;
        if (name is not null)
        {
            var entry = catalogue.Get(name);
            if (!File.Exists(PathOf(entry)))
            {
                throw new LlmLspException(ErrorKind.ModelNotFound, $"{entry.Name} is not downloaded. Run `llmlsp models pull {entry.Name}`.");
            }
            entries = [entry];
        }
        var results = new List<ModelVerification>();
        foreach (var entry in entries)
        {
            var path = PathOf(entry);
            if (File.Exists(path))
            {
                results.Add(await VerifyFileAsync(entry, path, cancellationToken).ConfigureAwait(false));
            }
        }
        return results;
    }

    /// <summary>Deletes a model's file, partial download and stamp. False when there was nothing to delete.
    /// The config is left alone: a removed but chosen model makes features say "configured but not downloaded".</summary>
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entry = LoadCatalogue().Get(name);
        var path = PathOf(entry);
        var removed = false;
        foreach (var file in new[] { path, path + ModelDownloader.PartialSuffix, path + StampSuffix })
        {
            if (File.Exists(file))
            {
                File.Delete(file);
                removed = true;
            }
        }
        return Task.FromResult(removed);
    }

    /// <summary>
    /// Chooses a model for roles and saves it in config.json. <paramref name="nameOrPath"/> is a catalogue name
    /// (roles default to all of the entry's roles, and must be among them) or a path to a GGUF file (roles required).
    /// A catalogue model may be chosen before it is downloaded. Returns what was written.
    /// </summary>
    public IReadOnlyList<ModelChoice> Use(string nameOrPath, IReadOnlyList<ModelRole>? roles)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        var value = nameOrPath.Trim();
        var probe = UserConfig.ToChoice(Directories, ModelRole.Chat, value);
        string stored;
        IReadOnlyList<ModelRole> chosen;
        if (probe.IsCatalogueName)
        {
            var entry = LoadCatalogue().Get(value);
            chosen = roles is { Count: > 0 } ? roles : entry.Roles;
            foreach (var role in chosen.Where(r => !entry.HasRole(r)))
            {
                throw new LlmLspException(ErrorKind.InvalidInput,
                    $"{entry.Name} is not a {role.ToName()} model (its roles: {string.Join(", ", entry.Roles.Select(r => r.ToName()))}).");
            }
            stored = entry.Name;
        }
        else
        {
            if (roles is not { Count: > 0 })
            {
                throw new LlmLspException(ErrorKind.InvalidInput, "Say which role the file is for: --role chat, completion or embedding.");
            }
            // Relative to where the command runs, not to the config folder, because that is what the user typed.
            stored = Path.GetFullPath(value);
            ModelFile.Validate(stored);
            chosen = roles;
        }
        var written = new List<ModelChoice>();
        foreach (var role in chosen.Distinct())
        {
            UserConfig.SetModel(Directories, role, stored);
            written.Add(UserConfig.ToChoice(Directories, role, stored));
        }
        return written;
    }

    /// <summary>The model a feature should load for a role, or null when there is none. See <see cref="Resolve"/>.</summary>
    public ResolvedModel? TryResolve(ModelRole role)
    {
        try
        {
            return Resolve(role);
        }
        catch (LlmLspException ex) when (ex.Kind == ErrorKind.NoModelConfigured)
        {
            return null;
        }
    }

    /// <summary>
    /// The model file a feature should load for a role: the user's choice; else the catalogue's recommended model
    /// (or its small-machine alternative) if downloaded; else any downloaded model with the role. Throws
    /// <see cref="ErrorKind.NoModelConfigured"/> with the command to run when there is none (embedding always has the
    /// built-in model). Local files only.
    /// </summary>
    public ResolvedModel Resolve(ModelRole role)
    {
        var catalogue = LoadCatalogue();
        if (LoadConfig().For(role) is { } choice)
        {
            var entry = choice.IsCatalogueName ? catalogue.Find(choice.Value) : null;
            if (File.Exists(choice.Path))
            {
                return new ResolvedModel(role, choice.Path, entry?.Name ?? Path.GetFileNameWithoutExtension(choice.Path), entry, ModelResolution.Configured);
            }
            throw choice.IsCatalogueName
                ? ModelGuidance.ConfiguredButMissing(role, choice.Value, catalogue)
                : new LlmLspException(ErrorKind.ModelNotFound,
                    $"The {role.ToName()} model chosen in {Directories.ConfigFile} does not exist: {choice.Path}. " +
                    $"Choose another with `llmlsp models use NAME --role {role.ToName()}`.");
        }
        if (catalogue.Defaults.TryGetValue(role, out var recommended))
        {
            foreach (var name in new[] { recommended.Model, recommended.SmallMachine })
            {
                if (name is not null && catalogue.Find(name) is { } entry && File.Exists(PathOf(entry)))
                {
                    return new ResolvedModel(role, PathOf(entry), entry.Name, entry, ModelResolution.CatalogueDefault);
                }
            }
        }
        foreach (var entry in catalogue.Entries.Where(e => e.HasRole(role)))
        {
            if (File.Exists(PathOf(entry)))
            {
                return new ResolvedModel(role, PathOf(entry), entry.Name, entry, ModelResolution.DownloadedFallback);
            }
        }
        if (role == ModelRole.Embedding)
        {
            return new ResolvedModel(role, Builtin.BuiltinEmbedder.FilePath(Directories.ModelsDirectory, ModelFileType.Q8_0),
                Builtin.BuiltinEmbedder.ModelId(ModelFileType.Q8_0), null, ModelResolution.Builtin);
        }
        throw ModelGuidance.NoModelConfigured(role, catalogue);
    }

    public void Dispose()
    {
        if (_ownsHttp && _http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
    }

    private ModelStatus StatusOf(CatalogueEntry entry, ModelCatalogue catalogue, UserConfig config)
    {
        var path = PathOf(entry);
        var partialPath = path + ModelDownloader.PartialSuffix;
        ModelState state;
        long localBytes;
        var file = new FileInfo(path);
        if (file.Exists)
        {
            localBytes = file.Length;
            state = entry.Sha256 is { } expected && ReadStamp(path) is { } stamp
                && string.Equals(stamp.Sha256, expected, StringComparison.OrdinalIgnoreCase)
                && stamp.Size == file.Length && stamp.LastWriteUtc == file.LastWriteTimeUtc
                ? ModelState.Verified
                : ModelState.Downloaded;
        }
        else if (new FileInfo(partialPath) is { Exists: true } partial)
        {
            localBytes = partial.Length;
            state = ModelState.Partial;
        }
        else
        {
            localBytes = 0;
            state = ModelState.Absent;
        }
        var defaultFor = catalogue.Defaults.Values
            .Where(d => string.Equals(d.Model, entry.Name, StringComparison.OrdinalIgnoreCase))
            .Select(d => d.Role).ToList();
        var selectedFor = config.Models.Values
            .Where(c => c.IsCatalogueName && string.Equals(c.Value, entry.Name, StringComparison.OrdinalIgnoreCase))
            .Select(c => c.Role).ToList();
        return new ModelStatus(entry, state, ModelSource.DownloadUri(entry.Url, DownloadOptions.Mirror), path, localBytes, defaultFor, selectedFor);
    }

    private async Task<ModelVerification> VerifyFileAsync(CatalogueEntry entry, string path, CancellationToken cancellationToken)
    {
        string actual;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
        var result = new ModelVerification(entry.Name, path, actual, entry.Sha256);
        if (result.Matches)
        {
            WriteStamp(path, actual);
        }
        else
        {
            File.Delete(path + StampSuffix);
        }
        return result;
    }

    /// <summary>Remembers that a file was hashed, keyed by its size and modification time, so `list` can say
    /// "verified" without re-reading gigabytes; any change to the file makes the stamp stale.</summary>
    private static void WriteStamp(string path, string sha256)
    {
        var info = new FileInfo(path);
        var stamp = new VerifiedStamp(sha256, info.Length, info.LastWriteTimeUtc);
        File.WriteAllText(path + StampSuffix, JsonSerializer.Serialize(stamp, CatalogueJsonContext.Default.VerifiedStamp));
    }

    private static VerifiedStamp? ReadStamp(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path + StampSuffix), CatalogueJsonContext.Default.VerifiedStamp);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            // Missing or damaged stamp: the file is merely "downloaded" until verified again.
            return null;
        }
    }

    private static HttpClient CreateHttpClient()
    {
        // SocketsHttpHandler's defaults use HttpClient.DefaultProxy, which honours http_proxy, https_proxy,
        // all_proxy and no_proxy (either case) on Linux and macOS and the system proxy on Windows.
        // Measured: the environment proxy applies even to 127.0.0.1, so loopback (tests, local mirrors) bypasses it here.
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            Proxy = new LoopbackBypassProxy(HttpClient.DefaultProxy),
        };
        // The stall timeout bounds every wait; a whole-request timeout would cut off slow but healthy downloads.
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var version = typeof(ModelManager).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";
        client.DefaultRequestHeaders.UserAgent.ParseAdd($"llmlsp/{version}");
        return client;
    }

    /// <summary>The default (environment or system) proxy, except for URLs on this machine.</summary>
    private sealed class LoopbackBypassProxy(System.Net.IWebProxy inner) : System.Net.IWebProxy
    {
        public System.Net.ICredentials? Credentials
        {
            get => inner.Credentials;
            set => inner.Credentials = value;
        }

        public Uri? GetProxy(Uri destination) => inner.GetProxy(destination);

        public bool IsBypassed(Uri host) => host.IsLoopback || inner.IsBypassed(host);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded {Model}: {Bytes} bytes in {ElapsedMs} ms (resumed from {ResumedFrom}, {Requests} requests)")]
    private static partial void LogDownloaded(ILogger logger, string model, long bytes, long elapsedMs, long resumedFrom, int requests);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Model} is on disk but its SHA-256 is {Actual}, not the catalogue's; downloading it again")]
    private static partial void LogReplacingMismatch(ILogger logger, string model, string actual);
}
