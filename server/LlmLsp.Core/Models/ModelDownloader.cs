using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using LlmLsp.Engine;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Models;

/// <summary>What to download and how to check it.</summary>
internal sealed record DownloadRequest(string ModelName, Uri Url, string Destination, string? ExpectedSha256, long? ApproximateSize);

/// <summary>A finished download: the file is in place and (when a hash was given) matches it.</summary>
internal sealed record DownloadResult(string Path, string Sha256, long Size, long ResumedFromBytes, int Requests);

/// <summary>
/// Downloads one file into <c>NAME.gguf.partial</c>, resuming with HTTP Range, and renames it into place only
/// after the SHA-256 and the GGUF header check pass, so a model file that exists is always whole.
/// Cancellation and failures keep the partial file for the next pull to resume; a checksum mismatch deletes it.
/// </summary>
internal sealed partial class ModelDownloader
{
    public const string PartialSuffix = ".partial";

    private readonly HttpClient _http;
    private readonly DownloadOptions _options;
    private readonly ILogger _logger;

    public ModelDownloader(HttpClient http, DownloadOptions options, ILogger logger)
    {
        _http = http;
        _options = options;
        _logger = logger;
    }

    public async Task<DownloadResult> DownloadAsync(DownloadRequest request, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(request.Destination))!;
        Directory.CreateDirectory(directory);
        var partialPath = request.Destination + PartialSuffix;
        var reporter = new ProgressReporter(request.ModelName, progress, _options.ProgressInterval);
        string sha;
        long size;
        long resumedFrom;
        int requests;
        await using (var partial = PartialDownload.Open(partialPath, request.ModelName))
        {
            resumedFrom = partial.Length;
            if (request.ApproximateSize is { } approximate)
            {
                // Before any request, so a full disk fails fast; re-checked with the server's exact size below.
                FreeSpace.Ensure(directory, approximate - partial.Length, request.ModelName);
            }
            if (partial.Length > 0)
            {
                LogResuming(_logger, request.ModelName, partial.Length);
                reporter.Report(DownloadPhase.CheckingPartial, 0, partial.Length, force: true);
                await partial.HashExistingAsync(done => reporter.Report(DownloadPhase.CheckingPartial, done, resumedFrom), cancellationToken).ConfigureAwait(false);
            }
            requests = await TransferAsync(request, partial, directory, reporter, cancellationToken).ConfigureAwait(false);
            reporter.Report(DownloadPhase.Verifying, partial.Length, partial.Length, force: true);
            sha = partial.Complete();
            size = partial.Length;
        }
        if (request.ExpectedSha256 is { } expected && !string.Equals(expected, sha, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(partialPath);
            throw new LlmLspException(ErrorKind.Download,
                $"The download of {request.ModelName} from {request.Url.Host} is corrupt or not the expected file: its SHA-256 is {sha}, " +
                $"the catalogue expects {expected}. The file was deleted. If the catalogue entry is your own, check its sha256.");
        }
        try
        {
            ModelFile.Validate(partialPath);
        }
        catch (LlmLspException ex)
        {
            File.Delete(partialPath);
            throw new LlmLspException(ErrorKind.InvalidModel,
                $"The download of {request.ModelName} from {request.Url} is not a usable GGUF model ({ex.Message}). The file was deleted.", ex);
        }
        File.Move(partialPath, request.Destination, overwrite: true);
        reporter.Report(DownloadPhase.Completed, size, size, force: true);
        return new DownloadResult(request.Destination, sha, size, resumedFrom, requests);
    }

