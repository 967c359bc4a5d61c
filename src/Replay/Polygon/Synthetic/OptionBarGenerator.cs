namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>
/// Option bars priced from a walk of the underlying: intrinsic value plus a time value that decays with expiry
/// and with distance from the strike. Every contract on a root starts from the same underlying path (seeded by root).
/// </summary>
internal sealed class OptionBarGenerator : IBarGenerator
{
    private const double ImpliedVolatility = 0.2;
    private const double MsPerYear = 365.0 * 24 * 3600 * 1000;
    private const double MinYears = 1.0 / (365 * 24);

    private readonly OccSymbol contract;
    private readonly PriceWalk underlying;
    private readonly Random random;
    private readonly int maxVolume;
    private readonly double[] path = new double[WindowBuilder.Substeps];
    private double? lastClose;

    public OptionBarGenerator(OccSymbol contract, double windowSeconds, int seed)
    {
        this.contract = contract;
        var profile = InstrumentProfile.For(contract.Underlying);
        underlying = new PriceWalk(profile, windowSeconds / WindowBuilder.Substeps, new Random(StableSeed.For(seed, contract.Underlying)));
        random = new Random(StableSeed.For(seed, contract.Ticker));
        maxVolume = windowSeconds >= 60 ? 25 : 5;
    }

    public BarWindow Next(long startMs, long endMs)
    {
        var open = lastClose ?? Theoretical(underlying.Price, startMs);
        for (var i = 0; i < path.Length; i++)
        {
            var at = startMs + (endMs - startMs) * (i + 1) / path.Length;
            path[i] = Theoretical(underlying.Step(), at);
        }
        var volume = 1 + random.NextInt64(maxVolume);
        var window = WindowBuilder.Build(open, path, volume, trades: 1 + random.NextInt64(volume), decimals: 2);
        lastClose = window.Close;
        return window;
    }

    private double Theoretical(double spot, long atMs)
    {
        var strike = (double)contract.Strike;
        var intrinsic = Math.Max(0, contract.IsCall ? spot - strike : strike - spot);
        var years = Math.Max(MinYears, (contract.ExpiresAt.ToUnixTimeMilliseconds() - atMs) / MsPerYear);
        var spread = spot * ImpliedVolatility * Math.Sqrt(years);
        var distance = (spot - strike) / spread;
        var timeValue = 0.4 * spread * Math.Exp(-0.5 * distance * distance);
        return Math.Max(0.01, intrinsic + timeValue);
    }
}
