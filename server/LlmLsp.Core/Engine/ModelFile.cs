using LlmLsp.Gguf;

namespace LlmLsp.Engine;

/// <summary>What the managed check learned about a model file before native code sees it.</summary>
public sealed record ModelFileHeader(string Path, string Architecture, long FileSize);

/// <summary>Checks a model file in managed code: llama.cpp asserts (kills the process) on some malformed
/// files where .NET can give a clear error.</summary>
public static class ModelFile
{
    public static ModelFileHeader Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, "No model path was given.");
        }
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new LlmLspException(ErrorKind.InvalidModel, $"{full} is a folder, not a GGUF model file.");
        }
        if (!File.Exists(full))
        {
            throw new LlmLspException(ErrorKind.ModelNotFound, $"Model file not found: {full}");
        }
        try
        {
            // Arrays (the tokenizer's 150k strings) are bounds-checked but not read: llama.cpp reads them anyway.
            var gguf = GgufReader.Read(full, readArrays: false);
            return new ModelFileHeader(full, gguf.Architecture ?? "unknown", gguf.FileSize);
        }
        catch (GgufFormatException ex)
        {
            throw new LlmLspException(ErrorKind.InvalidModel, ex.Message, ex);
        }
    }
}
