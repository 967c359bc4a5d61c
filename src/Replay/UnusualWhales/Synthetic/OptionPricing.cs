namespace Ingestion.Replay.UnusualWhales.Synthetic;

/// <summary>Black–Scholes value and greeks of a European option, enough for a plausible tape.</summary>
internal readonly record struct OptionGreeks(double Theo, double Delta, double Gamma, double Theta, double Vega, double Rho)
{
    private const double Rate = 0.045;

    /// <param name="years">Time to expiry; floored at half an hour so expiring options stay finite.</param>
    /// <returns>Theta per calendar day; vega and rho per 1 point of vol or rate.</returns>
    public static OptionGreeks Price(bool isCall, double spot, double strike, double years, double vol)
    {
        var t = Math.Max(years, 0.5 / (24 * 365.25));
        var sqrtT = Math.Sqrt(t);
        var d1 = (Math.Log(spot / strike) + (Rate + vol * vol / 2) * t) / (vol * sqrtT);
        var d2 = d1 - vol * sqrtT;
        var discount = Math.Exp(-Rate * t);
        var pdf = Math.Exp(-d1 * d1 / 2) / Math.Sqrt(2 * Math.PI);
        var gamma = pdf / (spot * vol * sqrtT);
        var vega = spot * pdf * sqrtT / 100;
        if (isCall)
        {
            var theo = spot * Cdf(d1) - strike * discount * Cdf(d2);
            var theta = (-spot * pdf * vol / (2 * sqrtT) - Rate * strike * discount * Cdf(d2)) / 365.25;
            return new(theo, Cdf(d1), gamma, theta, vega, strike * t * discount * Cdf(d2) / 100);
        }
        else
        {
            var theo = strike * discount * Cdf(-d2) - spot * Cdf(-d1);
            var theta = (-spot * pdf * vol / (2 * sqrtT) + Rate * strike * discount * Cdf(-d2)) / 365.25;
            return new(theo, Cdf(d1) - 1, gamma, theta, vega, -strike * t * discount * Cdf(-d2) / 100);
        }
    }

    /// <summary>Standard normal CDF (Abramowitz–Stegun 26.2.17, error below 1e-7).</summary>
    private static double Cdf(double x)
    {
        var k = 1 / (1 + 0.2316419 * Math.Abs(x));
        var poly = k * (0.319381530 + k * (-0.356563782 + k * (1.781477937 + k * (-1.821255978 + k * 1.330274429))));
        var tail = Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI) * poly;
        return x >= 0 ? 1 - tail : tail;
    }
}
