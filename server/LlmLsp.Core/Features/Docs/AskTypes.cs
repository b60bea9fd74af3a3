namespace LlmLsp.Features.Docs;

/// <summary>A retrieved passage offered to the model as numbered source <see cref="Number"/>.</summary>
public sealed record SourcePassage(int Number, string Path, int StartLine, int EndLine, int? Page, string Heading, string Text);

/// <summary>A source the answer actually cites with [n], pointing at a real indexed range.</summary>
public sealed record Citation(int Number, string Path, int StartLine, int EndLine, int? Page);

/// <summary>One turn of earlier conversation.</summary>
public sealed record ChatTurn(string Role, string Content);

/// <summary>The messages to send, and what had to be left out to fit the context.</summary>
public sealed record AskPrompt(IReadOnlyList<ChatTurn> Messages, IReadOnlyList<SourcePassage> Sources, int Tokens,
    int DroppedHistoryTurns, int DroppedSources);

/// <summary>The end of an answer: the full text, the citations it really makes, the passages the model was
/// given, and a notice for the user (for example that no model is configured).</summary>
public sealed record AskResult(string Answer, IReadOnlyList<Citation> Citations, IReadOnlyList<SourcePassage> Passages,
    string? Notice, string FinishReason);
