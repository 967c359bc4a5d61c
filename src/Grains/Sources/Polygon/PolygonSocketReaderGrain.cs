using Ingestion.Calendar;
using Ingestion.Connections;
using Ingestion.Events;
using Ingestion.Hosting;
using Ingestion.Observability;
using Ingestion.Sources.Feeds;
using Ingestion.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Ingestion.Sources.Polygon;

/// <summary>
/// Owns one Polygon/Massive WebSocket (key: a connection id from <see cref="PolygonConnectionPlan"/>):
/// aggregates go to this connection's writer and to each ticker's or contract's stream.
/// </summary>
[KeepAlive, Reentrant]
public sealed class PolygonSocketReaderGrain(
    IOptions<PolygonOptions> options,
    MarketCalendar calendar,
    ILocalSiloDetails silo,
    LocalConnections local,
    IngestionMetrics metrics,
    TimeProvider time,
    ILogger<PolygonSocketReaderGrain> logger)
    : SocketReaderGrain<PolygonAggregate>(silo, local, metrics, time, logger), IPolygonSocketReaderGrain
{
    private PolygonConnectionSpec _spec = null!;

    protected override int Subscriptions => _spec.Topics.Count;

    protected override SocketReaderSetup Setup(string id, Action<ReadFrame<PolygonAggregate>> onFrame)
    {
        var polygon = options.Value;
        _spec = PolygonConnectionPlan.Build(polygon).SingleOrDefault(c => c.Id == id)
            ?? throw new InvalidOperationException($"Connection '{id}' is not in the configured Polygon connection plan.");
        var endpoint = new Uri(new Uri(polygon.WebSocketUrl.TrimEnd('/') + "/"), _spec.Path);
        var protocol = new PolygonFeedProtocol(_spec, endpoint, polygon.ApiKey,
            frame => onFrame(new ReadFrame<PolygonAggregate>(frame.Aggregates, frame.Quarantined, frame.EstimatedBytes)), Logger);
        return new SocketReaderSetup(
            PolygonFrameParser.Source,
            $"{_spec.Topics.Count} topics on /{_spec.Path}",
            new FeedConnection(id, protocol, ConnectionOptions(polygon.Connection), Metrics, Logger, Time),
            polygon.RespectMarketHours ? new MarketHoursGate(calendar, Time, Logger) : null,
            GrainFactory.GetGrain<IPolygonAggregateWriterGrain>(id),
            StreamNames.PolygonAggregatesToStore);
    }

    protected override IEnumerable<(StreamId Stream, IReadOnlyList<PolygonAggregate> Events)> InstrumentBatches(IReadOnlyList<PolygonAggregate> events)
    {
        var ns = _spec.Market == PolygonMarket.Options ? StreamNames.ContractAggregates : StreamNames.TickerAggregates;
        return events.GroupBy(a => a.Symbol).Select(g => (StreamId.Create(ns, g.Key), (IReadOnlyList<PolygonAggregate>)[.. g]));
    }

    /// <summary>A connection of minute bars only is quiet for a minute at a time: give it the longer silence timeout.</summary>
    private FeedConnectionOptions ConnectionOptions(FeedConnectionOptions configured) =>
        _spec.Topics.All(t => t.StartsWith("AM.", StringComparison.Ordinal))
            ? configured with { SilenceTimeout = configured.MinuteFeedSilenceTimeout }
            : configured;
}