    /// <summary>Requests until the partial file holds the whole body. Returns the number of requests made.</summary>
    private async Task<int> TransferAsync(DownloadRequest request, PartialDownload partial, string directory, ProgressReporter reporter,
        CancellationToken cancellationToken)
    {
        var requests = 0;
        var resumes = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = partial.Length;
            requests++;
            try
            {
                if (await TryOneRequestAsync(request, partial, directory, reporter, cancellationToken).ConfigureAwait(false))
                {
                    return requests;
                }
                // The server answered a range we did not ask for; the partial was truncated. Ask again.
                continue;
            }
            catch (DroppedConnectionException ex) when (partial.Length > before && resumes < _options.MaxResumes)
            {
                // Only attempts that made progress are retried, so a dead server fails after one attempt.
                resumes++;
                LogConnectionDropped(_logger, request.ModelName, partial.Length, ex.Message);
            }
            catch (DroppedConnectionException ex)
            {
                throw new LlmLspException(ErrorKind.Download,
                    $"The download of {request.ModelName} from {request.Url.Host} failed: {ex.Message}. " +
                    $"{FormatKept(partial.Length)}Run the pull again to resume.", ex);
            }
            await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One GET. True when the file is complete; false when the caller should ask again from the new length.</summary>
    private async Task<bool> TryOneRequestAsync(DownloadRequest request, PartialDownload partial, string directory, ProgressReporter reporter,
        CancellationToken cancellationToken)
    {
        var offset = partial.Length;
        using var message = new HttpRequestMessage(HttpMethod.Get, request.Url);
        if (offset > 0)
        {
            message.Headers.Range = new RangeHeaderValue(offset, null);
        }
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(_options.StallTimeout);
        reporter.Report(DownloadPhase.Connecting, offset, request.ApproximateSize, force: true);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Stalled(request, partial.Length, "no response", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new LlmLspException(ErrorKind.Download,
                $"Could not download {request.ModelName}: {request.Url.Host} did not answer ({ex.Message}). {FormatKept(partial.Length)}" +
                "Check the network connection (and HTTPS_PROXY if you need a proxy).", ex);
        }
        using (response)
        {
            long? total;
            switch (response.StatusCode)
            {
                case HttpStatusCode.PartialContent when offset > 0:
                    var range = response.Content.Headers.ContentRange;
                    if (range is null || !string.Equals(range.Unit, "bytes", StringComparison.OrdinalIgnoreCase) || range.From != offset)
                    {
                        LogRangeMismatch(_logger, request.ModelName, offset, range?.ToString() ?? "none");
                        partial.Truncate();
                        return false;
                    }
                    total = range.Length;
                    break;
                case HttpStatusCode.OK:
                    if (offset > 0)
                    {
                        // The server (or a proxy) ignored Range and is sending the whole file: start over cleanly.
                        LogRangeIgnored(_logger, request.ModelName, offset);
                        partial.Truncate();
                    }
                    total = response.Content.Headers.ContentLength;
                    break;
                case HttpStatusCode.RequestedRangeNotSatisfiable when offset > 0:
                    // Usually an earlier pull got every byte but stopped before the rename.
                    if (response.Content.Headers.ContentRange?.Length == offset)
                    {
                        return true;
                    }
                    partial.Truncate();
                    return false;
                default:
                    throw HttpFailure(request, response, partial.Length);
            }

            if (total is { } exact)
            {
                FreeSpace.Ensure(directory, exact - partial.Length, request.ModelName);
            }
            var stream = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await CopyAsync(request, stream, partial, total, stall, reporter, cancellationToken).ConfigureAwait(false);
            }
            if (total is { } expectedTotal && partial.Length < expectedTotal)
            {
                throw new DroppedConnectionException($"the connection closed after {partial.Length} of {expectedTotal} bytes");
            }
            return true;
        }
    }

    private async Task CopyAsync(DownloadRequest request, Stream body, PartialDownload partial, long? total, CancellationTokenSource stall,
        ProgressReporter reporter, CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        reporter.StartTransfer(partial.Length);
        while (true)
        {
            // Re-armed before every read: the timeout is for silence, not for the whole download.
            stall.CancelAfter(_options.StallTimeout);
            int read;
            try
            {
                read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw Stalled(request, partial.Length, "no data", ex);
            }
            catch (IOException ex)
            {
                throw new DroppedConnectionException(ex.Message, ex);
            }
            if (read == 0)
            {
                return;
            }
            await partial.AppendAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            reporter.Report(DownloadPhase.Downloading, partial.Length, total);
        }
    }

