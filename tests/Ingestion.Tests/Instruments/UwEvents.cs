using Ingestion.Events;

namespace Ingestion.Tests.Instruments;

/// <summary>Unusual Whales events for book and grain tests; times are offsets in seconds from <see cref="Open"/>.</summary>
internal static class UwEvents
{
    /// <summary>2026-11-20 14:30:00 UTC = 09:30:00 New York (EST).</summary>
    public static readonly DateTimeOffset Open = new(2026, 11, 20, 14, 30, 0, TimeSpan.Zero);

    public static IngressStamp Stamp(DateTimeOffset at) => new("unusual-whales", at, "{}", []);

    public static UwOptionTrade Trade(string id, double seconds, string type, string? side, long size, decimal premium,
        DateTimeOffset? at = null, string ticker = "SPY") => Trade(id, (at ?? Open).AddSeconds(seconds), type, side, size, premium, ticker);

    public static UwOptionTrade Trade(string id, DateTimeOffset time, string type, string? side, long size, decimal premium, string ticker = "SPY") => new()
    {
        Ticker = ticker,
        EventTime = time,
        Ingress = Stamp(time),
        TradeId = id,
        OptionSymbol = $"{ticker}261218{(type == "call" ? 'C' : 'P')}00590000",
        Price = premium / size / 100m,
        Size = size,
        Premium = premium,
        Strike = 590,
        Expiry = new DateOnly(2026, 12, 18),
        OptionType = type,
        Side = side,
    };

    public static UwPriceTick Tick(DateTimeOffset time, decimal close, long? cumulative = null, string ticker = "SPY") => new()
    {
        Ticker = ticker,
        EventTime = time,
        Ingress = Stamp(time),
        Close = close,
        CumulativeVolume = cumulative,
    };

    public static UwFlowAlert Alert(string id, double seconds, decimal premium = 100_000m, string ticker = "SPY") => new()
    {
        Ticker = ticker,
        EventTime = Open.AddSeconds(seconds),
        Ingress = Stamp(Open.AddSeconds(seconds)),
        AlertId = id,
        OptionChain = $"{ticker}261218C00590000",
        RuleName = "RepeatedHits",
        TotalPremium = premium,
    };

    public static UwGexSnapshot Gex(double seconds, decimal price, decimal gammaOi, string ticker = "SPY") => new()
    {
        Ticker = ticker,
        EventTime = Open.AddSeconds(seconds),
        Ingress = Stamp(Open.AddSeconds(seconds)),
        Price = price,
        GammaPerOnePercentOi = gammaOi,
    };

    public static UwGexStrike Strike(double seconds, decimal strike, decimal callGammaOi, decimal putGammaOi, DateOnly? expiry = null, string ticker = "SPY") => new()
    {
        Ticker = ticker,
        EventTime = Open.AddSeconds(seconds),
        Ingress = Stamp(Open.AddSeconds(seconds)),
        Strike = strike,
        Expiry = expiry,
        CallGammaOi = callGammaOi,
        PutGammaOi = putGammaOi,
    };
}
