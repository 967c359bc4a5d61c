namespace Ingestion.Instruments;

/// <summary>The Unusual Whales view of one option contract: last trade, NBBO, the day's totals and the last greeks.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.contract-trade-snapshot")]
public sealed record ContractTradeSnapshot
{
    [Id(0)] public required string Contract { get; init; }

    /// <summary>The latest trade by event time; null before the first.</summary>
    [Id(1)] public ContractTrade? LastTrade { get; init; }

    /// <summary>Bid and ask quoted with the latest trade.</summary>
    [Id(2)] public Nbbo? Nbbo { get; init; }

    /// <summary>New York trading day the day totals belong to.</summary>
    [Id(3)] public DateOnly? Day { get; init; }

    /// <summary>Sum of the sizes of the day's distinct trades.</summary>
    [Id(4)] public long DayVolume { get; init; }

    /// <summary>Sum of the premiums of the day's distinct trades.</summary>
    [Id(5)] public decimal DayPremium { get; init; }

    [Id(6)] public long DayTrades { get; init; }

    /// <summary>Greeks and underlying price as of the latest trade that carried any.</summary>
    [Id(7)] public OptionGreeks? Greeks { get; init; }

    /// <summary>Trades whose id was already applied (redeliveries): not counted again.</summary>
    [Id(8)] public long DuplicateTradesIgnored { get; init; }

    /// <summary>Trades of an earlier trading day than <see cref="Day"/>: ignored.</summary>
    [Id(9)] public long StaleTradesIgnored { get; init; }

    [Id(10)] public DateTimeOffset? LastReceivedAt { get; init; }
}

/// <summary>One option print. <see cref="Side"/> is <c>ask</c>, <c>bid</c>, <c>mid</c> or null when untagged.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.contract-trade")]
public sealed record ContractTrade(
    [property: Id(0)] string TradeId,
    [property: Id(1)] DateTimeOffset Time,
    [property: Id(2)] decimal Price,
    [property: Id(3)] long Size,
    [property: Id(4)] decimal Premium,
    [property: Id(5)] string? Side);

/// <summary>National best bid and offer as sent with a trade.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.nbbo")]
public sealed record Nbbo(
    [property: Id(0)] decimal? Bid,
    [property: Id(1)] decimal? Ask,
    [property: Id(2)] DateTimeOffset Time);

/// <summary>Implied volatility, greeks and underlying price as sent with a trade at <see cref="Time"/>.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.option-greeks")]
public sealed record OptionGreeks(
    [property: Id(0)] DateTimeOffset Time,
    [property: Id(1)] decimal? ImpliedVolatility,
    [property: Id(2)] decimal? Delta,
    [property: Id(3)] decimal? Gamma,
    [property: Id(4)] decimal? Theta,
    [property: Id(5)] decimal? Vega,
    [property: Id(6)] decimal? UnderlyingPrice);
