namespace LlmLsp.Tests.Fixtures;

/// <summary>
/// SplitMix64: tiny, well-mixed, and defined purely by integer arithmetic, so the same seed gives
/// the same numbers on every runtime and platform (System.Random makes no such promise).
/// </summary>
internal sealed class DeterministicRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits; exact in IEEE arithmetic.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// Approximately standard normal (Irwin-Hall: twelve uniforms minus six). Only additions are
    /// involved, unlike Box-Muller whose Log/Cos may differ in the last bit between platforms.
    /// </summary>
    public double NextNormal()
    {
        double sum = 0;
        for (int i = 0; i < 12; i++)
        {
            sum += NextDouble();
        }
        return sum - 6.0;
    }

    /// <summary>A seed for an independent stream, derived from this seed and a name (FNV-1a over UTF-16 code units).</summary>
    public static ulong DeriveSeed(ulong seed, string name)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (char c in name)
        {
            hash = (hash ^ c) * 0x100000001B3UL;
        }
        return seed ^ hash;
    }
}
