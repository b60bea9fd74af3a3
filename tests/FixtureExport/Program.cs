namespace LlmLsp.Tests.Fixtures;

/// <summary>`dotnet run --project tests/FixtureExport -- FOLDER`: writes suggester.gguf (the tiny decoder that
/// suggests " value value …" at any cursor, so ghost text is certain) and slow-chat.gguf (a bigger decoder that repeats one word until stopped, so an editor test can
/// watch a chat answer grow and stop it).</summary>
internal static class Program
{
    internal static readonly TinyModels.DecoderSpec SlowChatDecoder = new(
        Seed: 5, Layers: 8, Hidden: 512, Heads: 8, KvHeads: 4, FeedForward: 1536, FavouredToken: TinyDecoderVocab.FirstNormalToken + 15);

    public static int Main(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: FixtureExport FOLDER");
            return 2;
        }
        var folder = Directory.CreateDirectory(args[0]).FullName;
        File.Copy(TinyModels.Suggester(), Path.Combine(folder, "suggester.gguf"), overwrite: true);
        File.Copy(TinyModels.Decoder(SlowChatDecoder), Path.Combine(folder, "slow-chat.gguf"), overwrite: true);
        Console.WriteLine($"fixture models written to {folder}");
        return 0;
    }
}
