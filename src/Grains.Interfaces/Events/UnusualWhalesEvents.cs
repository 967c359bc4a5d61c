using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Ingestion.Events;

/// <summary>
/// An event read from an Unusual Whales WebSocket channel (protocols.md §1.1). Each kind keeps the
/// structured fields its table needs; everything else stays in <see cref="IngressStamp.RawJson"/>.
/// </summary>
/// <remarks>The JSON discriminators are what the on-disk spools write, so an event read back keeps its kind.</remarks>
[GenerateSerializer, Immutable, Alias("ingestion.uw.event")]
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$kind")]
[JsonDerivedType(typeof(UwFlowAlert), "flow-alert")]
[JsonDerivedType(typeof(UwOptionTrade), "option-trade")]
[JsonDerivedType(typeof(UwGexSnapshot), "gex-snapshot")]
[JsonDerivedType(typeof(UwGexStrike), "gex-strike")]
[JsonDerivedType(typeof(UwPriceTick), "price-tick")]
[JsonDerivedType(typeof(UwNewsHeadline), "news")]
public abstract record UwEvent
{
    /// <summary>Underlying ticker (upper case); news uses its first ticker or empty.</summary>
    [Id(0)] public required string Ticker { get; init; }

    /// <summary>When the event happened at the source.</summary>
    [Id(1)] public required DateTimeOffset EventTime { get; init; }

    [Id(2)] public required IngressStamp Ingress { get; init; }
}

/// <summary><c>flow-alerts</c>: one alert (key <see cref="AlertId"/>).</summary>
[GenerateSerializer, Immutable, Alias("ingestion.uw.flow-alert")]
public sealed record UwFlowAlert : UwEvent
{
    [Id(0)] public required string AlertId { get; init; }
    [Id(1)] public required string OptionChain { get; init; }
    [Id(2)] public required string RuleName { get; init; }
    [Id(3)] public decimal? UnderlyingPrice { get; init; }
    [Id(4)] public decimal? Price { get; init; }
    [Id(5)] public long? Volume { get; init; }
    [Id(6)] public long? TotalSize { get; init; }
    [Id(7)] public required decimal TotalPremium { get; init; }
    [Id(8)] public decimal? AskSidePremium { get; init; }
    [Id(9)] public decimal? BidSidePremium { get; init; }
    [Id(10)] public bool HasSweep { get; init; }
    [Id(11)] public bool HasMultileg { get; init; }
    [Id(12)] public long? OpenInterest { get; init; }
    [Id(13)] public int? TradeCount { get; init; }
    [Id(14)] public ImmutableArray<string> TradeIds { get; init; } = [];
    [Id(15)] public decimal? Bid { get; init; }
    [Id(16)] public decimal? Ask { get; init; }
}

/// <summary><c>option_trades</c> / <c>option_trades:&lt;T&gt;</c>: one print (key <see cref="TradeId"/>).</summary>
[GenerateSerializer, Immutable, Alias("ingestion.uw.option-trade")]
public sealed record UwOptionTrade : UwEvent
{
    [Id(0)] public required string TradeId { get; init; }
    /// <summary>OCC symbol as UW sends it, without the <c>O:</c> prefix: <c>TSLA250516C00355000</c>.</summary>
    [Id(1)] public required string OptionSymbol { get; init; }
    [Id(2)] public required decimal Price { get; init; }
    [Id(3)] public required long Size { get; init; }
    [Id(4)] public required decimal Premium { get; init; }
    [Id(5)] public required decimal Strike { get; init; }
    [Id(6)] public required DateOnly Expiry { get; init; }
    /// <summary><c>call</c> or <c>put</c>.</summary>
    [Id(7)] public required string OptionType { get; init; }
    /// <summary><c>ask</c>, <c>bid</c>, <c>mid</c> from the tags, or null when untagged.</summary>
    [Id(8)] public string? Side { get; init; }
    [Id(9)] public decimal? NbboBid { get; init; }
    [Id(10)] public decimal? NbboAsk { get; init; }
    [Id(11)] public decimal? UnderlyingPrice { get; init; }
    [Id(12)] public decimal? ImpliedVolatility { get; init; }
    [Id(13)] public decimal? Delta { get; init; }
    [Id(14)] public decimal? Gamma { get; init; }
    [Id(15)] public decimal? Theta { get; init; }
    [Id(16)] public decimal? Vega { get; init; }
    [Id(17)] public long? Volume { get; init; }
    [Id(18)] public long? OpenInterest { get; init; }
    [Id(19)] public string? Exchange { get; init; }
    [Id(20)] public ImmutableArray<string> Tags { get; init; } = [];
}

/// <summary><c>gex:&lt;T&gt;</c>: ticker-level spot exposures (key ticker + time). Empty strings arrive as null.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.uw.gex-snapshot")]
public sealed record UwGexSnapshot : UwEvent
{
    [Id(0)] public decimal? Price { get; init; }
    [Id(1)] public decimal? GammaPerOnePercentOi { get; init; }
    [Id(2)] public decimal? GammaPerOnePercentVolume { get; init; }
    [Id(3)] public decimal? GammaPerOnePercentDirectional { get; init; }
    [Id(4)] public decimal? DeltaPerOnePercentOi { get; init; }
    [Id(5)] public decimal? CharmPerOnePercentOi { get; init; }
    [Id(6)] public decimal? VannaPerOnePercentOi { get; init; }
}

/// <summary>
/// <c>gex_strike:&lt;T&gt;</c> (no expiry; key ticker + time + strike) and <c>gex_strike_expiry:&lt;T&gt;</c>
/// (key ticker + time + strike + expiry).
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.uw.gex-strike")]
public sealed record UwGexStrike : UwEvent
{
    [Id(0)] public required decimal Strike { get; init; }
    [Id(1)] public DateOnly? Expiry { get; init; }
    [Id(2)] public decimal? Price { get; init; }
    [Id(3)] public decimal? CallGammaOi { get; init; }
    [Id(4)] public decimal? PutGammaOi { get; init; }
    [Id(5)] public decimal? CallGammaVolume { get; init; }
    [Id(6)] public decimal? PutGammaVolume { get; init; }
}

/// <summary><c>price:&lt;T&gt;</c>: last price and cumulative day volume (key ticker + time).</summary>
[GenerateSerializer, Immutable, Alias("ingestion.uw.price-tick")]
public sealed record UwPriceTick : UwEvent
{
    [Id(0)] public required decimal Close { get; init; }
    [Id(1)] public long? CumulativeVolume { get; init; }
}

/// <summary><c>news</c>: one headline; the feed has no id, so the key is a hash of timestamp and headline.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.uw.news")]
public sealed record UwNewsHeadline : UwEvent
{
    [Id(0)] public required string HeadlineId { get; init; }
    [Id(1)] public required string Headline { get; init; }
    [Id(2)] public string? Source { get; init; }
    [Id(3)] public ImmutableArray<string> Tickers { get; init; } = [];
    [Id(4)] public bool IsTrumpTs { get; init; }
}
