namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>Stock and index bars: a random walk of the instrument's price, a few steps per window.</summary>
internal sealed class EquityBarGenerator : IBarGenerator
{
    private readonly PriceWalk walk;
    private readonly Random random;
    private readonly InstrumentProfile profile;
    private readonly double windowSeconds;
    private readonly double[] path = new double[WindowBuilder.Substeps];

    public EquityBarGenerator(string symbol, double windowSeconds, int seed)
    {
        profile = InstrumentProfile.For(symbol);
        this.windowSeconds = windowSeconds;
        random = new Random(StableSeed.For(seed, symbol));
        walk = new PriceWalk(profile, windowSeconds / WindowBuilder.Substeps, random);
    }

    public BarWindow Next(long startMs, long endMs)
    {
        var open = walk.Price;
        for (var i = 0; i < path.Length; i++) path[i] = walk.Step();
        var volume = NextVolume();
        var trades = 1 + random.NextInt64(Math.Max(1, volume / 100));
        return WindowBuilder.Build(open, path, volume, trades, decimals: 2);
    }

    private long NextVolume()
    {
        var typical = Math.Max(100, (long)(profile.VolumePerSecond * windowSeconds));
        return typical / 2 + random.NextInt64(typical);
    }
}
