using LlmLsp.Documents;

namespace LlmLsp.Tests.Lsp;

public sealed class PositionConversionTests
{
    // Line 0: "a😀b" (😀 is 2 UTF-16 units, 4 UTF-8 bytes); line 1: "漢字" (1 unit / 3 bytes each);
    // line 2: "e\u0301x" (combining acute: its own code point, 1 unit / 2 bytes); line 3: "end".
    private static readonly TextDocumentSnapshot s_doc = new("file:///t", "plaintext", 1, "a😀b\n漢字\r\ne\u0301x\rend");

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 1, 1)]
    [InlineData(0, 3, 3)] // after the emoji
    [InlineData(0, 2, 1)] // between the surrogates: rounds down to the emoji's start
    [InlineData(0, 4, 4)] // end of line
    [InlineData(0, 99, 4)] // past the end of the line: the line's end, not the next line
    [InlineData(1, 1, 6)]
    [InlineData(1, 2, 7)]
    [InlineData(1, 3, 7)] // before \r\n
    [InlineData(2, 1, 10)] // between base letter and combining mark: both are code points
    [InlineData(2, 2, 11)]
    [InlineData(3, 3, 16)]
    [InlineData(9, 0, 16)] // past the last line: end of text
    [InlineData(-1, 5, 0)]
    public void Utf16_offsets(int line, int character, int expected) =>
        Assert.Equal(expected, s_doc.GetOffset(new TextPosition(line, character), PositionEncoding.Utf16));

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(0, 5, 3)] // 'a' + 4-byte emoji
    [InlineData(0, 3, 1)] // inside the emoji's bytes: rounds down
    [InlineData(0, 6, 4)]
    [InlineData(1, 3, 6)]
    [InlineData(1, 4, 6)] // inside 字
    [InlineData(1, 6, 7)]
    [InlineData(1, 60, 7)]
    [InlineData(2, 1, 10)]
    [InlineData(2, 3, 11)] // e + U+0301 (2 bytes)
    [InlineData(2, 2, 10)] // inside the combining mark
    public void Utf8_offsets(int line, int character, int expected) =>
        Assert.Equal(expected, s_doc.GetOffset(new TextPosition(line, character), PositionEncoding.Utf8));

    [Theory]
    [InlineData(3, PositionEncoding.Utf16, 0, 3)]
    [InlineData(3, PositionEncoding.Utf8, 0, 5)]
    [InlineData(7, PositionEncoding.Utf8, 1, 6)]
    [InlineData(11, PositionEncoding.Utf8, 2, 3)]
    [InlineData(1000, PositionEncoding.Utf16, 3, 3)]
    public void Offsets_to_positions(int offset, PositionEncoding encoding, int line, int character) =>
        Assert.Equal(new TextPosition(line, character), s_doc.GetPosition(offset, encoding));

    [Fact]
    public void Round_trips_every_code_point_boundary_in_both_encodings()
    {
        foreach (var encoding in new[] { PositionEncoding.Utf16, PositionEncoding.Utf8 })
        {
            for (int offset = 0; offset <= s_doc.Text.Length; offset++)
            {
                if (offset < s_doc.Text.Length && char.IsLowSurrogate(s_doc.Text[offset]))
                {
                    continue;
                }

                var position = s_doc.GetPosition(offset, encoding);
                int back = s_doc.GetOffset(position, encoding);
                // Offsets inside a line break map to the end of the line's content.
                Assert.True(back == offset || s_doc.Text[back] is '\r' or '\n', $"{encoding} offset {offset} -> {position} -> {back}");
            }
        }
    }

    [Fact]
    public void Lone_surrogate_counts_as_three_utf8_bytes()
    {
        var doc = new TextDocumentSnapshot("file:///l", "plaintext", 1, "\ud800x");
        Assert.Equal(1, doc.GetOffset(new TextPosition(0, 3), PositionEncoding.Utf8));
        Assert.Equal(new TextPosition(0, 4), doc.GetPosition(2, PositionEncoding.Utf8));
    }

    [Fact]
    public void Edits_apply_in_order_and_clamp_out_of_range()
    {
        var doc = new TextDocumentSnapshot("file:///e", "plaintext", 1, "a😀b\n漢字\r\nxyz");
        var changed = doc.WithChanges(
            [
                new TextChange(new TextRange(new(0, 3), new(0, 3)), "Z"),
                new TextChange(new TextRange(new(0, 1), new(0, 3)), "🎉🎉"),
                new TextChange(new TextRange(new(0, 6), new(1, 1)), "-\nnew line\n"),
                new TextChange(new TextRange(new(1, 0), new(2, 1)), string.Empty),
                new TextChange(new TextRange(new(50, 0), new(60, 9)), "!"),
            ],
            version: 2,
            PositionEncoding.Utf16);
        Assert.Equal("a🎉🎉Z-\n\r\nxyz!", changed.Text);
        Assert.Equal(2, changed.Version);
        Assert.Equal("a😀b\n漢字\r\nxyz", doc.Text); // snapshots are immutable
    }

    [Fact]
    public void Reversed_range_is_treated_as_its_normal_form()
    {
        var doc = new TextDocumentSnapshot("file:///r", "plaintext", 1, "abcdef");
        Assert.Equal("aXef", doc.WithChanges([new TextChange(new TextRange(new(0, 4), new(0, 1)), "X")], 2, PositionEncoding.Utf16).Text);
    }
}
