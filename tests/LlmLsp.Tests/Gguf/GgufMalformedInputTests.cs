using LlmLsp.Gguf;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.Gguf;

public sealed class GgufMalformedInputTests : IDisposable
{
    private const uint F32 = 0;

    private readonly string _directory = Directory.CreateTempSubdirectory("llmlsp-gguf-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Missing_file()
    {
        string path = Path.Combine(_directory, "nope.gguf");

        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Read(path));

        Assert.Equal(path, error.FilePath);
        Assert.Equal("file not found", error.Problem);
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_instead_of_file() =>
        AssertProblem(_directory, "is a directory");

    [Fact]
    public void File_too_short_for_magic() =>
        AssertProblem(Write([0x47, 0x47]), "too short to be a GGUF file (2 bytes)");

    [Fact]
    public void File_too_short_for_header() =>
        AssertProblem(Write("GGUF\u0003\0\0\0"u8.ToArray()), "too short for a GGUF header");

    [Fact]
    public void Wrong_magic_says_what_the_file_starts_with() =>
        AssertProblem(Write("hello there, I am text"u8.ToArray()), "0x68656C6C6F207468 (\"hello th\") instead of \"GGUF\"");

    [Fact]
    public void Git_lfs_pointer_is_recognised() =>
        AssertProblem(Write("version https://git-lfs.github.com/spec/v1\noid sha256:abc\n"u8.ToArray()), "Git LFS pointer");

    [Fact]
    public void Random_bytes_are_not_gguf() =>
        AssertProblem(TinyModels.RandomBytesFile(_directory), "is not a GGUF file");

    [Theory]
    [InlineData(1u, "version 1, which is no longer supported")]
    [InlineData(99u, "unsupported GGUF version 99")]
    [InlineData(0x03000000u, "big-endian")]
    public void Unsupported_versions(uint version, string expected) =>
        AssertProblem(new RawGguf().Header(version).WriteTo(_directory), expected);

    [Fact]
    public void Absurd_metadata_count_is_refused_before_allocating() =>
        AssertProblem(new RawGguf().Header(metadataCount: 1UL << 40).Zeros(64).WriteTo(_directory),
            "claims 1099511627776 metadata entries");

    [Fact]
    public void Absurd_tensor_count_is_refused_before_allocating() =>
        AssertProblem(new RawGguf().Header(tensorCount: ulong.MaxValue).WriteTo(_directory), "tensors, which cannot fit");

    [Fact]
    public void Absurd_string_length_is_refused() =>
        AssertProblem(new RawGguf().Header(metadataCount: 1).UInt64(1UL << 50).Zeros(32).WriteTo(_directory),
            "key of metadata entry 0 claims a string of 1125899906842624 bytes");

    [Fact]
    public void Absurd_array_length_is_refused() =>
        AssertProblem(new RawGguf().Header(metadataCount: 1).String("tokens").UInt32(9).UInt32(8).UInt64(1UL << 33).Zeros(16).WriteTo(_directory),
            "array 'tokens' claims 8589934592 elements of String");

    [Fact]
    public void Absurd_string_length_inside_a_string_array_names_the_element()
    {
        var path = new RawGguf().Header(metadataCount: 1).String("tokens").UInt32(9).UInt32(8).UInt64(2).String("a").UInt64(1UL << 50).Zeros(32).WriteTo(_directory);
        AssertProblem(path, "element 1 of 'tokens' claims a string of 1125899906842624 bytes");
        // The model-load check skips arrays instead of reading them, with the same message.
        var skipped = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path, readArrays: false));
        Assert.Contains("element 1 of 'tokens' claims a string of 1125899906842624 bytes", skipped.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_value_type() =>
        AssertProblem(new RawGguf().Header(metadataCount: 1).String("k").UInt32(77).Zeros(8).WriteTo(_directory),
            "metadata key 'k' has unknown value type 77");

    [Fact]
    public void Duplicate_key() =>
        AssertProblem(new RawGguf().Header(metadataCount: 2).UInt32Entry("k", 1).UInt32Entry("k", 2).WriteTo(_directory),
            "metadata key 'k' appears more than once");

    [Fact]
    public void Invalid_bool() =>
        AssertProblem(new RawGguf().Header(metadataCount: 1).String("flag").UInt32(7).Bytes([2]).WriteTo(_directory),
            "bool of value 2");

    [Fact]
    public void Alignment_that_is_not_a_power_of_two() =>
        AssertProblem(new RawGguf().Header(metadataCount: 1).UInt32Entry("general.alignment", 48).WriteTo(_directory),
            "'general.alignment' is 48, which is not a power of two");

    [Fact]
    public void Unknown_tensor_type() =>
        AssertProblem(new RawGguf().Header(tensorCount: 1).TensorInfo("w", [4], type: 4, offset: 0).Zeros(64).WriteTo(_directory),
            "tensor 'w' has unknown ggml type 4");

    [Fact]
    public void Too_many_dimensions() =>
        AssertProblem(new RawGguf().Header(tensorCount: 1).TensorInfo("w", [1, 1, 1, 1, 1], F32, 0).Zeros(64).WriteTo(_directory),
            "tensor 'w' has 5 dimensions");

    [Fact]
    public void Row_not_a_multiple_of_the_block_size() =>
        AssertProblem(new RawGguf().Header(tensorCount: 1).TensorInfo("q", [33], type: 8, offset: 0).Zeros(64).WriteTo(_directory),
            "rows of 33 elements, not a multiple of the block size 32");

    [Fact]
    public void Misaligned_tensor_offset() =>
        AssertProblem(new RawGguf().Header(tensorCount: 1).TensorInfo("w", [1], F32, offset: 4).Zeros(64).WriteTo(_directory),
            "data offset 4, which is not a multiple of the alignment 32");

    [Fact]
    public void Tensor_whose_element_count_overflows() =>
        AssertProblem(new RawGguf().Header(tensorCount: 1).TensorInfo("w", [1UL << 40, 1UL << 40], F32, 0).Zeros(64).WriteTo(_directory),
            "element count overflows");

    [Fact]
    public void Tensor_data_beyond_the_end_of_the_file() =>
        AssertProblem(new RawGguf().Header(tensorCount: 1).TensorInfo("w", [1024], F32, 0).Zeros(64).WriteTo(_directory),
            "is truncated: tensor 'w' needs");

    [Fact]
    public void Truncated_real_model() =>
        AssertProblem(TinyModels.TruncatedCopy(TinyModels.Decoder(), _directory, keepFraction: 0.6), "is truncated");

    [Fact]
    public void Truncated_inside_the_metadata() =>
        AssertProblem(TinyModels.TruncatedCopy(TinyModels.Decoder(), _directory, keepFraction: 0.01), "truncated");

    private string Write(byte[] bytes)
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertProblem(string path, string expected)
    {
        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Read(path));
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
        Assert.Equal(path, error.FilePath);
    }
}
