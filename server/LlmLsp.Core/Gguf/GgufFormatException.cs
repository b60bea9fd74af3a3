namespace LlmLsp.Gguf;

/// <summary>A file is not a GGUF file we can use; the message says what is wrong and where.</summary>
public sealed class GgufFormatException : Exception
{
    public GgufFormatException(string path, string problem)
        : base($"{path}: {problem}")
    {
        FilePath = path;
        Problem = problem;
    }

    public GgufFormatException(string path, string problem, Exception innerException)
        : base($"{path}: {problem}", innerException)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file that was being read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }
}
