using System.Buffers.Binary;
using LlmLsp.Gguf;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.Gguf;

public sealed class GgufRoundTripTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("llmlsp-gguf-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Every_value_type_survives_a_write_and_read()
    {
        var writer = new GgufWriter()
            .Add("general.architecture", "test")
            .Add("u8", GgufValue.FromUInt8(250))
            .Add("i8", GgufValue.FromInt8(-120))
            .Add("u16", GgufValue.FromUInt16(65000))
            .Add("i16", GgufValue.FromInt16(-32000))
            .Add("u32", GgufValue.FromUInt32(4_000_000_000))
            .Add("i32", GgufValue.FromInt32(-2_000_000_000))
            .Add("u64", GgufValue.FromUInt64(ulong.MaxValue - 1))
            .Add("i64", GgufValue.FromInt64(long.MinValue + 1))
            .Add("f32", GgufValue.FromFloat32(3.25f))
            .Add("f64", GgufValue.FromFloat64(-1e300))
            .Add("bool.true", GgufValue.FromBool(true))
            .Add("bool.false", GgufValue.FromBool(false))
            .Add("string", GgufValue.FromString("héllo ▁ 你好 🎉"))
            .Add("string.empty", GgufValue.FromString(""))
            .Add("array.u8", GgufValue.FromArray(new byte[] { 0, 1, 255 }))
            .Add("array.i8", GgufValue.FromArray(new sbyte[] { -128, 0, 127 }))
            .Add("array.u16", GgufValue.FromArray(new ushort[] { 0, 65535 }))
            .Add("array.i16", GgufValue.FromArray(new short[] { -32768, 32767 }))
            .Add("array.u32", GgufValue.FromArray(new uint[] { 0, uint.MaxValue }))
            .Add("array.i32", GgufValue.FromArray(new[] { int.MinValue, -1, int.MaxValue }))
            .Add("array.u64", GgufValue.FromArray(new ulong[] { 0, ulong.MaxValue }))
            .Add("array.i64", GgufValue.FromArray(new[] { long.MinValue, long.MaxValue }))
            .Add("array.f32", GgufValue.FromArray(new[] { -0.5f, float.Epsilon, float.MaxValue }))
            .Add("array.f64", GgufValue.FromArray(new[] { double.MinValue, 0.1 }))
            .Add("array.bool", GgufValue.FromArray(new[] { true, false, true }))
            .Add("array.string", GgufValue.FromArray(new[] { "a", "", "▁word", "<0x0A>", "🎉" }))
            .Add("array.empty", GgufValue.FromArray(Array.Empty<int>()));

        var file = WriteAndRead(writer);

        Assert.Equal(3u, file.Version);
        Assert.Equal("test", file.Architecture);
        Assert.Equal((byte)250, file.Get<byte>("u8"));
        Assert.Equal((sbyte)-120, file.Get<sbyte>("i8"));
        Assert.Equal((ushort)65000, file.Get<ushort>("u16"));
        Assert.Equal((short)-32000, file.Get<short>("i16"));
        Assert.Equal(4_000_000_000u, file.Get<uint>("u32"));
        Assert.Equal(-2_000_000_000, file.Get<int>("i32"));
        Assert.Equal(ulong.MaxValue - 1, file.Get<ulong>("u64"));
        Assert.Equal(long.MinValue + 1, file.Get<long>("i64"));
        Assert.Equal(3.25f, file.Get<float>("f32"));
        Assert.Equal(-1e300, file.Get<double>("f64"));
        Assert.True(file.Get<bool>("bool.true"));
        Assert.False(file.Get<bool>("bool.false"));
        Assert.Equal("héllo ▁ 你好 🎉", file.Get<string>("string"));
        Assert.Equal("", file.Get<string>("string.empty"));
        Assert.Equal(new byte[] { 0, 1, 255 }, file.Get<byte[]>("array.u8"));
        Assert.Equal(new sbyte[] { -128, 0, 127 }, file.Get<sbyte[]>("array.i8"));
        Assert.Equal(new ushort[] { 0, 65535 }, file.Get<ushort[]>("array.u16"));
        Assert.Equal(new short[] { -32768, 32767 }, file.Get<short[]>("array.i16"));
        Assert.Equal(new uint[] { 0, uint.MaxValue }, file.Get<uint[]>("array.u32"));
        Assert.Equal(new[] { int.MinValue, -1, int.MaxValue }, file.Get<int[]>("array.i32"));
        Assert.Equal(new ulong[] { 0, ulong.MaxValue }, file.Get<ulong[]>("array.u64"));
        Assert.Equal(new[] { long.MinValue, long.MaxValue }, file.Get<long[]>("array.i64"));
        Assert.Equal(new[] { -0.5f, float.Epsilon, float.MaxValue }, file.Get<float[]>("array.f32"));
        Assert.Equal(new[] { double.MinValue, 0.1 }, file.Get<double[]>("array.f64"));
        Assert.Equal(new[] { true, false, true }, file.Get<bool[]>("array.bool"));
        Assert.Equal(new[] { "a", "", "▁word", "<0x0A>", "🎉" }, file.Get<string[]>("array.string"));
        Assert.Empty(file.Get<int[]>("array.empty"));
        Assert.Equal(GgufValueType.Int32, file.Find("array.empty")!.ElementType);
        Assert.Equal(28, file.Metadata.Count);
        Assert.Equal("u8", file.Metadata[1].Key); // file order is kept
    }

    [Fact]
    public void Typed_lookup_explains_missing_and_mistyped_keys()
    {
        var file = WriteAndRead(new GgufWriter().Add("general.architecture", "test").Add("n", 5u));

        Assert.Equal(5, file.GetIntegerOrNull("n"));
        Assert.Null(file.GetIntegerOrNull("general.architecture"));
        Assert.False(file.TryGet("n", out int _));
        var missing = Assert.Throws<GgufFormatException>(() => file.Get<uint>("absent"));
        Assert.Contains("'absent' is missing", missing.Message, StringComparison.Ordinal);
        var mistyped = Assert.Throws<GgufFormatException>(() => file.Get<string>("n"));
        Assert.Contains("'n' is of type UInt32, expected String", mistyped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensors_round_trip_with_their_data_and_honour_the_alignment()
    {
        float[] f32 = [1f, -2.5f, 3.75f, 0f, 1e-3f, -1e3f];
        float[] f16 = [0.5f, -0.25f, 65504f, 0.1f];
        var writer = new GgufWriter()
            .Add("general.architecture", "test")
            .Add(GgufFile.AlignmentKey, 64u)
            .AddTensor("a.f32", GgmlType.F32, [3, 2], f32)
            .AddTensor("b.f16", GgmlType.F16, [4], f16)
            .AddTensor("c.streamed", GgmlType.F32, [5, 3], sink =>
            {
                for (int row = 0; row < 3; row++)
                {
                    sink.WriteFloats([row, row, row, row, row]);
                }
            });

        var file = WriteAndRead(writer);

        Assert.Equal(64u, file.Alignment);
        Assert.Equal(0, file.DataSectionOffset % 64);
        Assert.Equal(["a.f32", "b.f16", "c.streamed"], file.Tensors.Select(t => t.Name));
        Assert.All(file.Tensors, t => Assert.Equal(0, t.FileOffset % 64));

        var a = file.FindTensor("a.f32")!;
        Assert.Equal(GgmlType.F32, a.Type);
        Assert.Equal([3L, 2L], a.Shape);
        Assert.Equal(6, a.ElementCount);
        Assert.Equal(24, a.ByteSize);
        Assert.Equal(f32, DecodeF32(file.ReadTensorBytes(a)));

        var b = file.FindTensor("b.f16")!;
        Assert.Equal(8, b.ByteSize);
        Assert.Equal(f16.Select(v => (float)(Half)v), DecodeF16(file.ReadTensorBytes(b)));

        var c = file.FindTensor("c.streamed")!;
        Assert.Equal(128, c.DataOffset); // 24 and 8 bytes before it, each padded to 64
        Assert.Equal(new float[] { 2, 2, 2, 2, 2 }, DecodeF32(file.ReadTensorBytes(c))[10..]);
    }

    [Fact]
    public void Writing_the_same_content_twice_gives_identical_bytes()
    {
        static GgufWriter Build() => new GgufWriter()
            .Add("general.architecture", "test")
            .Add("tokens", new[] { "x", "y" })
            .AddTensor("t", GgmlType.F16, [8], [1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f]);

        using var first = new MemoryStream();
        using var second = new MemoryStream();
        Build().WriteTo(first);
        Build().WriteTo(second);

        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.Equal("GGUF"u8.ToArray(), first.ToArray()[..4]);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(first.ToArray().AsSpan(4)));
    }

    [Fact]
    public void A_large_string_array_like_a_real_vocabulary_reads_back()
    {
        // The size of Qwen2's token list (151,936 entries) with byte-level BPE style strings.
        string[] tokens = [.. Enumerable.Range(0, 151_936).Select(i => i % 3 == 0 ? $"Ġtok{i}" : $"<|t{i}|>")];
        int[] types = [.. Enumerable.Range(0, tokens.Length).Select(i => i % 7 == 0 ? 3 : 1)];
        var writer = new GgufWriter()
            .Add("general.architecture", "qwen2")
            .Add("tokenizer.ggml.model", "gpt2")
            .Add("tokenizer.ggml.tokens", tokens)
            .Add("tokenizer.ggml.token_type", types);

        var file = WriteAndRead(writer);

        Assert.Equal(tokens, file.Get<string[]>("tokenizer.ggml.tokens"));
        Assert.Equal(types, file.Get<int[]>("tokenizer.ggml.token_type"));
    }

    [Fact]
    public void Tokenizer_metadata_copies_into_a_new_file_unchanged()
    {
        var source = GgufFile.Read(TinyModels.Decoder());
        var writer = new GgufWriter()
            .Add("general.architecture", "llama")
            .AddRange(source.MetadataWithPrefix("tokenizer."));

        var copy = WriteAndRead(writer);

        var expected = source.MetadataWithPrefix("tokenizer.").ToList();
        Assert.True(expected.Count >= 10);
        Assert.Equal(expected.Select(e => e.Key), copy.MetadataWithPrefix("tokenizer.").Select(e => e.Key));
        Assert.All(expected, e =>
        {
            var copied = copy.Find(e.Key)!;
            Assert.Equal(e.Value.Type, copied.Type);
            Assert.Equal(e.Value.ElementType, copied.ElementType);
            Assert.Equal(e.Value.Value, copied.Value);
        });
    }

    [Fact]
    public void Writer_refuses_duplicates_and_bad_alignment()
    {
        var writer = new GgufWriter().Add("k", 1u).AddTensor("t", GgmlType.F32, [1], [0f]);

        Assert.Throws<ArgumentException>(() => writer.Add("k", 2u));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", GgmlType.F32, [1], [0f]));
        Assert.Throws<ArgumentException>(() => writer.Add(GgufFile.AlignmentKey, 48u));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("wrong.count", GgmlType.F32, [3], [0f]));
        writer.Set("k", GgufValue.FromUInt32(3));
        Assert.Equal(3u, WriteAndRead(writer).Get<uint>("k"));
    }

    [Fact]
    public void Writer_checks_that_streamed_content_fills_the_tensor()
    {
        var writer = new GgufWriter().AddTensor("short", GgmlType.F32, [4], sink => sink.WriteFloats([1f]));

        var error = Assert.Throws<InvalidOperationException>(() => writer.WriteTo(Stream.Null));
        Assert.Contains("'short' must be 16 bytes", error.Message, StringComparison.Ordinal);
    }

    private GgufFile WriteAndRead(GgufWriter writer)
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.gguf");
        writer.WriteFile(path);
        return GgufFile.Read(path);
    }

    private static float[] DecodeF32(byte[] bytes) =>
        [.. Enumerable.Range(0, bytes.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4)))];

    private static float[] DecodeF16(byte[] bytes) =>
        [.. Enumerable.Range(0, bytes.Length / 2).Select(i => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(i * 2)))];

    [Fact]
    public void Reading_without_arrays_skips_them_but_keeps_scalars_and_tensors()
    {
        var path = LlmLsp.Tests.Fixtures.TinyModels.Decoder();

        var full = GgufReader.Read(path);
        var light = GgufReader.Read(path, readArrays: false);

        Assert.True(full.Contains("tokenizer.ggml.tokens"));
        Assert.False(light.Contains("tokenizer.ggml.tokens"));
        Assert.Equal(full.Architecture, light.Architecture);
        Assert.Equal(full.GetIntegerOrNull("tokenizer.ggml.eos_token_id"), light.GetIntegerOrNull("tokenizer.ggml.eos_token_id"));
        Assert.Equal(full.Tensors.Select(t => (t.Name, t.FileOffset)), light.Tensors.Select(t => (t.Name, t.FileOffset)));
    }
}
