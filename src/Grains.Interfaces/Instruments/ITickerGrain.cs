namespace Ingestion.Instruments;

/// <summary>Latest state of a stock or index (key: symbol such as <c>SPY</c> or <c>I:VIX</c>).</summary>
public interface ITickerGrain : IGrainWithStringKey
{
    /// <summary>Latest per-second bar, the rolling 1-minute bar and the day's VWAP and volume, from memory.</summary>
    Task<TickerSnapshot> GetSnapshotAsync();

    /// <summary>The Unusual Whales view: last price, minute bars, rolling option flow, GEX, strike map and flow alerts, from memory.</summary>
    Task<TickerFlowSnapshot> GetUnusualWhalesAsync();
}

/// <summary>An OHLCV bar.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.bar")]
public sealed record Bar(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] DateTimeOffset End,
    [property: Id(2)] decimal Open,
    [property: Id(3)] decimal High,
    [property: Id(4)] decimal Low,
    [property: Id(5)] decimal Close,
    [property: Id(6)] decimal Volume);

/// <summary>What a <see cref="ITickerGrain"/> knows. Bars are null until the first event arrives.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.ticker-snapshot")]
public sealed record TickerSnapshot(
    [property: Id(0)] string Symbol,
    [property: Id(1)] Bar? LastSecond,
    [property: Id(2)] Bar? RollingMinute,
    [property: Id(3)] decimal? DayVwap,
    [property: Id(4)] decimal DayVolume,
    [property: Id(5)] long BarsSeen,
    [property: Id(6)] DateTimeOffset? LastReceivedAt);
