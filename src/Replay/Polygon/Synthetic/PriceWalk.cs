namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>A geometric random walk in log price, with optional mean reversion (Ornstein–Uhlenbeck in log space).</summary>
internal sealed class PriceWalk
{
    private readonly Random random;
    private readonly double sigmaPerStep;
    private readonly double reversionPerStep;
    private readonly double logMean;
    private double logPrice;

    /// <param name="stepSeconds">Seconds of market time per <see cref="Step"/>.</param>
    public PriceWalk(InstrumentProfile profile, double stepSeconds, Random random)
    {
        this.random = random;
        sigmaPerStep = profile.SigmaPerSecond * Math.Sqrt(stepSeconds);
        reversionPerStep = profile.MeanLevel is null ? 0 : 1 - Math.Exp(-profile.ReversionPerSecond * stepSeconds);
        logMean = Math.Log(profile.MeanLevel ?? profile.StartPrice);
        logPrice = Math.Log(profile.StartPrice);
    }

    public double Price => Math.Exp(logPrice);

    public double Step()
    {
        logPrice += reversionPerStep * (logMean - logPrice) + sigmaPerStep * NextGaussian(random);
        return Price;
    }

    /// <summary>Standard normal draw (Box–Muller).</summary>
    public static double NextGaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
