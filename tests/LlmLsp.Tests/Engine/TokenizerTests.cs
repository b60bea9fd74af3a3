using System.Text;

namespace LlmLsp.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class TokenizerTests(EngineFixture fixture)
{
    [Theory]
    [InlineData("hello world")]
    [InlineData("    indented code(x) { return x * 2; }\n\tnext line\r\n")]
    [InlineData("emoji 😀👍🏽 and a family 👨‍👩‍👧")]
    [InlineData("中文字符 日本語 한국어")]
    [InlineData("combining marks: e\u0301 a\u0308 n\u0303 Z\u0335\u0327")]
    [InlineData("")]
    public void Tokenize_then_detokenize_gives_back_the_text(string text)
    {
        var tokens = fixture.Decoder.Tokenize(text);

        Assert.Equal(text, fixture.Decoder.Detokenize(tokens));
        Assert.Equal(text.Length == 0, tokens.Count == 0);
    }

    [Fact]
    public void A_100_kB_text_round_trips()
    {
        var builder = new StringBuilder();
        var random = new Random(7);
        string[] words = ["the", "engine", "décodé", "🙂", "字", "return", "\n", "    ", "x_1", "{}"];
        while (builder.Length < 100_000)
        {
            builder.Append(words[random.Next(words.Length)]).Append(' ');
        }
        var text = builder.ToString();

        var tokens = fixture.Decoder.Tokenize(text);

        Assert.True(tokens.Count > 10_000);
        Assert.Equal(text, fixture.Decoder.Detokenize(tokens));
    }

    [Fact]
    public void Special_tokens_are_parsed_only_when_asked()
    {
        var parsed = fixture.Decoder.Tokenize("<|fim_prefix|>", parseSpecial: true);
        var plain = fixture.Decoder.Tokenize("<|fim_prefix|>", parseSpecial: false);

        Assert.Equal([fixture.Decoder.Model.Fim.Prefix], parsed);
        Assert.True(plain.Count > 1);
    }

    [Fact]
    public void The_model_exposes_its_fim_tokens_and_chat_template()
    {
        var fim = fixture.Decoder.Model.Fim;

        Assert.True(fim.HasInfill);
        Assert.All(new[] { fim.Prefix, fim.Suffix, fim.Middle, fim.Pad, fim.Repo, fim.FileSeparator }, id => Assert.True(id >= 0));
        Assert.Equal(6, new[] { fim.Prefix, fim.Suffix, fim.Middle, fim.Pad, fim.Repo, fim.FileSeparator }.Distinct().Count());
        Assert.Contains("<|im_start|>", fixture.Decoder.Model.ChatTemplate);
        Assert.True(fixture.Decoder.IsEndOfGeneration(fixture.Decoder.EosToken));
        Assert.Equal("llama", fixture.Decoder.Model.Architecture);
    }
}
