namespace LlmLsp.Index;

/// <summary>One of the index's two files (data or write-ahead log) as LiteDB sees it, with fsync under our control.
/// LiteDB's log writer flushes after every page it drains from its queue, so a 1.5 MB commit cost ~200
/// fsyncs (about 40 ms here, more than the rest of the build). The log therefore only reaches the OS on
/// <see cref="Flush"/>, and <see cref="IndexStore"/> calls <see cref="SyncToDisk"/> once per committed
/// batch. The data file, written only by checkpoints that then truncate the log, syncs on every flush so a
/// checkpoint is on disk before the log that backs it is emptied.</summary>
/// <remarks>Unbuffered (every LiteDB access is a whole page), so Position is the only state, and LiteDB's
/// own stream wrapper serialises Position+Read/Write pairs; a concurrent fsync touches neither.</remarks>
internal sealed class IndexFileStream : Stream
{
    private readonly FileStream _file;
    private readonly bool _syncOnFlush;

    private IndexFileStream(FileStream file, bool syncOnFlush)
    {
        _file = file;
        _syncOnFlush = syncOnFlush;
    }

    /// <summary>Opens or creates the file exclusively: a second llmlsp process gets an IOException (sharing violation).</summary>
    public static IndexFileStream Open(string path, bool syncOnFlush) =>
        new(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.RandomAccess), syncOnFlush);

    public string Path => _file.Name;

    public override bool CanRead => _file.CanRead;

    public override bool CanSeek => _file.CanSeek;

    public override bool CanWrite => _file.CanWrite;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => _file.Position = value;
    }

    public override void Flush() => _file.Flush(flushToDisk: _syncOnFlush);

    /// <summary>Makes everything written so far durable (fsync).</summary>
    public void SyncToDisk() => _file.Flush(flushToDisk: true);

    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _file.Read(buffer);

    public override void Write(byte[] buffer, int offset, int count) => _file.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _file.Write(buffer);

    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    public override void SetLength(long value) => _file.SetLength(value);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
