using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using LlmLsp.Remote;

namespace LlmLsp.Features.Completion;

/// <summary>Fill-in-the-middle on a remote server (<see cref="InfillClient"/>). Without the server's tokenizer the windows
/// are measured in characters (about three per token, the same estimate the local windows start from), and the prefix
/// window starts on a multiple of <see cref="WindowAlignLines"/> lines so the server's prompt cache keeps its prefix
/// while the user types.</summary>
public sealed class RemoteInfillModel(InfillClient client, string name) : IInfillModel
{
    private const int WindowAlignLines = 16;
    private const int CharactersPerToken = 3;

    public string Name { get; } = name;

    public InfillPrompt Prepare(InfillContext context, CompletionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        var lineStart = context.Before.LastIndexOf('\n') + 1;
        var line = context.Before[lineStart..];
        var prefix = PrefixWindow(context.Before[..lineStart], settings.PrefixTokens * CharactersPerToken);
        var suffix = SuffixWindow(context.After, settings.SuffixTokens * CharactersPerToken);
        var extra = new List<InfillFile>();
        var budget = settings.ContextTokens * CharactersPerToken;
        foreach (var snippet in context.Snippets)
        {
            if (snippet.Text.Length > budget)
            {
                break;
            }
            budget -= snippet.Text.Length;
            extra.Add(new InfillFile(snippet.Path, snippet.Text));
        }
        var input = new InfillInput(prefix, line, suffix, extra, settings.MaxTokens, settings.TimeBudgetMs, settings.IgnoreEndOfGeneration);
        var key = new StringBuilder().Append(prefix).Append('\0').Append(line).Append('\0').Append(suffix);
        foreach (var file in extra)
        {
            key.Append('\0').Append(file.FileName).Append('\0').Append(file.Text);
        }
        var size = (prefix.Length + line.Length + suffix.Length + extra.Sum(f => f.FileName.Length + f.Text.Length)) / CharactersPerToken;
        return new RemotePrompt(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString()))), size, input);
    }

    public async IAsyncEnumerable<InfillPiece> GenerateAsync(InfillPrompt prompt, CompletionSettings settings,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var input = prompt is RemotePrompt own ? own.Input : throw new ArgumentException("The prompt was prepared by another model.", nameof(prompt));
        await foreach (var text in client.StreamAsync(input, cancellationToken).ConfigureAwait(false))
        {
            yield return new InfillPiece(text, 0, Final: false);
        }
        yield return new InfillPiece("", 0, Final: true);
    }

    private sealed record RemotePrompt(string CacheKey, int Size, InfillInput Input) : InfillPrompt(CacheKey, Size);

    private static string PrefixWindow(string before, int budget)
    {
        if (budget <= 0 || before.Length == 0)
        {
            return "";
        }
        var starts = new List<int> { 0 };
        for (var i = 0; i < before.Length - 1; i++)
        {
            if (before[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }
        var first = starts.Count - 1;
        while (first > 0 && before.Length - starts[first - 1] <= budget)
        {
            first--;
        }
        // Round the start up to an aligned line so it moves only every few lines of typing.
        var aligned = Math.Min(starts.Count - 1, (first + WindowAlignLines - 1) / WindowAlignLines * WindowAlignLines);
        var start = starts[aligned];
        return before.Length - start <= budget ? before[start..] : before[^budget..];
    }

    private static string SuffixWindow(string after, int budget)
    {
        if (after.Length <= budget)
        {
            return after;
        }
        var end = after.LastIndexOf('\n', Math.Max(0, budget - 1));
        return end > 0 ? after[..(end + 1)] : after[..budget];
    }
}
