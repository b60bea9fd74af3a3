namespace LlmLsp;

/// <summary>What kind of expected failure happened. The LSP layer maps each kind to an error code and
/// `data.kind`; the CLI prints the message and exits non-zero. Unexpected failures are bugs and stay
/// ordinary exceptions.</summary>
public enum ErrorKind
{
    InvalidInput,
    ModelNotFound,
    InvalidModel,
    NativeLibrary,
    NoModelConfigured,
    IndexNotFound,
    IndexCorrupt,
    Busy,
    Download,
    /// <summary>A remote model server (config `backend`) could not be reached, refused the request or answered badly.</summary>
    Backend,
}

/// <summary>An expected failure with a message written for the user.</summary>
public sealed class LlmLspException : Exception
{
    public LlmLspException(ErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public ErrorKind Kind { get; }
}
