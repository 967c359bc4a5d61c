using Ingestion.Instruments;
using static Ingestion.Tests.Instruments.UwEvents;

namespace Ingestion.Tests.Instruments;

/// <summary>The Unusual Whales contract arithmetic (last trade, NBBO, greeks, day totals), checked by hand.</summary>
public sealed class UwContractBookTests
{
    private const string Contract = "O:SPY261218C00590000";

    [Fact]
    public void Keeps_last_trade_nbbo_and_greeks_and_sums_the_day_once_per_trade_id()
    {
        var book = new UwContractBook();
        var first = Trade("t1", 0, "call", "ask", 10, 5_100m) with
        {
            NbboBid = 5.05m, NbboAsk = 5.15m, ImpliedVolatility = 0.21m, Delta = 0.52m, Gamma = 0.03m, Theta = -0.12m, Vega = 0.4m, UnderlyingPrice = 589.5m,
        };
        var second = Trade("t2", 30, "call", "bid", 4, 2_000m) with
        {
            NbboBid = 4.95m, NbboAsk = 5.10m, ImpliedVolatility = 0.2m, Delta = 0.5m, Gamma = 0.031m, Theta = -0.13m, Vega = 0.39m, UnderlyingPrice = 589m,
        };
        var late = Trade("t3", 10, "call", "mid", 1, 505m) with { NbboBid = 5m, NbboAsk = 5.1m, Delta = 0.9m };
        Assert.True(book.Apply(first));
        Assert.True(book.Apply(second));
        Assert.True(book.Apply(first));     // redelivered: counted as a duplicate only
        Assert.True(book.Apply(late));      // older than the last: adds to the day, replaces nothing
        Assert.False(book.Apply(Tick(Open, 590m)));

        var snapshot = book.Snapshot(Contract);
        Assert.Equal(new ContractTrade("t2", Open.AddSeconds(30), 5m, 4, 2_000m, "bid"), snapshot.LastTrade);
        Assert.Equal(new Nbbo(4.95m, 5.10m, Open.AddSeconds(30)), snapshot.Nbbo);
        Assert.Equal(new OptionGreeks(Open.AddSeconds(30), 0.2m, 0.5m, 0.031m, -0.13m, 0.39m, 589m), snapshot.Greeks);
        Assert.Equal(new DateOnly(2026, 11, 20), snapshot.Day);
        Assert.Equal(15, snapshot.DayVolume);
        Assert.Equal(7_605m, snapshot.DayPremium);
        Assert.Equal(3, snapshot.DayTrades);
        Assert.Equal(1, snapshot.DuplicateTradesIgnored);
        Assert.Equal(Open.AddSeconds(10), snapshot.LastReceivedAt);
    }

    [Fact]
    public void Day_totals_restart_at_new_york_midnight_and_earlier_days_are_ignored()
    {
        // 05:00:00 UTC on the 21st is midnight in New York (EST).
        var midnight = new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero);
        var book = new UwContractBook();
        book.Apply(Trade("d1", midnight.AddSeconds(-1), "call", "ask", 10, 1_000m));
        Assert.Equal((new DateOnly(2026, 11, 20), 10L, 1_000m), Totals(book));

        book.Apply(Trade("d2", midnight, "call", "bid", 3, 300m));
        Assert.Equal((new DateOnly(2026, 11, 21), 3L, 300m), Totals(book));

        book.Apply(Trade("d0", midnight.AddSeconds(-2), "call", "ask", 7, 700m));
        Assert.Equal((new DateOnly(2026, 11, 21), 3L, 300m), Totals(book));
        Assert.Equal(1, book.Snapshot(Contract).StaleTradesIgnored);
        Assert.Equal("d2", book.Snapshot(Contract).LastTrade!.TradeId);
    }

    private static (DateOnly?, long, decimal) Totals(UwContractBook book)
    {
        var s = book.Snapshot(Contract);
        return (s.Day, s.DayVolume, s.DayPremium);
    }
}
