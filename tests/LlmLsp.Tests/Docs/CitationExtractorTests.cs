using LlmLsp.Features.Docs;

namespace LlmLsp.Tests.Docs;

public sealed class CitationExtractorTests
{
    private static readonly SourcePassage[] s_sources =
    [
        new(1, "README.md", 1, 12, null, "Intro", "..."),
        new(2, "docs/manual.pdf", 1, 1, 3, "", "..."),
        new(3, "src/Engine.cs", 40, 80, null, "LlamaEngine", "..."),
    ];

    [Theory]
    [InlineData("The engine streams tokens [3].", new[] { 3 })]
    [InlineData("See [2][1] and again [2].", new[] { 2, 1 })]
    [InlineData("Both [1, 3] say so.", new[] { 1, 3 })]
    [InlineData("Made up [7] and [0] and [x].", new int[0])]
    [InlineData("Arrays like a[1] count too, but [12] does not exist.", new[] { 1 })]
    [InlineData("No markers at all.", new int[0])]
    public void Only_markers_that_point_at_given_sources_become_citations(string answer, int[] expected)
    {
        var citations = CitationExtractor.Extract(answer, s_sources);

        Assert.Equal(expected, citations.Select(c => c.Number));
    }

    [Fact]
    public void A_citation_carries_the_sources_file_and_range()
    {
        var citation = Assert.Single(CitationExtractor.Extract("pdf says [2]", s_sources));

        Assert.Equal(new Citation(2, "docs/manual.pdf", 1, 1, 3), citation);
    }
}
