using System.Collections.Immutable;
using System.Threading.Channels;
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
using Orleans.Streams;

namespace Ingestion.Sources.Polygon;

/// <summary>
/// Owns one Polygon/Massive WebSocket (key: a connection id from <see cref="PolygonConnectionPlan"/>).
/// The socket is read on its own loop; parsed frames queue in memory and a pump on the grain's
/// scheduler publishes them in batches: to the storage stream of this connection, to each
/// instrument's stream, and refused input to quarantine. No durable state: a watchdog on every
/// silo re-creates the grain wherever the cluster places it.
/// </summary>
[KeepAlive, Reentrant]
public sealed class PolygonSocketReaderGrain(
    IOptions<PolygonOptions> options,
    IOptions<StorageOptions> storage,
    MarketCalendar calendar,
    ILocalSiloDetails silo,
    LocalConnections local,
    IngestionMetrics metrics,
    TimeProvider time,
    ILogger<PolygonSocketReaderGrain> logger) : Grain, IPolygonSocketReaderGrain
{
    /// <summary>
    /// A stream message must fit the stream cache's 1 MiB buffer blocks (a larger one can never be
    /// delivered), so batches close at about half that, estimated from the raw JSON they carry.
    /// </summary>
    private const int MaxBytesPerPublish = 512 * 1024;
    private const int MaxEventsPerPublish = 2_000;

    private readonly Channel<PolygonFrame> _frames = Channel.CreateUnbounded<PolygonFrame>(new() { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<StreamId, IAsyncStream<EventBatch<PolygonAggregate>>> _aggregateStreams = [];
    private PolygonConnectionSpec _spec = null!;
    private FeedConnection _connection = null!;
    private MarketHoursGate? _marketHours;
    private IAsyncStream<EventBatch<QuarantinedFrame>> _quarantine = null!;
    private WriterCredit _credit = null!;
    private Task _reading = Task.CompletedTask;
    private Task _pumping = Task.CompletedTask;
    private long _received;
    private long _quarantined;
    private long _pending;
    private bool _stopped;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var id = this.GetPrimaryKeyString();
        var polygon = options.Value;
        _spec = PolygonConnectionPlan.Build(polygon).SingleOrDefault(c => c.Id == id)
            ?? throw new InvalidOperationException($"Connection '{id}' is not in the configured Polygon connection plan.");
        var endpoint = new Uri(new Uri(polygon.WebSocketUrl.TrimEnd('/') + "/"), _spec.Path);
        var protocol = new PolygonFeedProtocol(_spec, endpoint, polygon.ApiKey, OnFrame, logger);
        _connection = new FeedConnection(id, protocol, ConnectionOptions(polygon.Connection), metrics, logger, time);
        _quarantine = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<EventBatch<QuarantinedFrame>>(StreamId.Create(StreamNames.Quarantine, PolygonFrameParser.Source));
        _credit = new WriterCredit(GrainFactory.GetGrain<IPolygonAggregateWriterGrain>(id), Guid.NewGuid(),
            storage.Value.MaxInFlightPerProducer, time, logger);

        logger.LogInformation("Connection {Connection} starting on {Silo}: {Topics} topics on /{Path}", id, silo.SiloAddress, _spec.Topics.Count, _spec.Path);
        _marketHours = polygon.RespectMarketHours ? new MarketHoursGate(calendar, time, logger) : null;
        // The receive loop leaves the grain scheduler on purpose: it must never wait for a grain turn.
        _reading = Task.Run(() => _marketHours is null
            ? _connection.RunAsync(_stopping.Token)
            : _marketHours.RunDuringSessionsAsync(id, _connection.RunAsync, _stopping.Token), CancellationToken.None);
        _pumping = PumpAsync();
        local.Add(id);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await StopReadingAsync();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    public Task EnsureRunningAsync() => Task.CompletedTask;

    /// <summary>A connection of minute bars only is quiet for a minute at a time: give it the longer silence timeout.</summary>
    private FeedConnectionOptions ConnectionOptions(FeedConnectionOptions configured) =>
        _spec.Topics.All(t => t.StartsWith("AM.", StringComparison.Ordinal))
            ? configured with { SilenceTimeout = configured.MinuteFeedSilenceTimeout }
            : configured;

    public async Task<Guid> StopAsync()
    {
        await StopReadingAsync();
        this.DeactivateOnIdle();
        return _credit.Producer;
    }

    public Task<ConnectionStatus> GetStatusAsync() => Task.FromResult(new ConnectionStatus(
        _spec.Id,
        _marketHours?.IsWaitingForOpen == true ? ConnectionState.MarketClosed : _connection.State,
        silo.SiloAddress.ToString(),
        _spec.Topics.Count,
        Interlocked.Read(ref _received),
        Interlocked.Read(ref _quarantined),
        _connection.Reconnects,
        _connection.ConsecutiveFailures,
        _connection.LastMessageAt,
        _connection.LastError,
        Interlocked.Read(ref _pending)));

    /// <summary>Runs on the socket's loop: count and queue, nothing more.</summary>
    private void OnFrame(PolygonFrame frame)
    {
        var tag = new KeyValuePair<string, object?>("connection", _spec.Id);
        if (frame.Aggregates.Count > 0)
        {
            Interlocked.Add(ref _received, frame.Aggregates.Count);
            metrics.EventsReceived.Add(frame.Aggregates.Count, tag);
        }
        if (frame.Quarantined.Count > 0)
        {
            Interlocked.Add(ref _quarantined, frame.Quarantined.Count);
            metrics.FramesQuarantined.Add(frame.Quarantined.Count, tag);
        }
        Interlocked.Add(ref _pending, frame.Aggregates.Count + frame.Quarantined.Count);
        _frames.Writer.TryWrite(frame);
    }

    private async Task StopReadingAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        _stopping.Cancel();
        await _reading;
        _frames.Writer.TryComplete();
        await _pumping;
        await PublishWithRetryAsync(() => StorageStream().OnNextAsync(new EventBatch<PolygonAggregate>([], _credit.Producer, IsLast: true)));
        await PublishWithRetryAsync(() => _quarantine.OnNextAsync(new EventBatch<QuarantinedFrame>([], _credit.Producer, IsLast: true)));
        local.Remove(_spec.Id);
        logger.LogInformation("Connection {Connection} stopped after {Events} events", _spec.Id, Interlocked.Read(ref _received));
    }

    /// <summary>Drains queued frames into batches and publishes them; runs on the grain scheduler.</summary>
    private async Task PumpAsync()
    {
        var aggregates = new List<PolygonAggregate>();
        var quarantined = new List<QuarantinedFrame>();
        while (await _frames.Reader.WaitToReadAsync())
        {
            var bytes = 0;
            while (aggregates.Count < MaxEventsPerPublish && bytes < MaxBytesPerPublish && _frames.Reader.TryRead(out var frame))
            {
                aggregates.AddRange(frame.Aggregates);
                quarantined.AddRange(frame.Quarantined);
                bytes += frame.EstimatedBytes;
            }
            await PublishAsync(aggregates, quarantined);
            Interlocked.Add(ref _pending, -(aggregates.Count + quarantined.Count));
            aggregates.Clear();
            quarantined.Clear();
        }
    }

    private async Task PublishAsync(List<PolygonAggregate> aggregates, List<QuarantinedFrame> quarantined)
    {
        if (aggregates.Count > 0)
        {
            await _credit.WaitForRoomAsync(aggregates.Count);
            var batch = new EventBatch<PolygonAggregate>([.. aggregates], _credit.Producer);
            await PublishWithRetryAsync(() => StorageStream().OnNextAsync(batch));
            _credit.Published(aggregates.Count);
            foreach (var group in aggregates.GroupBy(a => a.Symbol))
            {
                var perInstrument = new EventBatch<PolygonAggregate>([.. group], _credit.Producer);
                var stream = InstrumentStream(group.Key);
                await PublishWithRetryAsync(() => stream.OnNextAsync(perInstrument));
            }
        }
        if (quarantined.Count > 0)
        {
            var batch = new EventBatch<QuarantinedFrame>([.. quarantined], _credit.Producer);
            await PublishWithRetryAsync(() => _quarantine.OnNextAsync(batch));
        }
    }

    /// <summary>
    /// A stream that refuses a batch (a full queue, a silo in transition) is retried, never skipped:
    /// the batch stays in memory and the socket keeps reading meanwhile.
    /// </summary>
    private async Task PublishWithRetryAsync(Func<Task> publish)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await publish();
                return;
            }
            catch (Exception ex)
            {
                if (attempt == 1 || attempt % 20 == 0)
                {
                    logger.LogWarning(ex, "Connection {Connection} could not publish a batch (attempt {Attempt}); retrying", _spec.Id, attempt);
                }
                await Task.Delay(delay, time);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2_000));
            }
        }
    }

    private IAsyncStream<EventBatch<PolygonAggregate>> StorageStream() =>
        Stream(StreamId.Create(StreamNames.PolygonAggregatesToStore, _spec.Id));

    private IAsyncStream<EventBatch<PolygonAggregate>> InstrumentStream(string symbol) =>
        Stream(StreamId.Create(_spec.Market == PolygonMarket.Options ? StreamNames.ContractAggregates : StreamNames.TickerAggregates, symbol));

    private IAsyncStream<EventBatch<PolygonAggregate>> Stream(StreamId id)
    {
        if (!_aggregateStreams.TryGetValue(id, out var stream))
        {
            stream = this.GetStreamProvider(StreamNames.Provider).GetStream<EventBatch<PolygonAggregate>>(id);
            _aggregateStreams[id] = stream;
        }
        return stream;
    }
}
