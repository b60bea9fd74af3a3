using System.Text.RegularExpressions;

namespace LlmLsp.Features.Docs;

/// <summary>Finds the [n] markers in an answer and keeps only those that point at a source that was really
/// given to the model, in order of first appearance.</summary>
public static partial class CitationExtractor
{
    [GeneratedRegex(@"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")]
    private static partial Regex Marker();

    public static IReadOnlyList<Citation> Extract(string answer, IReadOnlyList<SourcePassage> sources)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(sources);
        var byNumber = sources.ToDictionary(s => s.Number);
        var seen = new HashSet<int>();
        var citations = new List<Citation>();
        foreach (Match match in Marker().Matches(answer))
        {
            foreach (var part in match.Groups[1].Value.Split(','))
            {
                if (int.TryParse(part.Trim(), out var number) && byNumber.TryGetValue(number, out var source) && seen.Add(number))
                {
                    citations.Add(new Citation(number, source.Path, source.StartLine, source.EndLine, source.Page));
                }
            }
        }
        return citations;
    }
}
