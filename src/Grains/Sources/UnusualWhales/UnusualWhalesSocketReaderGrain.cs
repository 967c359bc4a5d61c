using Ingestion.Calendar;
using Ingestion.Connections;
using Ingestion.Events;
using Ingestion.Hosting;
using Ingestion.Observability;
using Ingestion.Sources.Feeds;
using Ingestion.Storage;
using Ingestion.UnusualWhales;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Ingestion.Sources.UnusualWhales;

/// <summary>
/// Owns one Unusual Whales WebSocket (key: <c>uw/&lt;family&gt;</c> from <see cref="UwConnectionPlan"/>):
/// events go to this connection's writer, to their underlying's <c>TickerGrain</c>, and option
/// trades to their contract's <c>ContractGrain</c>.
/// </summary>
[KeepAlive, Reentrant]
public sealed class UnusualWhalesSocketReaderGrain(
    IOptions<UnusualWhalesOptions> options,
    IOptions<WatchlistOptions> watchlist,
    MarketCalendar calendar,
    UwSchemaDrift drift,
    ILocalSiloDetails silo,
    LocalConnections local,
    IngestionMetrics metrics,
    TimeProvider time,
    ILogger<UnusualWhalesSocketReaderGrain> logger)
    : SocketReaderGrain<UwEvent>(silo, local, metrics, time, logger), IUnusualWhalesSocketReaderGrain
{
    private UwConnectionSpec _spec = null!;

    protected override int Subscriptions => _spec.Channels.Count;

    protected override SocketReaderSetup Setup(string id, Action<ReadFrame<UwEvent>> onFrame)
    {
        var uw = options.Value;
        var tickers = watchlist.Value.EffectiveTickers;
        _spec = UwConnectionPlan.Build(uw, tickers).SingleOrDefault(c => c.Id == id)
            ?? throw new InvalidOperationException($"Connection '{id}' is not in the configured Unusual Whales connection plan.");
        var protocol = new UwFeedProtocol(_spec, uw, tickers.ToHashSet(), calendar, drift, Metrics, onFrame, Logger);
        return new SocketReaderSetup(
            UwFrameParser.Source,
            $"{_spec.Channels.Count} channels ({_spec.Family})",
            new FeedConnection(id, protocol, uw.Connection, Metrics, Logger, Time),
            uw.RespectMarketHours ? new MarketHoursGate(calendar, Time, Logger) : null,
            GrainFactory.GetGrain<IUnusualWhalesWriterGrain>(id),
            StreamNames.UwEventsToStore);
    }

    /// <summary>Each flow alert asks for its option chain's flow once (seed 000 §4.2), paid from the reserved REST budget.</summary>
    protected override async Task OnPublishedAsync(IReadOnlyList<UwEvent> events)
    {
        foreach (var chain in events.OfType<UwFlowAlert>().Select(a => a.OptionChain).Distinct())
        {
            try
            {
                await GrainFactory.GetGrain<IUwFollowUpGrain>(IUwFollowUpGrain.DefaultKey).EnqueueContractFlowAsync(chain);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                Logger.LogWarning("Connection {Connection} could not queue the flow follow-up of {Chain}: {Error}", ConnectionId, chain, ex.Message);
            }
        }
    }

    protected override IEnumerable<(StreamId Stream, IReadOnlyList<UwEvent> Events)> InstrumentBatches(IReadOnlyList<UwEvent> events)
    {
        foreach (var group in events.Where(e => e is not UwNewsHeadline && e.Ticker.Length > 0).GroupBy(e => e.Ticker))
        {
            yield return (StreamId.Create(StreamNames.UwTickerEvents, group.Key), [.. group]);
        }
        foreach (var group in events.OfType<UwOptionTrade>().GroupBy(t => "O:" + t.OptionSymbol))
        {
            yield return (StreamId.Create(StreamNames.UwContractTrades, group.Key), [.. group]);
        }
    }
}
