using System.Buffers;
using LlmLsp.Index;
using LlmLsp.Retrieval;

namespace LlmLsp.Tests.Retrieval;

public sealed class KeywordIndexTests
{
    [Fact]
    public void Scores_do_not_depend_on_what_the_shared_array_pool_held_before()
    {
        var postings = FilePostings.Build("docs/cache.md",
        [
            ("Cache", "The cache keeps downloaded packages so installs work offline."),
            ("Config", "Configuration lives in the user's npmrc file."),
            ("Offline", "Offline installs read the cache first, then the network."),
        ]).Encode();
        var index = KeywordIndex.Load([(1, postings)]);
        var query = TermAnalyzer.Analyze("offline cache");
        var clean = index.Search(query, 3);

        // Another component returns a used array to the shared pool; on this thread the search rents that one next.
        var used = ArrayPool<float>.Shared.Rent(3);
        used.AsSpan().Fill(1000f);
        ArrayPool<float>.Shared.Return(used);
        var afterwards = index.Search(query, 3);

        Assert.NotEmpty(clean);
        Assert.Equal(clean, afterwards);
    }
}
