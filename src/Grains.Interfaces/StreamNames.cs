namespace Ingestion;

/// <summary>Stream provider and namespaces shared by producers, consumers and clients.</summary>
public static class StreamNames
{
    /// <summary>The one stream provider: memory streams locally, durable streams in a cluster.</summary>
    public const string Provider = "ingest";

    /// <summary>Aggregates on their way to storage; key = the connection that read them.</summary>
    public const string PolygonAggregatesToStore = "polygon-aggregates.store";

    /// <summary>Aggregates of one ticker (stock or index); key = symbol, consumed by <c>TickerGrain</c>.</summary>
    public const string TickerAggregates = "polygon-aggregates.ticker";

    /// <summary>Aggregates of one option contract; key = OCC symbol, consumed by <c>ContractGrain</c>.</summary>
    public const string ContractAggregates = "polygon-aggregates.contract";

    /// <summary>Unusual Whales events on their way to storage; key = the connection that read them.</summary>
    public const string UwEventsToStore = "uw-events.store";

    /// <summary>Unusual Whales events of one underlying (alerts, trades, prices, GEX); key = ticker, consumed by <c>TickerGrain</c>.</summary>
    public const string UwTickerEvents = "uw-events.ticker";

    /// <summary>Unusual Whales option trades of one contract; key = OCC symbol with the <c>O:</c> prefix, consumed by <c>ContractGrain</c>.</summary>
    public const string UwContractTrades = "uw-trades.contract";

    /// <summary>Refused input on its way to the quarantine table; key = source.</summary>
    public const string Quarantine = "quarantine";
}
