using Ingestion.Events;

namespace Ingestion.Sources.Polygon;

/// <summary>The words Polygon, our tables and our Redis keys use for markets and timespans: one place for each.</summary>
public static class PolygonNames
{
    /// <summary>The WebSocket path and the <c>market</c> column: <c>stocks</c>, <c>options</c>, <c>indices</c>.</summary>
    public static string Of(PolygonMarket market) => market switch
    {
        PolygonMarket.Stocks => "stocks",
        PolygonMarket.Options => "options",
        PolygonMarket.Indices => "indices",
        _ => throw new ArgumentOutOfRangeException(nameof(market), market, null),
    };

    /// <summary>The <c>timespan</c> column and Redis field: <c>second</c> (A events) or <c>minute</c> (AM events).</summary>
    public static string Of(AggregateTimespan timespan) => timespan switch
    {
        AggregateTimespan.Second => "second",
        AggregateTimespan.Minute => "minute",
        _ => throw new ArgumentOutOfRangeException(nameof(timespan), timespan, null),
    };
}
