using LlmLsp.Models;
using LlmLsp.Options;

namespace LlmLsp.Tests.Models;

public sealed class CatalogueAndConfigTests
{
    [Fact]
    public void The_built_in_catalogue_has_the_recommended_models_with_hashes()
    {
        var catalogue = ModelCatalogue.BuiltIn();

        Assert.Equal(5, catalogue.Entries.Count);
        Assert.All(catalogue.Entries, e =>
        {
            Assert.Matches("^[0-9a-f]{64}$", e.Sha256);
            Assert.StartsWith("https://huggingface.co/", e.Url.AbsoluteUri, StringComparison.Ordinal);
            Assert.Contains("/resolve/main/", e.Url.AbsoluteUri, StringComparison.Ordinal);
            Assert.True(e.SizeBytes > 0);
        });
        Assert.Equal("qwen2.5-coder-1.5b-instruct", catalogue.Defaults[ModelRole.Chat].Model);
        Assert.Equal("qwen2.5-coder-0.5b-instruct", catalogue.Defaults[ModelRole.Chat].SmallMachine);
        Assert.Equal("nomic-embed-text-v1.5", catalogue.Defaults[ModelRole.Embedding].Model);
        var nomic = catalogue.Get("nomic-embed-text-v1.5");
        Assert.Equal(new EmbeddingPrefixes("search_query: ", "search_document: "), nomic.Embedding);
        Assert.True(catalogue.Get("qwen2.5-coder-1.5b").FimTrained);
    }

    [Fact]
    public void User_entries_expand_hf_shorthand_and_replace_built_ins_with_the_same_name()
    {
        var merged = ModelCatalogue.BuiltIn().MergedWith("""
            { "models": [
              { "name": "mine", "url": "hf:me/my-repo/sub/model.gguf" },
              { "name": "Nomic-Embed-Text-v1.5", "url": "https://example.org/n.gguf", "roles": ["embeddings"] }
            ] }
            """, "test");

        var mine = merged.Get("mine");
        Assert.Equal("https://huggingface.co/me/my-repo/resolve/main/sub/model.gguf", mine.Url.AbsoluteUri);
        Assert.Null(mine.Sha256);
        Assert.True(mine.IsUserEntry);
        Assert.Equal([ModelRole.Chat, ModelRole.Completion], mine.Roles);
        Assert.Equal(6, merged.Entries.Count);
        Assert.Equal("https://example.org/n.gguf", merged.Get("nomic-embed-text-v1.5").Url.AbsoluteUri);
    }

    [Theory]
    [InlineData("http://example.org/m.gguf", "plain http only from this machine")]
    [InlineData("ftp://127.0.0.1/m.gguf", "not allowed")]
    [InlineData("hf:only-owner/file.gguf", "hf:owner/repo/file.gguf")]
    [InlineData("not a url", "is not a URL")]
    public void Unsafe_or_malformed_urls_are_refused(string url, string expected)
    {
        var error = Assert.Throws<LlmLspException>(() => ModelCatalogue.BuiltIn().MergedWith(
            $$"""{ "models": [ { "name": "bad", "url": "{{url}}" } ] }""", "catalogue.json"));

        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("catalogue.json, model 'bad'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/m.gguf")]
    [InlineData("http://localhost/m.gguf")]
    [InlineData("http://[::1]:9/m.gguf")]
    public void Plain_http_is_allowed_to_this_machine(string url) =>
        Assert.Equal(new Uri(url), ModelSource.Parse(url));

    [Fact]
    public void Bad_names_and_hashes_are_refused()
    {
        Assert.Throws<LlmLspException>(() => ModelCatalogue.BuiltIn().MergedWith(
            """{ "models": [ { "name": "../evil", "url": "hf:a/b/c.gguf" } ] }""", "t"));
        Assert.Throws<LlmLspException>(() => ModelCatalogue.BuiltIn().MergedWith(
            """{ "models": [ { "name": "ok", "url": "hf:a/b/c.gguf", "sha256": "abc" } ] }""", "t"));
    }

    [Fact]
    public void The_mirror_applies_only_to_hugging_face_urls()
    {
        var mirror = new Uri("http://127.0.0.1:9000/hf-mirror/");

        Assert.Equal(new Uri("http://127.0.0.1:9000/hf-mirror/Qwen/x/resolve/main/f.gguf"),
            ModelSource.DownloadUri(new Uri("https://huggingface.co/Qwen/x/resolve/main/f.gguf"), mirror));
        Assert.Equal(new Uri("https://example.org/f.gguf"), ModelSource.DownloadUri(new Uri("https://example.org/f.gguf"), mirror));
        Assert.Throws<LlmLspException>(() => ModelSource.ParseMirror("http://mirror.example.org"));
    }

