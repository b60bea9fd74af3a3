namespace LlmLsp.Models;

/// <summary>Where a pull is. The LSP layer maps these to work-done progress; the CLI to a progress bar.</summary>
public enum DownloadPhase
{
    /// <summary>Hashing a partial file left by an earlier pull before resuming it.</summary>
    CheckingPartial,
    Connecting,
    Downloading,
    /// <summary>Checking the SHA-256 and the GGUF header before the file becomes visible.</summary>
    Verifying,
    Completed,
}

/// <summary>A snapshot of a pull. <see cref="BytesReceived"/> counts resumed bytes too, so it never goes backwards
/// within one attempt; <see cref="TotalBytes"/> is the server's size once known (the catalogue's estimate before).</summary>
public sealed record DownloadProgress(
    string ModelName,
    DownloadPhase Phase,
    long BytesReceived,
    long? TotalBytes,
    double BytesPerSecond,
    TimeSpan? Remaining)
{
    /// <summary>0..1 when the total is known.</summary>
    public double? Fraction => TotalBytes is > 0 and var total ? Math.Clamp((double)BytesReceived / total, 0, 1) : null;
}

/// <summary>How downloads behave. Defaults suit people; tests shorten the timeouts.</summary>
public sealed record DownloadOptions
{
    /// <summary>Give up when no bytes (or no response) arrive for this long. The partial file is kept for resuming.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause before resuming after a dropped connection.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Resumes after dropped connections within one pull. Only attempts that received bytes are retried.</summary>
    public int MaxResumes { get; init; } = 20;

    /// <summary>Least time between two progress reports.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Replaces https://huggingface.co in catalogue URLs; see <see cref="ModelSource.MirrorVariable"/>.</summary>
    public Uri? Mirror { get; init; }

    /// <summary>Defaults, with the mirror read from <c>LLMLSP_MODEL_MIRROR</c>.</summary>
    public static DownloadOptions FromEnvironment() =>
        new() { Mirror = ModelSource.ParseMirror(Environment.GetEnvironmentVariable(ModelSource.MirrorVariable)) };
}
