using Ingestion.Replay.Polygon.Synthetic;

namespace Ingestion.Replay.UnusualWhales.Synthetic;

/// <summary>
/// gex:&lt;T&gt; snapshots every <see cref="IntervalMs"/>: every value a string but the epoch-ms timestamp; the delta
/// fields "0" as in the 2025 capture (protocols.md §1.1). Magnitudes scale with the underlying's price squared.
/// </summary>
internal sealed class GexSource(UnderlyingPath underlying, long startMs, int seed) : IUwEventSource
{
    public const long IntervalMs = 5000;

    private readonly Random random = new(StableSeed.For(seed, "uw-gex:" + underlying.Ticker));
    private long nextMs = PriceSource.AlignUp(startMs, IntervalMs);

    public UwEvent Next()
    {
        var at = nextMs;
        nextMs += IntervalMs;
        var price = underlying.PriceAt(at);
        var scale = (double)(price * price) * 20_000;
        return new UwEvent(at, UwJson.Object(w =>
        {
            w.WriteString("ticker", underlying.Ticker);
            w.WriteNumber("timestamp", at);
            w.WriteString("gamma_per_one_percent_move_oi", UwFormat.Money(scale * (0.5 + random.NextDouble())));
            w.WriteString("delta_per_one_percent_move_oi", "0");
            w.WriteString("charm_per_one_percent_move_oi", UwFormat.Money(-scale * 1200 * (0.5 + random.NextDouble())));
            w.WriteString("vanna_per_one_percent_move_oi", UwFormat.Money(scale * 0.4 * (random.NextDouble() - 0.3)));
            w.WriteString("price", UwFormat.Cents(price));
            w.WriteString("gamma_per_one_percent_move_vol", UwFormat.Money(scale * 7 * (0.5 + random.NextDouble())));
            w.WriteString("delta_per_one_percent_move_vol", "0");
            w.WriteString("charm_per_one_percent_move_vol", UwFormat.Money(-scale * 1400 * (0.5 + random.NextDouble())));
            w.WriteString("vanna_per_one_percent_move_vol", UwFormat.Money(scale * 0.15 * (random.NextDouble() - 0.3)));
            w.WriteString("gamma_per_one_percent_move_dir", UwFormat.Money(scale * (random.NextDouble() - 0.6)));
            w.WriteString("charm_per_one_percent_move_dir", UwFormat.Money(scale * 100 * (random.NextDouble() - 0.4)));
            w.WriteString("vanna_per_one_percent_move_dir", UwFormat.Money(scale * 0.01 * (random.NextDouble() - 0.5)));
        }));
    }
}

/// <summary>
/// gex_strike:&lt;T&gt; (no expiry) and gex_strike_expiry:&lt;T&gt; rows: every <see cref="IntervalMs"/> a burst of one row
/// per strike on the grid around the price (and per each of the next three Friday expiries), all with the
/// snapshot's timestamp, one row per frame. Every value a string but timestamp (protocols.md §1.1).
/// </summary>
internal sealed class GexStrikeSource(UnderlyingPath underlying, long startMs, int seed, bool perExpiry) : IUwEventSource
{
    public const long IntervalMs = 10_000;
    public const int StrikesEachSide = 5;
    public const int Expiries = 3;

    private readonly Random random = new(StableSeed.For(seed, (perExpiry ? "uw-gex-strike-expiry:" : "uw-gex-strike:") + underlying.Ticker));
    private readonly Queue<UwEvent> pending = new();
    private long nextMs = PriceSource.AlignUp(startMs, IntervalMs);

    public UwEvent Next()
    {
        if (pending.Count == 0) Snapshot();
        return pending.Dequeue();
    }

    private void Snapshot()
    {
        var at = nextMs;
        nextMs += IntervalMs;
        var price = underlying.PriceAt(at);
        var step = UwFormat.StrikeStep(price);
        var atm = Math.Round(price / step) * step;
        var today = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime);
        IReadOnlyList<DateOnly?> expiries = perExpiry ? [.. UwFormat.Fridays(today, Expiries).Select(d => (DateOnly?)d)] : [null];
        foreach (var expiry in expiries)
        {
            for (var i = -StrikesEachSide; i <= StrikesEachSide; i++)
            {
                var strike = atm + i * step;
                pending.Enqueue(new UwEvent(at, Row(at, price, strike, expiry)));
            }
        }
    }

    private byte[] Row(long at, decimal price, decimal strike, DateOnly? expiry)
    {
        var near = Math.Exp(-Math.Pow((double)((strike - price) / price) * 40, 2));
        var scale = (double)(price * price) * 40 * (0.2 + near);
        return UwJson.Object(w =>
        {
            w.WriteString("ticker", underlying.Ticker);
            if (expiry is { } e) w.WriteString("expiry", UwFormat.Date(e));
            w.WriteNumber("timestamp", at);
            foreach (var (name, sign, size) in Fields)
                w.WriteString(name, UwFormat.Money(sign * scale * size * (0.3 + random.NextDouble())));
            w.WriteString("strike", UwFormat.Strike(strike));
            w.WriteString("price", UwFormat.Cents(price));
            foreach (var (name, sign, size) in SideFields)
                w.WriteString(name, UwFormat.Money(sign * scale * size * (random.NextDouble() - 0.5)));
        });
    }

    private static readonly (string Name, double Sign, double Size)[] Fields =
    [
        ("call_gamma_oi", 1, 1), ("put_gamma_oi", -1, 1), ("call_charm_oi", 1, 500), ("put_charm_oi", -1, 500),
        ("call_vanna_oi", -1, 0.05), ("put_vanna_oi", 1, 0.05), ("call_gamma_vol", 1, 0.1), ("put_gamma_vol", -1, 0.1),
        ("call_charm_vol", -1, 50), ("put_charm_vol", -1, 50), ("call_vanna_vol", 1, 0.01), ("put_vanna_vol", 1, 0.01),
    ];

    private static readonly (string Name, double Sign, double Size)[] SideFields =
    [
        ("call_gamma_ask_vol", 1, 0.05), ("call_gamma_bid_vol", 1, 0.05), ("put_gamma_ask_vol", 1, 0.05), ("put_gamma_bid_vol", 1, 0.05),
        ("call_charm_ask_vol", 1, 25), ("call_charm_bid_vol", 1, 25), ("put_charm_ask_vol", 1, 25), ("put_charm_bid_vol", 1, 25),
        ("call_vanna_ask_vol", 1, 0.005), ("call_vanna_bid_vol", 1, 0.005), ("put_vanna_ask_vol", 1, 0.005), ("put_vanna_bid_vol", 1, 0.005),
    ];
}
