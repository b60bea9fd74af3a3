using LlmLsp.Features.Completion;

namespace LlmLsp.Tests.Completion;

public sealed class SuggestionRulesTests
{
    [Theory]
    [InlineData("foo(|)", true)]
    [InlineData("    |", true)]
    [InlineData("x = compute(|);", true)]
    [InlineData("var na|me = 1;", false)]
    [InlineData("call(|first, second, third)", false)]
    [InlineData("|", true)]
    [InlineData("end of word|", true)]
    public void Triggers_only_where_a_suggestion_can_help(string line, bool expected)
    {
        var offset = line.IndexOf('|', StringComparison.Ordinal);
        var text = line.Remove(offset, 1);

        Assert.Equal(expected, SuggestionRules.ShouldTrigger(text, offset));
    }

    [Fact]
    public void A_mid_line_suggestion_ends_at_the_end_of_the_line()
    {
        var (text, done) = SuggestionRules.Cut("a + b);\n    return c;", midLine: true, blockIndent: "    ");

        Assert.Equal("a + b);", text);
        Assert.True(done);
    }

    [Fact]
    public void A_block_suggestion_ends_where_the_indentation_drops_below_the_block()
    {
        var generated = "if (x)\n        {\n            y();\n        }\n    }\n    next();";

        var (text, done) = SuggestionRules.Cut(generated, midLine: false, blockIndent: "        ");

        Assert.True(done);
        Assert.Equal("if (x)\n        {\n            y();\n        }", text);
    }

    [Fact]
    public void While_streaming_an_unfinished_last_line_is_not_judged()
    {
        var (text, done) = SuggestionRules.Cut("call();\n}", midLine: false, blockIndent: "    ");
        var (_, doneAtEnd) = SuggestionRules.Cut("call();\n}", midLine: false, blockIndent: "    ", final: true);

        Assert.False(done);
        Assert.Equal("call();\n}", text);
        Assert.True(doneAtEnd);
    }

    [Theory]
    [InlineData("a, b)", ")", "a, b")]
    [InlineData("a, b);", ");", "a, b")]
    [InlineData("value", ")", "value")]
    [InlineData("x]])", "]])\n", "x")]
    public void Text_the_line_already_has_after_the_cursor_is_not_repeated(string suggestion, string after, string expected)
    {
        Assert.Equal(expected, SuggestionRules.TrimSuffixOverlap(suggestion, after));
    }

    [Fact]
    public void Trailing_lines_that_repeat_the_following_lines_are_dropped()
    {
        var suggestion = "total += x;\n    }\n    return total;";
        var after = "\n    }\n    return total;\n}\n";

        Assert.Equal("total += x;", SuggestionRules.TrimSuffixOverlap(suggestion, after));
    }

    [Fact]
    public void The_indentation_of_the_cursor_line_is_measured_up_to_the_cursor()
    {
        Assert.Equal("\t  ", SuggestionRules.LineIndent("x\n\t  y", 6));
        Assert.Equal("    ", SuggestionRules.LineIndent("{\n    ", 6));
    }
}
