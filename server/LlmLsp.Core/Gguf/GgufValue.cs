using System.Globalization;

namespace LlmLsp.Gguf;

/// <summary>
/// One GGUF metadata value: a scalar, a string, or a one-dimensional array of either.
/// Arrays are held as plain CLR arrays (byte[], int[], string[], ...), so a value read from one
/// file can be written into another unchanged.
/// </summary>
public sealed class GgufValue
{
    private readonly object _value;

    private GgufValue(GgufValueType type, GgufValueType? elementType, object value)
    {
        Type = type;
        ElementType = elementType;
        _value = value;
    }

    /// <summary>The value's GGUF type; <see cref="GgufValueType.Array"/> for arrays.</summary>
    public GgufValueType Type { get; }

    /// <summary>For arrays, the type of their elements; otherwise null.</summary>
    public GgufValueType? ElementType { get; }

    /// <summary>The value as the CLR object that holds it (a boxed scalar, a string or an array).</summary>
    public object Value => _value;

    /// <summary>Number of elements of an array value; 1 for scalars.</summary>
    public int Count => _value is Array array ? array.Length : 1;

    public static GgufValue FromUInt8(byte value) => new(GgufValueType.UInt8, null, value);
    public static GgufValue FromInt8(sbyte value) => new(GgufValueType.Int8, null, value);
    public static GgufValue FromUInt16(ushort value) => new(GgufValueType.UInt16, null, value);
    public static GgufValue FromInt16(short value) => new(GgufValueType.Int16, null, value);
    public static GgufValue FromUInt32(uint value) => new(GgufValueType.UInt32, null, value);
    public static GgufValue FromInt32(int value) => new(GgufValueType.Int32, null, value);
    public static GgufValue FromUInt64(ulong value) => new(GgufValueType.UInt64, null, value);
    public static GgufValue FromInt64(long value) => new(GgufValueType.Int64, null, value);
    public static GgufValue FromFloat32(float value) => new(GgufValueType.Float32, null, value);
    public static GgufValue FromFloat64(double value) => new(GgufValueType.Float64, null, value);
    public static GgufValue FromBool(bool value) => new(GgufValueType.Bool, null, value);

    public static GgufValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(GgufValueType.String, null, value);
    }

    public static GgufValue FromArray(byte[] values) => MakeArray(GgufValueType.UInt8, values);
    public static GgufValue FromArray(sbyte[] values) => MakeArray(GgufValueType.Int8, values);
    public static GgufValue FromArray(ushort[] values) => MakeArray(GgufValueType.UInt16, values);
    public static GgufValue FromArray(short[] values) => MakeArray(GgufValueType.Int16, values);
    public static GgufValue FromArray(uint[] values) => MakeArray(GgufValueType.UInt32, values);
    public static GgufValue FromArray(int[] values) => MakeArray(GgufValueType.Int32, values);
    public static GgufValue FromArray(ulong[] values) => MakeArray(GgufValueType.UInt64, values);
    public static GgufValue FromArray(long[] values) => MakeArray(GgufValueType.Int64, values);
    public static GgufValue FromArray(float[] values) => MakeArray(GgufValueType.Float32, values);
    public static GgufValue FromArray(double[] values) => MakeArray(GgufValueType.Float64, values);
    public static GgufValue FromArray(bool[] values) => MakeArray(GgufValueType.Bool, values);

    public static GgufValue FromArray(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Array.IndexOf(values, null) is var index and >= 0)
        {
            throw new ArgumentException($"String array element {index} is null.", nameof(values));
        }
        return MakeArray(GgufValueType.String, values);
    }

    /// <summary>The value as <typeparamref name="T"/> when it is exactly that type (e.g. uint, string, int[]); otherwise false.</summary>
    public bool TryGet<T>(out T value)
    {
        if (_value is T typed)
        {
            value = typed;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>
    /// An integer scalar of any width as a long. GGUF writers disagree on integer widths
    /// (a context length may be u32 in one file and u64 in another), so readers of counts use this.
    /// </summary>
    public bool TryGetInteger(out long value)
    {
        switch (_value)
        {
            case byte v: value = v; return true;
            case sbyte v: value = v; return true;
            case ushort v: value = v; return true;
            case short v: value = v; return true;
            case uint v: value = v; return true;
            case int v: value = v; return true;
            case long v: value = v; return true;
            case ulong v when v <= long.MaxValue: value = (long)v; return true;
            default: value = 0; return false;
        }
    }

    public override string ToString()
    {
        const int shownElements = 8;
        return _value switch
        {
            string s => s,
            Array array => $"[{ElementType}; {array.Length}] " + string.Join(", ",
                array.Cast<object>().Take(shownElements).Select(e => Convert.ToString(e, CultureInfo.InvariantCulture)))
                + (array.Length > shownElements ? ", ..." : ""),
            _ => Convert.ToString(_value, CultureInfo.InvariantCulture) ?? "",
        };
    }

    private static GgufValue MakeArray(GgufValueType elementType, Array values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(GgufValueType.Array, elementType, values);
    }
}

/// <summary>A metadata key and its value, in file order.</summary>
public sealed record GgufMetadataEntry(string Key, GgufValue Value);
