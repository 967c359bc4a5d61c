using Ingestion.Replay.Polygon.Synthetic;

namespace Ingestion.Replay.UnusualWhales.Synthetic;

/// <summary>
/// news payloads, rare (one every <see cref="MeanGapMs"/> on average): headline, ISO-8601 timestamp string,
/// source, tickers and is_trump_ts (protocols.md §1.1).
/// </summary>
internal sealed class NewsSource(IReadOnlyList<string> tickers, long startMs, int seed) : IUwEventSource
{
    public const double MeanGapMs = 45_000;

    private static readonly string[] Sources = ["social-media", "Benzinga", "Reuters", "BusinessWire", "PR Newswire"];

    private static readonly string[] TickerHeadlines =
    [
        "{0} shares move after unusual options activity in short-dated calls",
        "Analyst raises {0} price target, citing stronger demand",
        "{0} sees heavy put buying ahead of earnings",
        "Options traders position for a large move in {0}",
        "{0} announces share buyback program",
        "Large block trade reported in {0}",
    ];

    private static readonly string[] MarketHeadlines =
    [
        "Fed officials signal patience on further rate cuts",
        "US Treasury yields climb as traders weigh inflation data",
        "Oil rises after supply disruption reports",
        "US Energy Secretary foresees many more LNG export deals signed",
        "Weekly jobless claims come in below expectations",
    ];

    private readonly Random random = new(StableSeed.For(seed, "uw-news"));
    private long nowMs = startMs;

    public UwEvent Next()
    {
        nowMs += 1000 + (long)(-Math.Log(1 - random.NextDouble()) * MeanGapMs);
        var at = nowMs / 1000 * 1000;
        var aboutTicker = tickers.Count > 0 && random.NextDouble() < 0.6;
        var ticker = aboutTicker ? tickers[random.Next(tickers.Count)] : null;
        var headline = ticker is null
            ? MarketHeadlines[random.Next(MarketHeadlines.Length)]
            : string.Format(System.Globalization.CultureInfo.InvariantCulture, TickerHeadlines[random.Next(TickerHeadlines.Length)], ticker);
        var isTrump = random.NextDouble() < 0.03;
        return new UwEvent(at, UwJson.Object(w =>
        {
            w.WriteString("headline", headline);
            w.WriteString("timestamp", UwFormat.IsoUtc(at));
            w.WriteString("source", isTrump ? "social-media" : Sources[random.Next(Sources.Length)]);
            w.WriteStartArray("tickers");
            if (ticker is not null) w.WriteStringValue(ticker);
            w.WriteEndArray();
            w.WriteBoolean("is_trump_ts", isTrump);
        }));
    }
}
