using Ingestion.Instruments;
using static Ingestion.Tests.Instruments.UwEvents;

namespace Ingestion.Tests.Instruments;

/// <summary>The Unusual Whales ticker arithmetic (flow windows, minute bars, GEX, alerts), checked by hand.</summary>
public sealed class UwTickerBookTests
{
    private static FlowWindow Window(UwTickerBook book, int minutes) =>
        book.Snapshot("SPY").Flow.Single(w => w.Minutes == minutes);

    [Fact]
    public void One_minute_window_drops_a_trade_exactly_sixty_seconds_older_than_the_latest()
    {
        var book = new UwTickerBook();
        book.Apply(Trade("t0", 0, "call", "ask", 10, 1000m));
        book.Apply(Trade("t1", 30, "call", "bid", 4, 300m));
        book.Apply(Trade("t2", 59.9, "put", "mid", 2, 50m));

        // Latest second is 59: the trade of second 0 is 59 s old and still in.
        Assert.Equal(Open.AddSeconds(59), book.Snapshot("SPY").FlowAsOf);
        Assert.Equal(new FlowWindow(1, new FlowTotals(700m, 1000m, 300m, 1300m, 10, 4, 0, 0), new FlowTotals(0m, 0m, 0m, 50m, 0, 0, 2, 0)), Window(book, 1));

        // Latest second is 60: the trade of second 0 is exactly 60 s old and leaves the 1-minute window, not the 5-minute one.
        book.Apply(Trade("t3", 60, "put", "ask", 1, 20m));
        Assert.Equal(new FlowWindow(1, new FlowTotals(-300m, 0m, 300m, 300m, 0, 4, 0, 0), new FlowTotals(20m, 20m, 0m, 70m, 1, 0, 2, 0)), Window(book, 1));
        Assert.Equal(new FlowTotals(700m, 1000m, 300m, 1300m, 10, 4, 0, 0), Window(book, 5).Calls);
    }

    [Fact]
    public void Windows_of_5_15_and_60_minutes_hold_trades_younger_than_their_length()
    {
        var book = new UwTickerBook();
        book.Apply(Trade("a", 0, "call", "ask", 1, 1m));       // 3600 s old at the end: in no window
        book.Apply(Trade("b", 1, "call", "ask", 1, 2m));       // 3599 s: 60 min only
        book.Apply(Trade("c", 3300, "call", "ask", 1, 4m));    // 300 s: 15 and 60 min
        book.Apply(Trade("d", 3301, "call", "ask", 1, 8m));    // 299 s: 5, 15 and 60 min
        book.Apply(Trade("e", 3600, "call", "ask", 1, 16m));   // 0 s: all

        Assert.Equal([16m, 24m, 28m, 30m], book.Snapshot("SPY").Flow.Select(w => w.Calls.AskPremium));
        Assert.Equal([1, 5, 15, 60], book.Snapshot("SPY").Flow.Select(w => w.Minutes));

        // A straggler older than the longest window counts as seen but in no window.
        book.Apply(Trade("late", -1, "call", "ask", 1, 32m));
        Assert.Equal(30m, Window(book, 60).Calls.AskPremium);
        Assert.Equal(6, book.Snapshot("SPY").TradesSeen);
    }

    [Fact]
    public void Calls_and_puts_are_kept_apart_by_side_and_net_premium_is_ask_minus_bid()
    {
        var book = new UwTickerBook();
        book.Apply(Trade("c-ask", 0, "call", "ask", 10, 1000m));
        book.Apply(Trade("c-bid", 0, "call", "bid", 4, 300m));
        book.Apply(Trade("c-mid", 0, "call", "mid", 3, 90m));
        book.Apply(Trade("c-none", 0, "call", null, 5, 150m));
        book.Apply(Trade("p-ask", 0, "put", "ask", 2, 60m));
        book.Apply(Trade("p-bid", 0, "put", "bid", 7, 700m));

        var minute = Window(book, 1);
        Assert.Equal(new FlowTotals(700m, 1000m, 300m, 1540m, 10, 4, 3, 5), minute.Calls);
        Assert.Equal(new FlowTotals(-640m, 60m, 700m, 760m, 2, 7, 0, 0), minute.Puts);
    }

