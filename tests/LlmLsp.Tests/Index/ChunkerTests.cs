using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using LlmLsp.Index;
using LlmLsp.Index.Chunking;
using PdfPageSize = UglyToad.PdfPig.Content.PageSize;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace LlmLsp.Tests.Index;

public sealed class ChunkerTests
{
    private static ChunkingResult Chunk(string path, string text, ChunkingOptions? options = null) =>
        new DocumentChunker(options).Chunk(path, Encoding.UTF8.GetBytes(text));

    [Fact]
    public void CSharp_is_chunked_by_member_with_symbol_paths_and_lines()
    {
        var source = """
            using System;

            namespace Shop.Billing;

            /// <summary>Computes invoices.</summary>
            public sealed class InvoiceCalculator
            {
                /// <summary>Sums the lines.</summary>
                public decimal Total(decimal[] lines)
                {
                    var sum = 0m;
                    foreach (var line in lines)
                    {
                        sum += line;
                    }

                    return sum;
                }

                public decimal Tax(decimal amount) => amount * 0.2m;
            }
            """;
        var options = new ChunkingOptions { MaxTokens = 100 };
        var chunks = Chunk("src/InvoiceCalculator.cs", source, options).Chunks;

        var total = Assert.Single(chunks, c => c.Heading == "Shop.Billing.InvoiceCalculator.Total");
        Assert.Equal(8, total.StartLine);
        Assert.Equal(18, total.EndLine);
        Assert.StartsWith("    /// <summary>Sums the lines.", total.Text, StringComparison.Ordinal);
        Assert.Contains(chunks, c => c.Text.Contains("Tax(decimal amount)", StringComparison.Ordinal) && c.Heading.StartsWith("Shop.Billing.InvoiceCalculator", StringComparison.Ordinal));
        Assert.All(chunks, c => Assert.True(options.Count(c.Text) <= options.MaxTokens));
    }

    [Fact]
    public void Markdown_is_chunked_by_heading_section_with_heading_path()
    {
        var markdown = """
            ---
            title: Setup guide
            ---

            # Setup

            Intro paragraph.

            ## Linux

            Install with apt.

            ## Windows

            Install with winget.
            """;
        var chunks = Chunk("docs/setup.md", markdown).Chunks;

        var linux = Assert.Single(chunks, c => c.Text.Contains("apt", StringComparison.Ordinal));
        Assert.Equal("Setup guide > Setup > Linux", linux.Heading);
        Assert.Equal(9, linux.StartLine);
        Assert.Equal(11, linux.EndLine);
        Assert.DoesNotContain("winget", linux.Text, StringComparison.Ordinal);
        Assert.Contains(chunks, c => c.Heading == "Setup guide > Setup > Windows");
    }

    [Fact]
    public void Link_reference_definitions_at_the_end_neither_swallow_the_last_section_nor_repeat_the_file()
    {
        // Node.js's API docs end every page like this. Markdig reports the definitions' group at line 0.
        var markdown = """
            # Timers

            Schedule functions with [timers][].

            ## Promise API

            Await a delay without callbacks.

            [timers]: https://example.org/timers
            [other]: https://example.org/other
            """;
        var chunks = Chunk("api/timers.md", markdown).Chunks;

        var last = Assert.Single(chunks, c => c.Text.Contains("Await a delay", StringComparison.Ordinal));
        Assert.Equal("Timers > Promise API", last.Heading);
        Assert.Equal((5, 7), (last.StartLine, last.EndLine));
        Assert.Single(chunks, c => c.Text.Contains("Schedule functions", StringComparison.Ordinal));
        Assert.DoesNotContain(chunks, c => c.Text.Contains("https://example.org", StringComparison.Ordinal));
    }

    [Fact]
    public void Pdf_is_chunked_by_page_and_paragraph()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var first = builder.AddPage(PdfPageSize.A4);
        first.AddText("Quarterly revenue grew strongly.", 12, new PdfPoint(50, 700), font);
        var second = builder.AddPage(PdfPageSize.A4);
        second.AddText("Headcount stayed flat in the period.", 12, new PdfPoint(50, 700), font);
        var chunks = new DocumentChunker().Chunk("reports/q3.pdf", builder.Build()).Chunks;

