using Ingestion.Events;

namespace Ingestion.Instruments;

/// <summary>
/// A ticker's arithmetic, kept apart from the grain so it can be tested exactly: the last
/// per-second bar, a rolling 1-minute OHLCV bar over the latest 60 seconds of bars, and the
/// day's volume and volume-weighted average price, reset at each New York trading day.
/// Bars that are not newer than the last one (redeliveries, stragglers) are ignored.
/// </summary>
[GenerateSerializer, Alias("ingestion.ticker-book")]
public sealed class TickerBook
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    [Id(0)] private readonly List<Bar> _window = [];
    [Id(1)] private DateOnly _day;
    [Id(2)] private decimal _dayVolume;
    [Id(3)] private decimal _dayNotional;
    [Id(4)] private long _barsSeen;
    [Id(5)] private DateTimeOffset? _lastReceivedAt;

    /// <summary>Applies a per-second bar; returns false if it was not newer than the last one.</summary>
    public bool Apply(PolygonAggregate bar)
    {
        if (bar.Timespan != AggregateTimespan.Second || (_window.Count > 0 && bar.StartTime <= _window[^1].Start))
        {
            return false;
        }
        var day = TradingDay.Of(bar.StartTime);
        if (day != _day)
        {
            _day = day;
            _dayVolume = 0;
            _dayNotional = 0;
        }
        var volume = bar.Volume ?? 0;
        _dayVolume += volume;
        _dayNotional += volume * (bar.Vwap ?? bar.Close);
        _window.Add(new Bar(bar.StartTime, bar.EndTime, bar.Open, bar.High, bar.Low, bar.Close, volume));
        var cutoff = bar.StartTime - Window;
        _window.RemoveAll(b => b.Start <= cutoff);
        _barsSeen++;
        _lastReceivedAt = bar.Ingress.ReceivedAt;
        return true;
    }

    /// <summary>OHLCV over the bars that started within the minute before the latest one (inclusive).</summary>
    public Bar? RollingMinute => _window.Count == 0
        ? null
        : new Bar(_window[0].Start, _window[^1].End, _window[0].Open, _window.Max(b => b.High), _window.Min(b => b.Low),
            _window[^1].Close, _window.Sum(b => b.Volume));

    public TickerSnapshot Snapshot(string symbol) => new(
        symbol,
        _window.Count == 0 ? null : _window[^1],
        RollingMinute,
        _dayVolume == 0 ? null : decimal.Round(_dayNotional / _dayVolume, 6),
        _dayVolume,
        _barsSeen,
        _lastReceivedAt);
}
