namespace LlmLsp.Gguf;

/// <summary>
/// The header, metadata and tensor directory of a GGUF file (not the tensor data).
/// Read with <see cref="Read"/>; every length in the file is checked against the file size first,
/// so a damaged or hostile file gives a <see cref="GgufFormatException"/>, never a huge allocation.
/// </summary>
public sealed class GgufFile
{
    /// <summary>ggml's default data alignment, used when general.alignment is absent.</summary>
    public const uint DefaultAlignment = 32;

    public const string ArchitectureKey = "general.architecture";
    public const string AlignmentKey = "general.alignment";

    private readonly Dictionary<string, GgufValue> _metadataByKey;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;

    internal GgufFile(string path, uint version, long fileSize, long dataSectionOffset,
        IReadOnlyList<GgufMetadataEntry> metadata, IReadOnlyList<GgufTensorInfo> tensors)
    {
        Path = path;
        Version = version;
        FileSize = fileSize;
        DataSectionOffset = dataSectionOffset;
        Metadata = metadata;
        Tensors = tensors;
        _metadataByKey = metadata.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        _tensorsByName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public string Path { get; }

    /// <summary>GGUF format version (2 or 3).</summary>
    public uint Version { get; }

    public long FileSize { get; }

    /// <summary>Absolute offset where tensor data begins.</summary>
    public long DataSectionOffset { get; }

    /// <summary>All metadata in file order.</summary>
    public IReadOnlyList<GgufMetadataEntry> Metadata { get; }

    /// <summary>All tensors in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>general.architecture, or null when the file does not say.</summary>
    public string? Architecture => GetStringOrNull(ArchitectureKey);

    /// <summary>general.alignment, or the default of 32.</summary>
    public uint Alignment => TryGet(AlignmentKey, out uint alignment) ? alignment : DefaultAlignment;

    public bool Contains(string key) => _metadataByKey.ContainsKey(key);

    public GgufValue? Find(string key) => _metadataByKey.GetValueOrDefault(key);

    /// <summary>The value of <paramref name="key"/> when present and of exactly type <typeparamref name="T"/>.</summary>
    public bool TryGet<T>(string key, out T value)
    {
        if (_metadataByKey.TryGetValue(key, out var entry))
        {
            return entry.TryGet(out value);
        }
        value = default!;
        return false;
    }

    /// <summary>The value of <paramref name="key"/>; a <see cref="GgufFormatException"/> names the key when it is absent or of another type.</summary>
    public T Get<T>(string key)
    {
        if (!_metadataByKey.TryGetValue(key, out var entry))
        {
            throw new GgufFormatException(Path, $"metadata key '{key}' is missing");
        }
        if (!entry.TryGet(out T value))
        {
            throw new GgufFormatException(Path,
                $"metadata key '{key}' is {Describe(entry)}, expected {typeof(T).Name}");
        }
        return value;
    }

    public string? GetStringOrNull(string key) => TryGet(key, out string value) ? value : null;

    /// <summary>An integer of any width under <paramref name="key"/>, or null.</summary>
    public long? GetIntegerOrNull(string key) =>
        _metadataByKey.TryGetValue(key, out var entry) && entry.TryGetInteger(out long value) ? value : null;

    /// <summary>Entries whose key starts with <paramref name="prefix"/> (e.g. "tokenizer."), in file order, ready to pass to a writer.</summary>
    public IEnumerable<GgufMetadataEntry> MetadataWithPrefix(string prefix) =>
        Metadata.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal));

    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    /// <summary>Reads the raw bytes of one (small) tensor.</summary>
    public byte[] ReadTensorBytes(GgufTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.ByteSize > Array.MaxLength)
        {
            throw new InvalidOperationException($"Tensor '{tensor.Name}' is too large ({tensor.ByteSize} bytes) to read into one array.");
        }
        var bytes = new byte[tensor.ByteSize];
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        stream.Position = tensor.FileOffset;
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Reads the header, metadata and tensor directory of the GGUF file at <paramref name="path"/>.</summary>
    public static GgufFile Read(string path) => GgufReader.Read(path);

    private static string Describe(GgufValue value) =>
        value.Type == GgufValueType.Array ? $"an array of {value.ElementType}" : $"of type {value.Type}";
}