    private LlmLspException Stalled(DownloadRequest request, long kept, string what, Exception inner)
    {
        var seconds = _options.StallTimeout.TotalSeconds;
        return new LlmLspException(ErrorKind.Download,
            $"The download of {request.ModelName} stalled: {what} from {request.Url.Host} for {seconds:0.#} s. " +
            $"{FormatKept(kept)}Run the pull again to resume.", inner);
    }

    private static LlmLspException HttpFailure(DownloadRequest request, HttpResponseMessage response, long kept)
    {
        var code = (int)response.StatusCode;
        var status = $"HTTP {code} {response.ReasonPhrase}".TrimEnd();
        var host = request.Url.Host;
        var message = response.StatusCode switch
        {
            HttpStatusCode.NotFound or HttpStatusCode.Gone =>
                $"{request.ModelName} was not found at {request.Url} ({status}). The catalogue entry may be out of date, or the mirror may lack the file.",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                $"{host} refused the download of {request.ModelName} ({status}). The repository may be gated or private.",
            HttpStatusCode.TooManyRequests =>
                $"{host} is rate-limiting downloads ({status}). Try again in a few minutes. {FormatKept(kept)}",
            _ when code >= 500 =>
                $"{host} failed while serving {request.ModelName} ({status}). This is usually temporary: try again later. {FormatKept(kept)}",
            _ => $"The download of {request.ModelName} from {host} failed: {status}.",
        };
        return new LlmLspException(ErrorKind.Download, message.TrimEnd());
    }

    private static string FormatKept(long bytes) =>
        bytes > 0 ? $"The {ModelCatalogue.FormatSize(bytes)} received so far are kept. " : "";

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {Model} from byte {Offset}")]
    private static partial void LogResuming(ILogger logger, string model, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server ignored the Range request for {Model} (had {Offset} bytes); downloading from the start")]
    private static partial void LogRangeIgnored(ILogger logger, string model, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server answered {Model} with an unexpected range (asked from {Offset}, got {Range}); downloading from the start")]
    private static partial void LogRangeMismatch(ILogger logger, string model, long offset, string range);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The connection dropped while downloading {Model} at {Bytes} bytes ({Reason}); resuming")]
    private static partial void LogConnectionDropped(ILogger logger, string model, long bytes, string reason);

    /// <summary>The body ended early; resumable.</summary>
    private sealed class DroppedConnectionException(string message, Exception? inner = null) : Exception(message, inner);

    /// <summary>Throttles reports and works out the rate and time left for this session's bytes.</summary>
    private sealed class ProgressReporter(string modelName, IProgress<DownloadProgress>? sink, TimeSpan interval)
    {
        private readonly Stopwatch _sinceLastReport = Stopwatch.StartNew();
        private readonly Stopwatch _transfer = new();
        private long _transferStartBytes;

        public void StartTransfer(long bytes)
        {
            if (!_transfer.IsRunning)
            {
                _transferStartBytes = bytes;
                _transfer.Start();
            }
        }

        public void Report(DownloadPhase phase, long bytes, long? total, bool force = false)
        {
            if (sink is null || (!force && _sinceLastReport.Elapsed < interval))
            {
                return;
            }
            _sinceLastReport.Restart();
            var seconds = _transfer.Elapsed.TotalSeconds;
            var rate = seconds > 0.2 ? Math.Max(0, bytes - _transferStartBytes) / seconds : 0;
            TimeSpan? remaining = rate > 0 && total is { } t && t >= bytes ? TimeSpan.FromSeconds((t - bytes) / rate) : null;
            sink.Report(new DownloadProgress(modelName, phase, bytes, total, rate, remaining));
        }
    }
}