    [Fact]
    public void A_repeated_trade_id_is_counted_once()
    {
        var book = new UwTickerBook();
        book.Apply(Trade("same", 0, "call", "ask", 10, 1000m));
        book.Apply(Trade("same", 0, "call", "ask", 10, 1000m));
        book.Apply(Trade("same", 5, "call", "ask", 10, 1000m));

        var snapshot = book.Snapshot("SPY");
        Assert.Equal(1, snapshot.TradesSeen);
        Assert.Equal(2, snapshot.DuplicateTradesIgnored);
        Assert.Equal(new FlowTotals(1000m, 1000m, 0m, 1000m, 10, 0, 0, 0), Window(book, 60).Calls);
        Assert.Equal(Open, snapshot.FlowAsOf);
    }

    [Fact]
    public void Trade_ids_are_remembered_up_to_the_capacity_then_the_oldest_is_forgotten()
    {
        var ids = new RecentIds(2);
        Assert.True(ids.Add("a"));
        Assert.True(ids.Add("b"));
        Assert.False(ids.Add("a"));
        Assert.True(ids.Add("c"));      // forgets a
        Assert.True(ids.Add("a"));      // forgets b
        Assert.False(ids.Add("c"));
        Assert.True(ids.Add("b"));
        Assert.Equal(2, ids.Count);
    }

    [Fact]
    public void Minute_bar_takes_open_high_low_close_from_ticks_in_event_time_order()
    {
        var book = new UwTickerBook();
        book.Apply(Tick(Open.AddSeconds(5), 100m, 1000));
        book.Apply(Tick(Open.AddSeconds(20), 101.5m, 1500));
        book.Apply(Tick(Open.AddSeconds(50), 99.25m, 1800));
        book.Apply(Tick(Open.AddSeconds(1), 100.5m, 900));    // late but in the current bar: becomes the open

        var snapshot = book.Snapshot("SPY");
        Assert.Equal(new Bar(Open, Open.AddMinutes(1), 100.5m, 101.5m, 99.25m, 99.25m, 900), snapshot.CurrentMinute);
        Assert.Equal(99.25m, snapshot.LastPrice);
        Assert.Equal(Open.AddSeconds(50), snapshot.LastPriceTime);
        Assert.Equal(1800, snapshot.CumulativeVolume);

        // Next minute: volume counts from the previous bar's last cumulative volume (2000 − 1800).
        book.Apply(Tick(Open.AddSeconds(70), 99.5m, 2000));
        // A straggler for 09:30 still updates that held bar: new high and close, cumulative 1900.
        book.Apply(Tick(Open.AddSeconds(55), 102m, 1900));
        // A tick for 09:29, a minute no longer (never) held, is ignored and counted.
        book.Apply(Tick(Open.AddSeconds(-1), 98m, 800));

        snapshot = book.Snapshot("SPY");
        Assert.Equal(new Bar(Open.AddMinutes(1), Open.AddMinutes(2), 99.5m, 99.5m, 99.5m, 99.5m, 200), snapshot.CurrentMinute);
        Assert.Equal(new Bar(Open, Open.AddMinutes(1), 100.5m, 102m, 99.25m, 102m, 1000), Assert.Single(snapshot.CompletedMinutes));
        Assert.Equal(99.5m, snapshot.LastPrice);
        Assert.Equal(2000, snapshot.CumulativeVolume);
        Assert.Equal(1, snapshot.LateTicksIgnored);
    }

    [Fact]
    public void Keeps_the_current_bar_and_the_last_sixty_completed_bars()
    {
        var book = new UwTickerBook();
        for (var minute = 0; minute <= 61; minute++)
        {
            book.Apply(Tick(Open.AddMinutes(minute), 100m + minute));
        }
        book.Apply(Tick(Open.AddSeconds(30), 1m));   // minute 0 has been dropped

        var snapshot = book.Snapshot("SPY");
        Assert.Equal(Open.AddMinutes(61), snapshot.CurrentMinute!.Start);
        Assert.Equal(60, snapshot.CompletedMinutes.Length);
        Assert.Equal(Open.AddMinutes(1), snapshot.CompletedMinutes[0].Start);
        Assert.Equal(160m, snapshot.CompletedMinutes[^1].Close);
        Assert.Equal(1, snapshot.LateTicksIgnored);
        Assert.Equal(161m, snapshot.LastPrice);
    }