        var revenue = Assert.Single(chunks, c => c.Text.Contains("revenue", StringComparison.Ordinal));
        Assert.Equal(1, revenue.Page);
        var headcount = Assert.Single(chunks, c => c.Text.Contains("Headcount", StringComparison.Ordinal));
        Assert.Equal(2, headcount.Page);
        Assert.Equal(1, headcount.StartLine);
    }

    [Fact]
    public void Word_is_chunked_by_heading_and_paragraph()
    {
        var chunks = new DocumentChunker().Chunk("handbook.docx", BuildDocx(
            ("Heading1", "Travel policy"),
            (null, "Book trains for trips under four hours."),
            ("Heading2", "Expenses"),
            (null, "Submit receipts within thirty days."))).Chunks;

        var expenses = Assert.Single(chunks, c => c.Text.Contains("receipts", StringComparison.Ordinal));
        Assert.Equal("Travel policy > Expenses", expenses.Heading);
        Assert.Equal(3, expenses.StartLine);
        Assert.Equal(4, expenses.EndLine);
    }

    [Fact]
    public void Html_is_indexed_as_text_with_headings_and_original_lines()
    {
        var html = "<html><head><style>body { color: red; }</style><script>var secret = 1;</script></head>\n<body>\n<h1>Release notes</h1>\n<p>Fixed the &amp; parser.</p>\n</body></html>";
        var chunks = Chunk("site/notes.html", html).Chunks;

        var chunk = Assert.Single(chunks, c => c.Text.Contains("Fixed the & parser.", StringComparison.Ordinal));
        Assert.Equal("Release notes", chunk.Heading);
        Assert.DoesNotContain(chunks, c => c.Text.Contains("secret", StringComparison.Ordinal) || c.Text.Contains("color", StringComparison.Ordinal));
        Assert.Equal(3, chunk.StartLine);
    }

    [Fact]
    public void Html_headings_drop_their_permalink_marks_but_keep_linked_titles()
    {
        // Generated docs put a "#" or "¶" link to the heading itself after its title (Node.js, Sphinx, MkDocs).
        var html = string.Join("\n",
            "<h1>File system<a class=\"mark\" href=\"#fs\">#</a></h1>",
            "<h2>Class: <code>FileHandle</code><span><a class=\"mark\" href=\"#class-filehandle\" id=\"class-filehandle\">#</a></span></h2>",
            "<p>A FileHandle wraps a numeric file descriptor.</p>",
            "<h2 id=\"install\">Installing<a class=\"headerlink\" href=\"#install\" title=\"Link to this heading\">&para;</a></h2>",
            "<p>Run the installer.</p>",
            "<h2><a href=\"#usage\">Usage</a></h2>",
            "<p>Call it with a path.</p>");
        var chunks = Chunk("api/fs.html", html).Chunks;

        var fileHandle = Assert.Single(chunks, c => c.Text.Contains("numeric file descriptor", StringComparison.Ordinal));
        Assert.Equal("Class: FileHandle", fileHandle.Heading);
        Assert.Equal((2, 3), (fileHandle.StartLine, fileHandle.EndLine));
        Assert.Equal("Installing", Assert.Single(chunks, c => c.Text.Contains("Run the installer", StringComparison.Ordinal)).Heading);
        Assert.Equal("Usage", Assert.Single(chunks, c => c.Text.Contains("Call it with a path", StringComparison.Ordinal)).Heading);
        Assert.StartsWith("Class: FileHandle\n", fileHandle.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_text_and_code_are_chunked_by_blocks_within_budget()
    {
        var text = "First paragraph.\n\nSecond paragraph\nhas two lines.\n";
        var plain = Chunk("notes.txt", text).Chunks;
        Assert.Equal(1, plain[0].StartLine);
        Assert.Equal(4, plain[^1].EndLine);

        var python = "import os\n\ndef load(path):\n    return open(path).read()\n\ndef save(path, data):\n    open(path, 'w').write(data)\n";
        var code = Chunk("io.py", python, new ChunkingOptions { MaxTokens = 12 }).Chunks;
        Assert.Contains(code, c => c.Heading == "def load(path)" && c.StartLine == 3 && c.EndLine == 4);
        Assert.Contains(code, c => c.Heading == "def save(path, data)" && c.StartLine == 6);
    }

    [Fact]
    public void No_chunk_exceeds_the_budget_even_for_one_huge_line_and_custom_token_counter()
    {
        var options = new ChunkingOptions { MaxTokens = 50, CountTokens = s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length };
        var longLine = string.Join(' ', Enumerable.Repeat("word", 500));
        var manyLines = string.Join('\n', Enumerable.Range(0, 300).Select(i => $"line {i} with some words"));
        foreach (var (path, text) in new[] { ("a.txt", longLine), ("b.md", manyLines), ("c.js", manyLines), ("d.cs", "class C {\n" + manyLines.Replace("line", "// line", StringComparison.Ordinal) + "\n}") })
        {
            var chunks = Chunk(path, text, options).Chunks;
            Assert.NotEmpty(chunks);
            Assert.All(chunks, c => Assert.True(options.Count(c.Text) <= options.MaxTokens, $"{path}: {options.Count(c.Text)} tokens"));
        }

        // Split blocks overlap so a statement cut at the boundary is whole in one piece.
        var split = Chunk("b.md", manyLines, options).Chunks;
        Assert.True(split[1].StartLine <= split[0].EndLine);
    }

    [Fact]
    public void Broken_documents_and_invalid_utf8_are_skipped_with_a_reason()
    {
        var chunker = new DocumentChunker();
        Assert.Equal(SkipReason.BrokenDocument, chunker.Chunk("broken.pdf", "%PDF-1.7 garbage"u8.ToArray()).Skip);
        Assert.Equal(SkipReason.BrokenDocument, chunker.Chunk("broken.docx", "PK not a zip"u8.ToArray()).Skip);
        Assert.Equal(SkipReason.InvalidUtf8, chunker.Chunk("latin1.txt", [0x63, 0x61, 0x66, 0xE9, 0x20]).Skip);
    }

    [Fact]
    public void Analyzer_splits_code_identifiers_and_keeps_them_whole()
    {
        var terms = TermAnalyzer.Analyze("getUserName max_chunk_size System.Text.Json HTMLParser installing");
        Assert.Contains("getusername", terms);
        Assert.Contains("user", terms);
        Assert.Contains("max_chunk_size", terms);
        Assert.Contains("chunk", terms);
        Assert.Contains("system.text.json", terms);
        Assert.Contains("json", terms);
        Assert.Contains("parser", terms);
        Assert.Contains("html", terms);
        Assert.Contains(TermAnalyzer.Stem("installed"), terms);
        Assert.Equal(TermAnalyzer.Stem("installs"), TermAnalyzer.Stem("installing"));
    }

    [Fact]
    public void Analyzer_gives_no_empty_term_for_tokens_made_of_joiners()
    {
        // A discard `_`, a Markdown rule `___` and Python's `__init__` are common in code and docs.
        var terms = TermAnalyzer.Analyze("for _ in range(3): pass\n\n___\n\ndef __init__(self, _width):");
        Assert.DoesNotContain("", terms);
        Assert.Contains("init", terms);
        Assert.Contains(TermAnalyzer.Stem("range"), terms);
        Assert.Contains("width", terms);
    }

    internal static byte[] BuildDocx(params (string? Style, string Text)[] paragraphs)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var body = new Body();
            foreach (var (style, text) in paragraphs)
            {
                var paragraph = new Paragraph();
                if (style is not null)
                {
                    paragraph.Append(new ParagraphProperties(new ParagraphStyleId { Val = style }));
                }

                paragraph.Append(new Run(new Text(text)));
                body.Append(paragraph);
            }

            main.Document = new Document(body);
            main.Document.Save();
        }

        return stream.ToArray();
    }
}
