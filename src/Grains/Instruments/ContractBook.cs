using Ingestion.Events;

namespace Ingestion.Instruments;

/// <summary>An option contract's arithmetic: the latest minute bar and the day's volume.</summary>
[GenerateSerializer, Alias("ingestion.contract-book")]
public sealed class ContractBook
{
    [Id(0)] private Bar? _lastMinute;
    [Id(1)] private DateOnly _day;
    [Id(2)] private decimal _dayVolume;
    [Id(3)] private long _barsSeen;
    [Id(4)] private DateTimeOffset? _lastReceivedAt;

    /// <summary>Applies a minute bar; returns false if it was not newer than the last one.</summary>
    public bool Apply(PolygonAggregate bar)
    {
        if (bar.Timespan != AggregateTimespan.Minute || (_lastMinute is not null && bar.StartTime <= _lastMinute.Start))
        {
            return false;
        }
        var day = TradingDay.Of(bar.StartTime);
        if (day != _day)
        {
            _day = day;
            _dayVolume = 0;
        }
        var volume = bar.Volume ?? 0;
        _dayVolume += volume;
        _lastMinute = new Bar(bar.StartTime, bar.EndTime, bar.Open, bar.High, bar.Low, bar.Close, volume);
        _barsSeen++;
        _lastReceivedAt = bar.Ingress.ReceivedAt;
        return true;
    }

    public ContractSnapshot Snapshot(string contract) => new(contract, _lastMinute, _dayVolume, _barsSeen, _lastReceivedAt);
}