    [Fact]
    public void Bars_and_flow_restart_at_new_york_midnight_and_earlier_days_are_ignored()
    {
        // 04:59:30 UTC on the 21st is 23:59:30 on the 20th in New York (EST); 05:00:00 UTC is midnight.
        var beforeMidnight = new DateTimeOffset(2026, 11, 21, 4, 59, 30, TimeSpan.Zero);
        var midnight = new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero);
        var book = new UwTickerBook();
        book.Apply(Trade("old-day", beforeMidnight, "call", "ask", 10, 1000m));
        book.Apply(Tick(beforeMidnight.AddSeconds(10), 590m, 50_000_000));
        Assert.Equal(new DateOnly(2026, 11, 20), book.Snapshot("SPY").Day);

        book.Apply(Trade("new-day", midnight, "put", "bid", 1, 40m));
        book.Apply(Tick(beforeMidnight.AddSeconds(20), 589m, 50_000_100));   // the 20th again: ignored

        var snapshot = book.Snapshot("SPY");
        Assert.Equal(new DateOnly(2026, 11, 21), snapshot.Day);
        Assert.Equal(new FlowWindow(1, FlowTotals.Zero, new FlowTotals(-40m, 0m, 40m, 40m, 0, 1, 0, 0)), snapshot.Flow[0]);
        Assert.Null(snapshot.CurrentMinute);
        Assert.Empty(snapshot.CompletedMinutes);
        Assert.Null(snapshot.CumulativeVolume);
        Assert.Equal(590m, snapshot.LastPrice);
        Assert.Equal(1, snapshot.LateTicksIgnored);

        book.Apply(Tick(midnight.AddSeconds(1), 591m, 10));
        snapshot = book.Snapshot("SPY");
        Assert.Equal(new Bar(midnight, midnight.AddMinutes(1), 591m, 591m, 591m, 591m, 0), snapshot.CurrentMinute);
        Assert.Equal(10, snapshot.CumulativeVolume);
    }

    [Fact]
    public void Keeps_the_latest_gex_and_the_latest_level_per_strike_and_per_expiry()
    {
        var book = new UwTickerBook();
        Assert.True(book.Apply(Gex(10, 590m, 1_000m)));
        Assert.False(book.Apply(Gex(5, 580m, 9_999m)));     // older: ignored
        Assert.True(book.Apply(Gex(20, 591m, 1_200m)));

        book.Apply(Strike(10, 590m, 100m, -50m));
        book.Apply(Strike(10, 595m, 200m, -20m));
        book.Apply(Strike(20, 590m, 150m, -60m));
        Assert.False(book.Apply(Strike(5, 595m, 999m, -999m)));
        var december = new DateOnly(2026, 12, 18);
        var november = new DateOnly(2026, 11, 27);
        book.Apply(Strike(10, 590m, 30m, -3m, december));
        book.Apply(Strike(10, 600m, 40m, -4m, november));
        book.Apply(Strike(15, 590m, 35m, -5m, december));

        var snapshot = book.Snapshot("SPY");
        Assert.Equal(Open.AddSeconds(20), snapshot.Gex!.EventTime);
        Assert.Equal(1_200m, snapshot.Gex.GammaPerOnePercentOi);
        Assert.Equal([(590m, 150m, -60m), (595m, 200m, -20m)], snapshot.Strikes.Select(l => (l.Strike, l.CallGammaOi!.Value, l.PutGammaOi!.Value)));
        Assert.Equal([(november, 600m, 40m), (december, 590m, 35m)], snapshot.StrikesByExpiry.Select(l => (l.Expiry!.Value, l.Strike, l.CallGammaOi!.Value)));
        Assert.Equal(Open.AddSeconds(15), snapshot.StrikesByExpiry[1].Time);
    }

    [Fact]
    public void Alerts_are_newest_first_capped_at_twenty_and_unique_by_id()
    {
        var book = new UwTickerBook();
        foreach (var second in Enumerable.Range(0, 25).Where(s => s != 12))
        {
            Assert.True(book.Apply(Alert($"a{second}", second)));
        }
        Assert.True(book.Apply(Alert("a12", 12)));                  // out of order: slots in by event time
        Assert.False(book.Apply(Alert("a24", 24, premium: 1m)));     // repeated id
        Assert.False(book.Apply(Alert("a-old", -1)));                // older than all twenty kept

        var alerts = book.Snapshot("SPY").Alerts;
        Assert.Equal(Enumerable.Range(5, 20).Reverse().Select(s => $"a{s}"), alerts.Select(a => a.AlertId));
        Assert.Equal(100_000m, alerts[0].TotalPremium);
    }
}
