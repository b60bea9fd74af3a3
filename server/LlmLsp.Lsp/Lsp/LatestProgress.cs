namespace LlmLsp.Lsp;

/// <summary>Keeps only the newest value a long job reports; a handler's loop takes it and sends
/// <c>$/progress</c> itself, so begin/report/end stay in order whatever thread the job reports from.</summary>
internal sealed class LatestProgress<T> : IProgress<T>
    where T : class
{
    private T? _value;

    public void Report(T value) => Volatile.Write(ref _value, value);

    public T? Take() => Interlocked.Exchange(ref _value, null);
}
