using System.Globalization;
using LlmLsp.Models;
using Spectre.Console;

namespace LlmLsp.Cli.Commands;

/// <summary>Shows a pull's progress on stderr: a live bar (bytes, rate, time left) on a terminal, and a plain line
/// every few seconds when stderr is a file or a pipe, so logs stay readable.</summary>
internal static class PullProgress
{
    private static readonly TimeSpan s_plainInterval = TimeSpan.FromSeconds(2);

    public static async Task<T> RunAsync<T>(string modelName, Func<IProgress<DownloadProgress>, Task<T>> pull)
    {
        if (Console.IsErrorRedirected)
        {
            return await pull(PlainLines()).ConfigureAwait(false);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(modelName), autoStart: true, maxValue: 1);
                task.IsIndeterminate = true;
                var result = await pull(new CallbackProgress<DownloadProgress>(p =>
                {
                    if (p.TotalBytes is > 0 and var total)
                    {
                        task.IsIndeterminate = false;
                        task.MaxValue = total;
                    }
                    task.Value = p.BytesReceived;
                    task.Description = Markup.Escape($"{modelName}  {Describe(p)}");
                })).ConfigureAwait(false);
                task.Value = task.MaxValue;
                task.StopTask();
                return result;
            }).ConfigureAwait(false);
    }

    private static CallbackProgress<DownloadProgress> PlainLines()
    {
        var lastLine = DateTime.MinValue;
        var lastPhase = (DownloadPhase)(-1);
        return new CallbackProgress<DownloadProgress>(p =>
        {
            var now = DateTime.UtcNow;
            if (p.Phase == lastPhase && now - lastLine < s_plainInterval)
            {
                return;
            }
            lastLine = now;
            lastPhase = p.Phase;
            var bytes = p.TotalBytes is { } total
                ? $"{ModelCatalogue.FormatSize(p.BytesReceived)} of {ModelCatalogue.FormatSize(total)} ({p.Fraction * 100:0}%)"
                : ModelCatalogue.FormatSize(p.BytesReceived);
            Console.Error.WriteLine($"{p.ModelName}: {Describe(p)}, {bytes}");
        });
    }

    /// <summary>"45.2 MB/s, 0:31 left" while downloading; the phase otherwise.</summary>
    private static string Describe(DownloadProgress p) => p.Phase switch
    {
        DownloadPhase.CheckingPartial => "checking the partial download",
        DownloadPhase.Connecting => "connecting",
        DownloadPhase.Downloading => p.BytesPerSecond > 0
            ? $"{ModelCatalogue.FormatSize((long)p.BytesPerSecond)}/s" + (p.Remaining is { } left ? $", {FormatDuration(left)} left" : "")
            : "downloading",
        DownloadPhase.Verifying => "verifying SHA-256",
        DownloadPhase.Completed => "done",
        _ => p.Phase.ToString(),
    };

    private static string FormatDuration(TimeSpan span) => span.TotalHours >= 1
        ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : span.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool and can reorder).</summary>
    private sealed class CallbackProgress<T>(Action<T> onReport) : IProgress<T>
    {
        public void Report(T value) => onReport(value);
    }
}