    [Fact]
    public void Directories_follow_xdg_and_llmlsp_home_puts_everything_in_one_folder()
    {
        var home = Path.Combine(Path.GetTempPath(), "h");
        Assert.Equal(UserDirectories.UnderOneFolder(home),
            UserDirectories.FromEnvironment(v => v == "LLMLSP_HOME" ? home : "/ignored"));

        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var xdg = UserDirectories.FromEnvironment(v => v switch
        {
            "HOME" => "/home/u",
            "XDG_DATA_HOME" => "/data",
            "XDG_CONFIG_HOME" => "relative/ignored",
            _ => null,
        });
        Assert.Equal("/data/llmlsp/models", xdg.ModelsDirectory);
        Assert.Equal("/home/u/.config/llmlsp/config.json", xdg.ConfigFile);
        Assert.Equal("/home/u/.config/llmlsp/catalogue.json", xdg.UserCatalogueFile);
    }

    [Fact]
    public void Use_writes_config_json_keeping_other_settings_and_load_resolves_paths()
    {
        using var home = new ModelTestHome();
        File.WriteAllText(home.Directories.ConfigFile, """{ "other": { "keep": true }, "models": { "embedding": "nomic-embed-text-v1.5" } }""");
        using var manager = home.Manager();

        var written = manager.Use("qwen2.5-coder-0.5b-instruct", [ModelRole.Chat]);

        Assert.Equal(ModelRole.Chat, Assert.Single(written).Role);
        var text = File.ReadAllText(home.Directories.ConfigFile);
        Assert.Contains("\"keep\": true", text, StringComparison.Ordinal);
        var config = UserConfig.Load(home.Directories);
        Assert.Equal(home.ModelPath("qwen2.5-coder-0.5b-instruct"), config.For(ModelRole.Chat)!.Path);
        Assert.Equal(home.ModelPath("nomic-embed-text-v1.5"), config.For(ModelRole.Embedding)!.Path);
        Assert.Null(config.For(ModelRole.Completion));
    }

    [Fact]
    public void Use_refuses_a_role_the_model_does_not_have_and_a_path_without_a_role()
    {
        using var home = new ModelTestHome();
        using var manager = home.Manager();

        var wrongRole = Assert.Throws<LlmLspException>(() => manager.Use("nomic-embed-text-v1.5", [ModelRole.Chat]));
        Assert.Contains("is not a chat model", wrongRole.Message, StringComparison.Ordinal);
        var noRole = Assert.Throws<LlmLspException>(() => manager.Use(Fixtures.TinyModels.Decoder(), null));
        Assert.Contains("--role", noRole.Message, StringComparison.Ordinal);

        manager.Use(Fixtures.TinyModels.Decoder(), [ModelRole.Completion]);
        var resolved = manager.Resolve(ModelRole.Completion);
        Assert.Equal(Fixtures.TinyModels.Decoder(), resolved.Path);
        Assert.Null(resolved.Entry);
    }

    [Fact]
    public void First_run_without_a_model_says_which_command_to_run()
    {
        using var home = new ModelTestHome();
        using var manager = home.Manager();

        var error = Assert.Throws<LlmLspException>(() => manager.Resolve(ModelRole.Chat));

        Assert.Equal(ErrorKind.NoModelConfigured, error.Kind);
        Assert.StartsWith("No chat model is configured. Run `llmlsp models pull qwen2.5-coder-1.5b-instruct` (about 1.9 GB)", error.Message, StringComparison.Ordinal);
        Assert.Contains("`llmlsp models pull qwen2.5-coder-0.5b-instruct` (about 700 MB)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_model_that_is_not_downloaded_says_to_pull_it()
    {
        using var home = new ModelTestHome();
        using var manager = home.Manager();
        manager.Use("nomic-embed-text-v1.5", null);

        var error = Assert.Throws<LlmLspException>(() => manager.Resolve(ModelRole.Embedding));

        Assert.Equal(ErrorKind.NoModelConfigured, error.Kind);
        Assert.Contains("configured but not downloaded. Run `llmlsp models pull nomic-embed-text-v1.5`", error.Message, StringComparison.Ordinal);
    }
}
