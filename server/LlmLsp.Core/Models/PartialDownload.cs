using System.Security.Cryptography;

namespace LlmLsp.Models;

/// <summary>
/// The <c>.partial</c> file a download writes into, hashed as it grows so the SHA-256 is ready the moment the
/// last byte lands. Opened exclusively: a second pull of the same model (another process, or the editor and the
/// CLI at once) gets a clear "busy" error instead of interleaving writes.
/// </summary>
internal sealed class PartialDownload : IAsyncDisposable
{
    private readonly FileStream _file;
    private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    private PartialDownload(string path, FileStream file)
    {
        Path = path;
        _file = file;
    }

    public string Path { get; }

    public long Length => _file.Length;

    public static PartialDownload Open(string path, string modelName)
    {
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            return new PartialDownload(path, file);
        }
        catch (IOException ex) when (File.Exists(path))
        {
            throw new LlmLspException(ErrorKind.Busy,
                $"{modelName} is already being downloaded (its partial file {path} is in use). Wait for that download to finish.", ex);
        }
    }

    /// <summary>Hashes what an earlier pull left, so the final hash covers the whole file.</summary>
    public async Task HashExistingAsync(Action<long> onProgress, CancellationToken cancellationToken)
    {
        _file.Position = 0;
        var buffer = new byte[1 << 20];
        long done = 0;
        int read;
        while ((read = await _file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            _hash.AppendData(buffer, 0, read);
            done += read;
            onProgress(done);
        }
    }

    /// <summary>Starts over from byte 0 (the server ignored our Range, or answered a different one).</summary>
    public void Truncate()
    {
        _file.SetLength(0);
        _file.Position = 0;
        _hash.Dispose();
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }

    public async Task AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _file.Position = _file.Length;
        await _file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        _hash.AppendData(data.Span);
    }

    /// <summary>Flushes to disk and returns the lower-case hex SHA-256 of everything written.</summary>
    public string Complete()
    {
        _file.Flush(flushToDisk: true);
        return Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    public async ValueTask DisposeAsync()
    {
        _hash.Dispose();
        await _file.DisposeAsync().ConfigureAwait(false);
    }
}
