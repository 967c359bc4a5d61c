using Ingestion.Events;
using Ingestion.Instruments;

namespace Ingestion.Tests.Instruments;

/// <summary>The 1-minute bar, day VWAP and day volume arithmetic, checked by hand.</summary>
public sealed class TickerBookTests
{
    // 2026-11-20 14:30:00 UTC = 09:30:00 New York.
    private static readonly DateTimeOffset Open = new(2026, 11, 20, 14, 30, 0, TimeSpan.Zero);

    private static PolygonAggregate Second(int offset, decimal o, decimal h, decimal l, decimal c, decimal? v, decimal? vw = null, DateTimeOffset? at = null)
    {
        var start = (at ?? Open).AddSeconds(offset);
        return new PolygonAggregate("SPY", PolygonMarket.Stocks, AggregateTimespan.Second, start, start.AddSeconds(1),
            o, h, l, c, v, null, vw, null, null, null, false, new IngressStamp("polygon", start.AddSeconds(1), "{}", []));
    }

    [Fact]
    public void Rolling_minute_covers_the_latest_sixty_seconds_of_bars()
    {
        var book = new TickerBook();
        Assert.True(book.Apply(Second(0, 10, 11, 9, 10.5m, 100)));
        Assert.True(book.Apply(Second(30, 10.5m, 12, 10, 11, 50)));
        Assert.True(book.Apply(Second(59, 11, 11.5m, 8, 9, 25)));

        var minute = book.RollingMinute!;
        Assert.Equal(new Bar(Open, Open.AddSeconds(60), 10, 12, 8, 9, 175), minute);

        // At second 60, the bar of second 0 leaves the window.
        Assert.True(book.Apply(Second(60, 9, 9.5m, 8.5m, 9.25m, 10)));
        Assert.Equal(new Bar(Open.AddSeconds(30), Open.AddSeconds(61), 10.5m, 12, 8, 9.25m, 85), book.RollingMinute);
    }

    [Fact]
    public void Day_vwap_weights_each_bar_vwap_by_its_volume_and_falls_back_to_close()
    {
        var book = new TickerBook();
        book.Apply(Second(0, 10, 10, 10, 10, 100, vw: 10.2m));
        book.Apply(Second(1, 11, 11, 11, 11, 300));      // no vw: close 11 stands in

        var snapshot = book.Snapshot("SPY");
        Assert.Equal(400m, snapshot.DayVolume);
        Assert.Equal(decimal.Round((100m * 10.2m + 300m * 11m) / 400m, 6), snapshot.DayVwap);
        Assert.Equal(2, snapshot.BarsSeen);
        Assert.Equal(new Bar(Open.AddSeconds(1), Open.AddSeconds(2), 11, 11, 11, 11, 300), snapshot.LastSecond);
    }

    [Fact]
    public void Ignores_repeated_and_older_bars()
    {
        var book = new TickerBook();
        book.Apply(Second(5, 10, 10, 10, 10, 100));
        Assert.False(book.Apply(Second(5, 10, 10, 10, 10, 100)));
        Assert.False(book.Apply(Second(4, 10, 10, 10, 10, 100)));
        Assert.Equal(100m, book.Snapshot("SPY").DayVolume);
        Assert.Equal(1, book.Snapshot("SPY").BarsSeen);
    }

    [Fact]
    public void Day_totals_restart_on_a_new_new_york_trading_day()
    {
        var book = new TickerBook();
        book.Apply(Second(0, 10, 10, 10, 10, 100, at: new DateTimeOffset(2026, 11, 20, 20, 59, 0, TimeSpan.Zero)));
        // 05:00 UTC on the 21st is still the 20th in New York (00:00 EST is 05:00 UTC): same day.
        book.Apply(Second(0, 10, 10, 10, 10, 50, at: new DateTimeOffset(2026, 11, 21, 4, 59, 0, TimeSpan.Zero)));
        Assert.Equal(150m, book.Snapshot("SPY").DayVolume);
        book.Apply(Second(0, 12, 12, 12, 12, 7, at: new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero)));
        Assert.Equal(7m, book.Snapshot("SPY").DayVolume);
        Assert.Equal(12m, book.Snapshot("SPY").DayVwap);
    }

    [Fact]
    public void Index_bars_without_volume_leave_vwap_unknown()
    {
        var book = new TickerBook();
        book.Apply(Second(0, 17, 17.5m, 16.9m, 17.2m, null));
        var snapshot = book.Snapshot("I:VIX");
        Assert.Null(snapshot.DayVwap);
        Assert.Equal(0m, snapshot.DayVolume);
        Assert.Equal(17.2m, snapshot.RollingMinute!.Close);
    }

    [Fact]
    public void Contract_book_keeps_latest_minute_and_sums_day_volume()
    {
        var book = new ContractBook();
        var start = Open;
        PolygonAggregate Minute(int m, decimal c, decimal v) => new("O:SPY261218C00590000", PolygonMarket.Options, AggregateTimespan.Minute,
            start.AddMinutes(m), start.AddMinutes(m + 1), c, c, c, c, v, null, null, null, null, null, false, new IngressStamp("polygon", start, "{}", []));

        Assert.True(book.Apply(Minute(0, 5.1m, 10)));
        Assert.True(book.Apply(Minute(1, 5.3m, 4)));
        Assert.False(book.Apply(Minute(1, 5.3m, 4)));
        var snapshot = book.Snapshot("O:SPY261218C00590000");
        Assert.Equal(14m, snapshot.DayVolume);
        Assert.Equal(5.3m, snapshot.LastMinute!.Close);
        Assert.Equal(2, snapshot.BarsSeen);
    }
}
