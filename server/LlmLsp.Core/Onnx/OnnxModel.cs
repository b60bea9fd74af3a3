using System.Text;

namespace LlmLsp.Onnx;

/// <summary>A weight stored in an ONNX graph (a <c>TensorProto</c> initializer). <see cref="Dimensions"/> are
/// row-major, outermost first, as ONNX writes them.</summary>
public sealed record OnnxTensor(string Name, IReadOnlyList<long> Dimensions, OnnxDataType DataType, ReadOnlyMemory<byte> RawData)
{
    public long ElementCount => Dimensions.Aggregate(1L, (product, d) => checked(product * d));

    /// <summary>The values of a FLOAT tensor, little-endian as stored.</summary>
    public float[] ToFloats()
    {
        if (DataType != OnnxDataType.Float)
        {
            throw new InvalidDataException($"ONNX tensor '{Name}' is {DataType}, not FLOAT.");
        }
        if (RawData.Length != checked(ElementCount * sizeof(float)))
        {
            throw new InvalidDataException($"ONNX tensor '{Name}' holds {RawData.Length} bytes for {ElementCount} floats.");
        }
        var values = new float[ElementCount];
        RawData.Span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
        }
        // Damage inside a weight table still parses; NaN and infinity are how it shows.
        if (!float.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum(values)))
        {
            throw new InvalidDataException($"ONNX tensor '{Name}' holds values that are not finite numbers");
        }
        return values;
    }
}

/// <summary>The element types we read (TensorProto.DataType numbers).</summary>
public enum OnnxDataType
{
    Undefined = 0,
    Float = 1,
    Int64 = 7,
}

/// <summary>One operator of the graph: which values it reads and writes.</summary>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

/// <summary>
/// The parts of an ONNX model (a protobuf <c>ModelProto</c>) that a weight converter needs: the graph's
/// initializers (weights) and nodes (to learn which weight feeds which operator, since exporters give
/// transposed matrices anonymous names). Everything else in the file is skipped. The reader checks every
/// length against the buffer, so a damaged file gives <see cref="InvalidDataException"/>, never a crash.
/// </summary>
public sealed class OnnxModel
{
    // Field numbers from onnx.proto: ModelProto.graph = 7; GraphProto.node = 1, initializer = 5;
    // NodeProto input = 1, output = 2, name = 3, op_type = 4; TensorProto dims = 1, data_type = 2,
    // float_data = 4, name = 8, raw_data = 9.
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;

    private OnnxModel(IReadOnlyList<OnnxTensor> initializers, IReadOnlyList<OnnxNode> nodes)
    {
        Initializers = initializers;
        Nodes = nodes;
        InitializersByName = initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<OnnxTensor> Initializers { get; }

    public IReadOnlyDictionary<string, OnnxTensor> InitializersByName { get; }

    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>Parses a whole model held in memory; tensors keep slices of <paramref name="data"/>.</summary>
    public static OnnxModel Read(ReadOnlyMemory<byte> data)
    {
        var initializers = new List<OnnxTensor>();
        var nodes = new List<OnnxNode>();
        var sawGraph = false;
        foreach (var field in new ProtoReader(data).Fields())
        {
            if (field.Number != ModelGraph || field.Bytes is not { } graph)
            {
                continue;
            }
            sawGraph = true;
            foreach (var item in new ProtoReader(graph).Fields())
            {
                if (item.Number == GraphInitializer && item.Bytes is { } tensor)
                {
                    initializers.Add(ReadTensor(tensor));
                }
                else if (item.Number == GraphNode && item.Bytes is { } node)
                {
                    nodes.Add(ReadNode(node));
                }
            }
        }
        if (!sawGraph)
        {
            throw new InvalidDataException("not an ONNX model: it has no graph");
        }
        return new OnnxModel(initializers, nodes);
    }

    private static OnnxTensor ReadTensor(ReadOnlyMemory<byte> data)
    {
        var dims = new List<long>();
        var name = "";
        var type = OnnxDataType.Undefined;
        ReadOnlyMemory<byte> raw = default;
        List<float>? floats = null;
        foreach (var field in new ProtoReader(data).Fields())
        {
            switch (field.Number)
            {
                case 1 when field.Bytes is { } packed:
                    dims.AddRange(new ProtoReader(packed).PackedVarints().Select(v => (long)v));
                    break;
                case 1:
                    dims.Add((long)field.Varint);
                    break;
                case 2:
                    type = (OnnxDataType)(int)field.Varint;
                    break;
                case 4 when field.Bytes is { } packed:
                    floats ??= [];
                    for (var offset = 0; offset + 4 <= packed.Length; offset += 4)
                    {
                        floats.Add(BitConverter.ToSingle(packed.Span[offset..(offset + 4)]));
                    }
                    break;
                case 8 when field.Bytes is { } text:
                    name = Encoding.UTF8.GetString(text.Span);
                    break;
                case 9 when field.Bytes is { } bytes:
                    raw = bytes;
                    break;
            }
        }
        if (raw.IsEmpty && floats is not null)
        {
            raw = System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.ToArray().AsSpan()).ToArray();
        }
        if (dims.Any(d => d < 0))
        {
            throw new InvalidDataException($"ONNX tensor '{name}' has a negative dimension");
        }
        return new OnnxTensor(name, dims, type, raw);
    }

    private static OnnxNode ReadNode(ReadOnlyMemory<byte> data)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = "", op = "";
        foreach (var field in new ProtoReader(data).Fields())
        {
            if (field.Bytes is not { } bytes)
            {
                continue;
            }
            var text = Encoding.UTF8.GetString(bytes.Span);
            switch (field.Number)
            {
                case 1: inputs.Add(text); break;
                case 2: outputs.Add(text); break;
                case 3: name = text; break;
                case 4: op = text; break;
            }
        }
        return new OnnxNode(name, op, inputs, outputs);
    }
}
