namespace Ingestion.Events;

/// <summary>The Polygon/Massive market (WebSocket path) an aggregate came from.</summary>
public enum PolygonMarket
{
    Stocks = 0,
    Options = 1,
    Indices = 2,
}

/// <summary>Width of an aggregate window: <c>A</c> events are per second, <c>AM</c> per minute.</summary>
public enum AggregateTimespan
{
    Second = 0,
    Minute = 1,
}

/// <summary>
/// One Polygon aggregate bar (<c>A</c> or <c>AM</c> event) as received. Index bars carry no volume
/// fields, so those are null. <see cref="Ingress"/> says when and how it reached us.
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.polygon-aggregate")]
public sealed record PolygonAggregate(
    [property: Id(0)] string Symbol,
    [property: Id(1)] PolygonMarket Market,
    [property: Id(2)] AggregateTimespan Timespan,
    [property: Id(3)] DateTimeOffset StartTime,
    [property: Id(4)] DateTimeOffset EndTime,
    [property: Id(5)] decimal Open,
    [property: Id(6)] decimal High,
    [property: Id(7)] decimal Low,
    [property: Id(8)] decimal Close,
    [property: Id(9)] decimal? Volume,
    [property: Id(10)] decimal? AccumulatedVolume,
    [property: Id(11)] decimal? Vwap,
    [property: Id(12)] decimal? DayVwap,
    [property: Id(13)] decimal? OfficialOpen,
    [property: Id(14)] decimal? AverageTradeSize,
    [property: Id(15)] bool Otc,
    [property: Id(16)] IngressStamp Ingress);

/// <summary>
/// How an event entered the system: its source, the time the frame was read off the socket,
/// the raw JSON of the event and the SHA-256 of its canonical form (sorted keys, no whitespace).
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.ingress-stamp")]
public sealed record IngressStamp(
    [property: Id(0)] string Source,
    [property: Id(1)] DateTimeOffset ReceivedAt,
    [property: Id(2)] string RawJson,
    [property: Id(3)] byte[] PayloadHash);
