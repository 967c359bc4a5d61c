using Ingestion.Replay.Polygon.Synthetic;

namespace Ingestion.Replay.UnusualWhales.Synthetic;

/// <summary>
/// One ticker's underlying price and cumulative day volume, second by second from a fixed origin, shared by its
/// trade tape, price ticks and GEX so they all agree. Deterministic from the seed and the ticker.
/// </summary>
internal sealed class UnderlyingPath
{
    private readonly Lock gate = new();
    private readonly long originMs;
    private readonly PriceWalk walk;
    private readonly Random random;
    private readonly InstrumentProfile profile;
    private readonly List<double> prices = [];
    private readonly List<long> volumes = [];

    public UnderlyingPath(string ticker, long originMs, int seed)
    {
        Ticker = ticker;
        this.originMs = originMs;
        profile = UwInstruments.For(ticker);
        random = new Random(StableSeed.For(seed, "uw-underlying:" + ticker));
        walk = new PriceWalk(profile, 1, random);
        prices.Add(walk.Price);
        volumes.Add(profile.VolumePerSecond);
    }

    public string Ticker { get; }

    /// <summary>True for the index-tracking ETFs, tagged "etf" on trades.</summary>
    public bool IsEtf => Ticker is "SPY" or "QQQ" or "IWM" or "DIA" or "XLF" or "TLT" or "GLD" or "SMH";

    /// <summary>Price at <paramref name="ms"/>, to the cent.</summary>
    public decimal PriceAt(long ms)
    {
        lock (gate) return Math.Round((decimal)prices[Extend(ms)], 2);
    }

    /// <summary>Shares traded since the origin, up to <paramref name="ms"/>.</summary>
    public long VolumeAt(long ms)
    {
        lock (gate) return volumes[Extend(ms)];
    }

    private int Extend(long ms)
    {
        var index = (int)Math.Clamp((ms - originMs) / 1000, 0, int.MaxValue - 1);
        while (prices.Count <= index)
        {
            prices.Add(walk.Step());
            var traded = (long)Math.Round(Math.Max(1, profile.VolumePerSecond) * (0.4 + 1.2 * random.NextDouble()));
            volumes.Add(volumes[^1] + traded);
        }
        return index;
    }
}
