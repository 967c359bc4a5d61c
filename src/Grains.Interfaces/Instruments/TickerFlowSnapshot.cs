using System.Collections.Immutable;
using Ingestion.Events;

namespace Ingestion.Instruments;

/// <summary>
/// The Unusual Whales view of one underlying, from memory: last price, 1-minute bars built from
/// <c>price:&lt;T&gt;</c> ticks, rolling option flow, the latest GEX and strike map, and the last flow alerts.
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.ticker-flow-snapshot")]
public sealed record TickerFlowSnapshot
{
    [Id(0)] public required string Symbol { get; init; }

    /// <summary>New York trading day of the latest price tick or trade; null before the first.</summary>
    [Id(1)] public DateOnly? Day { get; init; }

    /// <summary>Close of the latest price tick (by event time).</summary>
    [Id(2)] public decimal? LastPrice { get; init; }

    [Id(3)] public DateTimeOffset? LastPriceTime { get; init; }

    /// <summary>The day's cumulative share volume as of the latest price tick that carried one.</summary>
    [Id(4)] public long? CumulativeVolume { get; init; }

    /// <summary>The minute bar the latest tick went into (still open).</summary>
    [Id(5)] public Bar? CurrentMinute { get; init; }

    /// <summary>Completed minute bars of the day, oldest first (at most 60).</summary>
    [Id(6)] public ImmutableArray<Bar> CompletedMinutes { get; init; } = [];

    /// <summary>Price ticks for a minute older than every held bar, or of an earlier trading day: ignored.</summary>
    [Id(7)] public long LateTicksIgnored { get; init; }

    /// <summary>
    /// The second the windows end at: the latest option trade's event time, truncated to the second.
    /// A window of N minutes holds trades with second <c>s</c> where <c>FlowAsOf − N min &lt; s ≤ FlowAsOf</c>.
    /// </summary>
    [Id(8)] public DateTimeOffset? FlowAsOf { get; init; }

    /// <summary>Rolling option flow over 1, 5, 15 and 60 minutes, in that order.</summary>
    [Id(9)] public ImmutableArray<FlowWindow> Flow { get; init; } = [];

    /// <summary>The latest <c>gex:&lt;T&gt;</c> snapshot (by event time).</summary>
    [Id(10)] public UwGexSnapshot? Gex { get; init; }

    /// <summary>Latest exposure per strike from <c>gex_strike:&lt;T&gt;</c>, by strike ascending.</summary>
    [Id(11)] public ImmutableArray<GexStrikeLevel> Strikes { get; init; } = [];

    /// <summary>Latest exposure per expiry and strike from <c>gex_strike_expiry:&lt;T&gt;</c>, by expiry then strike.</summary>
    [Id(12)] public ImmutableArray<GexStrikeLevel> StrikesByExpiry { get; init; } = [];

    /// <summary>The last 20 flow alerts, newest first, one per alert id.</summary>
    [Id(13)] public ImmutableArray<UwFlowAlert> Alerts { get; init; } = [];

    /// <summary>Distinct option trades applied.</summary>
    [Id(14)] public long TradesSeen { get; init; }

    /// <summary>Trades whose id was already applied (redeliveries): not counted again.</summary>
    [Id(15)] public long DuplicateTradesIgnored { get; init; }

    [Id(16)] public DateTimeOffset? LastReceivedAt { get; init; }
}

/// <summary>Option flow of one underlying over the last <see cref="Minutes"/> minutes, calls and puts apart.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.flow-window")]
public sealed record FlowWindow(
    [property: Id(0)] int Minutes,
    [property: Id(1)] FlowTotals Calls,
    [property: Id(2)] FlowTotals Puts);

/// <summary>
/// Premium and contract volume by the side the trade printed at. <see cref="NetPremium"/> is ask-side
/// premium minus bid-side premium; mid and untagged trades count in <see cref="TotalPremium"/> only.
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.flow-totals")]
public sealed record FlowTotals(
    [property: Id(0)] decimal NetPremium,
    [property: Id(1)] decimal AskPremium,
    [property: Id(2)] decimal BidPremium,
    [property: Id(3)] decimal TotalPremium,
    [property: Id(4)] long AskVolume,
    [property: Id(5)] long BidVolume,
    [property: Id(6)] long MidVolume,
    [property: Id(7)] long UntaggedVolume)
{
    public static readonly FlowTotals Zero = new(0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>Gamma exposure at one strike (and expiry, when the channel gives one) as of <see cref="Time"/>.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.gex-strike-level")]
public sealed record GexStrikeLevel(
    [property: Id(0)] decimal Strike,
    [property: Id(1)] DateOnly? Expiry,
    [property: Id(2)] DateTimeOffset Time,
    [property: Id(3)] decimal? Price,
    [property: Id(4)] decimal? CallGammaOi,
    [property: Id(5)] decimal? PutGammaOi,
    [property: Id(6)] decimal? CallGammaVolume,
    [property: Id(7)] decimal? PutGammaVolume);
