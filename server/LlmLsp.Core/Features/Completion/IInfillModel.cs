namespace LlmLsp.Features.Completion;

/// <summary>Where the cursor is: the file, the text before and after it, other files' snippets as context.</summary>
public sealed record InfillContext(string Path, string Before, string After, IReadOnlyList<ContextSnippet> Snippets);

/// <summary>A prompt a model prepared. <see cref="CacheKey"/> is equal exactly when the model would be asked the same
/// thing; <see cref="Size"/> is its length in the model's tokens (estimated where the model is remote).</summary>
public abstract record InfillPrompt(string CacheKey, int Size);

/// <summary>Generated text; the last piece has <see cref="Final"/> set and no text. <see cref="EvaluatedPromptTokens"/>
/// counts the prompt tokens that were computed, not reused (0 where the server does not say).</summary>
public readonly record struct InfillPiece(string Text, int EvaluatedPromptTokens, bool Final);

/// <summary>What the completion feature needs from a model: build a prompt for a cursor (windowing, extra context),
/// stream the middle for it. Stopping the enumeration stops the generation.</summary>
public interface IInfillModel
{
    /// <summary>The model or server, for messages.</summary>
    string Name { get; }

    InfillPrompt Prepare(InfillContext context, CompletionSettings settings);

    IAsyncEnumerable<InfillPiece> GenerateAsync(InfillPrompt prompt, CompletionSettings settings, CancellationToken cancellationToken);
}
