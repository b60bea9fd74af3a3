using System.Text;

namespace LlmLsp.Index;

/// <summary>The outcome of reading one file: its bytes, or the reason it cannot be indexed.</summary>
public sealed record FileContent(byte[]? Bytes, SkipReason? Skip, string? Detail = null);

/// <summary>Reads a walked file once, re-checking that its real location is inside the folder (the tree
/// can change between walk and read) and enforcing the size cap on what is actually read.</summary>
public static class FileContentReader
{
    private const int SniffLength = 8000;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static FileContent Read(string root, WorkspaceFile file, long maxBytes)
    {
        var real = PathGuard.ResolveReal(file.FullPath);
        if (real is null || !PathGuard.IsInside(root, real))
        {
            return new FileContent(null, SkipReason.SymlinkOutsideFolder);
        }

        try
        {
            using var stream = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
            var length = stream.Length;
            if (length > maxBytes)
            {
                return new FileContent(null, SkipReason.TooLarge, $"{length:N0} bytes > {maxBytes:N0}");
            }

            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            if (!DocumentKinds.IsPackagedDocument(file.RelativePath) && LooksBinary(bytes))
            {
                return new FileContent(null, SkipReason.Binary, "by content");
            }

            return new FileContent(bytes, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new FileContent(null, SkipReason.Unreadable, ex.Message);
        }
    }

    /// <summary>A NUL byte in the first few KB is how git decides too; text encodings other than UTF-16/32 never contain one.</summary>
    public static bool LooksBinary(ReadOnlySpan<byte> bytes) =>
        bytes[..Math.Min(bytes.Length, SniffLength)].Contains((byte)0);

    /// <summary>Decodes strictly so mojibake never reaches the index; a UTF-8 BOM is dropped.</summary>
    public static bool TryDecodeUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        try
        {
            text = s_strictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }
}
