using System.Collections.Immutable;
using System.Threading.Channels;
using Ingestion.Calendar;
using Ingestion.Connections;
using Ingestion.Events;
using Ingestion.Hosting;
using Ingestion.Observability;
using Ingestion.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Streams;

namespace Ingestion.Sources.Feeds;

/// <summary>What a protocol hands its reader for one frame: events to publish and input it refused.</summary>
public sealed record ReadFrame<TEvent>(IReadOnlyList<TEvent> Events, IReadOnlyList<QuarantinedFrame> Refused, int EstimatedBytes);

/// <summary>The per-source parts of a socket reader, built once per activation.</summary>
public sealed record SocketReaderSetup(
    string Source,
    string Description,
    FeedConnection Connection,
    MarketHoursGate? MarketHours,
    IStorageWriterGrain Writer,
    string StoreNamespace);

/// <summary>
/// The body of every socket-reader grain (one per WebSocket; key: a connection id). The socket is
/// read on its own loop; parsed frames queue in a <see cref="ReaderBacklog{TEvent}"/> (memory, then disk) and a pump
/// on the grain's scheduler publishes them in batches: to the storage stream of this connection (within the credit its
/// writer grants, <see cref="WriterCredit"/>), to each instrument's stream, and refused input to
/// quarantine. No durable state: a watchdog on every silo re-creates the grain wherever the
/// cluster places it.
/// </summary>
public abstract class SocketReaderGrain<TEvent>(
    ILocalSiloDetails silo,
    LocalConnections local,
    IngestionMetrics metrics,
    TimeProvider time,
    ILogger logger) : Grain, ISocketReaderGrain
    where TEvent : class
{
    /// <summary>
    /// A stream message must fit the stream cache's 1 MiB buffer blocks (a larger one can never be
    /// delivered), so batches close at about half that, estimated from the raw JSON they carry.
    /// </summary>
    private const int MaxBytesPerPublish = 512 * 1024;
    public const int MaxEventsPerPublish = 2_000;

    /// <summary>Rung by the socket's loop after each frame; the pump sleeps on it when the backlog is empty.</summary>
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private ReaderBacklog<TEvent>? _backlog;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<StreamId, IAsyncStream<EventBatch<TEvent>>> _streams = [];
    private SocketReaderSetup _setup = null!;
    private IAsyncStream<EventBatch<QuarantinedFrame>> _quarantine = null!;
    private WriterCredit _credit = null!;
    private Task _reading = Task.CompletedTask;
    private Task _pumping = Task.CompletedTask;
    private long _received;
    private long _quarantined;
    private long _pending;
    private bool _stopped;

    protected string ConnectionId => this.GetPrimaryKeyString();

    protected ILogger Logger => logger;

    protected IngestionMetrics Metrics => metrics;

    protected TimeProvider Time => time;

    /// <summary>Builds the connection for this id; <paramref name="onFrame"/> must be called on the socket's loop.</summary>
    protected abstract SocketReaderSetup Setup(string id, Action<ReadFrame<TEvent>> onFrame);

    /// <summary>Subscriptions the connection carries, for the status page.</summary>
    protected abstract int Subscriptions { get; }

    /// <summary>The instrument streams a published batch also goes to, with the events for each.</summary>
    protected abstract IEnumerable<(StreamId Stream, IReadOnlyList<TEvent> Events)> InstrumentBatches(IReadOnlyList<TEvent> events);

    /// <summary>Follow-up work for a batch once it is on its way to storage (e.g. REST follow-ups); must not throw.</summary>
    protected virtual Task OnPublishedAsync(IReadOnlyList<TEvent> events) => Task.CompletedTask;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var id = ConnectionId;
        _setup = Setup(id, OnFrame);
        _quarantine = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<EventBatch<QuarantinedFrame>>(StreamId.Create(StreamNames.Quarantine, _setup.Source));
        // Resolved here rather than in the constructor, so that readers of every source share the base's settings
        // without each passing them through its own constructor.
        var storage = ServiceProvider.GetRequiredService<IOptions<StorageOptions>>().Value;
        var dataDirectory = ServiceProvider.GetRequiredService<IOptions<IngestionOptions>>().Value.DataDirectory;
        _credit = new WriterCredit(_setup.Writer, Guid.NewGuid(), storage.MaxInFlightPerProducer, time, logger);
        _backlog = await ReaderBacklog<TEvent>.OpenAsync(ReaderSpoolDirectory(dataDirectory), id, _credit.Producer, storage.MaxPendingPublishInMemory, logger);
        if (_backlog.OnDisk > 0)
        {
            Interlocked.Add(ref _pending, _backlog.OnDisk);
        }

        logger.LogInformation("Connection {Connection} starting on {Silo}: {Description}", id, silo.SiloAddress, _setup.Description);
        var connection = _setup.Connection;
        var marketHours = _setup.MarketHours;
        // The receive loop leaves the grain scheduler on purpose: it must never wait for a grain turn.
        _reading = Task.Run(() => marketHours is null
            ? connection.RunAsync(_stopping.Token)
            : marketHours.RunDuringSessionsAsync(id, connection.RunAsync, _stopping.Token), CancellationToken.None);
        _pumping = PumpAsync();
        local.Add(id);
    }

    /// <summary>Where readers spill frames they cannot publish yet: <c>{DataDirectory}/spool/readers/{connection}/{activation}</c>.</summary>
    public static string ReaderSpoolDirectory(string dataDirectory) => Path.GetFullPath(Path.Combine(dataDirectory, "spool", "readers"));

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await StopReadingAsync();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    public Task EnsureRunningAsync() => Task.CompletedTask;

    public async Task<Guid> StopAsync()
    {
        await StopReadingAsync();
        this.DeactivateOnIdle();
        return _credit.Producer;
    }

    public Task<ConnectionStatus> GetStatusAsync() => Task.FromResult(new ConnectionStatus(
        ConnectionId,
        _setup.MarketHours?.IsWaitingForOpen == true ? ConnectionState.MarketClosed : _setup.Connection.State,
        silo.SiloAddress.ToString(),
        Subscriptions,
        Interlocked.Read(ref _received),
        Interlocked.Read(ref _quarantined),
        _setup.Connection.Reconnects,
        _setup.Connection.ConsecutiveFailures,
        _setup.Connection.LastMessageAt,
        _setup.Connection.LastError,
        Interlocked.Read(ref _pending),
        _backlog?.OnDisk ?? 0));

    /// <summary>Runs on the socket's loop: count and queue, nothing more.</summary>
    private void OnFrame(ReadFrame<TEvent> frame)
    {
        var tag = new KeyValuePair<string, object?>("connection", ConnectionId);
        if (frame.Events.Count > 0)
        {
            Interlocked.Add(ref _received, frame.Events.Count);
            metrics.EventsReceived.Add(frame.Events.Count, tag);
        }
        if (frame.Refused.Count > 0)
        {
            Interlocked.Add(ref _quarantined, frame.Refused.Count);
            metrics.FramesQuarantined.Add(frame.Refused.Count, tag);
        }
        Interlocked.Add(ref _pending, frame.Events.Count + frame.Refused.Count);
        _backlog!.Add(frame);
        _doorbell.Writer.TryWrite(true);
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
        _doorbell.Writer.TryComplete();
        await _pumping;
        if (_backlog is not null)
        {
            await _backlog.DisposeAsync();
        }
        await PublishWithRetryAsync(() => StoreStream().OnNextAsync(new EventBatch<TEvent>([], _credit.Producer, IsLast: true)));
        await PublishWithRetryAsync(() => _quarantine.OnNextAsync(new EventBatch<QuarantinedFrame>([], _credit.Producer, IsLast: true)));
        local.Remove(ConnectionId);
        logger.LogInformation("Connection {Connection} stopped after {Events} events", ConnectionId, Interlocked.Read(ref _received));
    }

    /// <summary>Drains the backlog in size-capped batches and publishes them, until reading has stopped and nothing is left; runs on the grain scheduler.</summary>
    private async Task PumpAsync()
    {
        while (true)
        {
            var frames = await _backlog!.TakeAsync(MaxEventsPerPublish, MaxBytesPerPublish);
            if (frames.Count == 0)
            {
                if (!await _doorbell.Reader.WaitToReadAsync())
                {
                    return;
                }
                _doorbell.Reader.TryRead(out _);
                continue;
            }
            List<TEvent> events = [.. frames.SelectMany(f => f.Events)];
            List<QuarantinedFrame> refused = [.. frames.SelectMany(f => f.Refused)];
            await PublishAsync(events, refused);
            Interlocked.Add(ref _pending, -(events.Count + refused.Count));
        }
    }

    private async Task PublishAsync(List<TEvent> events, List<QuarantinedFrame> refused)
    {
        if (events.Count > 0)
        {
            await _credit.WaitForRoomAsync(events.Count);
            var batch = new EventBatch<TEvent>([.. events], _credit.Producer);
            await PublishWithRetryAsync(() => StoreStream().OnNextAsync(batch));
            _credit.Published(events.Count);
            // Side by side: a batch of option trades touches hundreds of contract streams, and one at a time they set the pace.
            await Task.WhenAll(InstrumentBatches(events).Select(instrument =>
            {
                var perInstrument = new EventBatch<TEvent>([.. instrument.Events], _credit.Producer);
                var stream = Stream(instrument.Stream);
                return PublishWithRetryAsync(() => stream.OnNextAsync(perInstrument));
            }).ToList());
            await OnPublishedAsync(events);
        }
        if (refused.Count > 0)
        {
            var batch = new EventBatch<QuarantinedFrame>([.. refused], _credit.Producer);
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
                    logger.LogWarning(ex, "Connection {Connection} could not publish a batch (attempt {Attempt}); retrying", ConnectionId, attempt);
                }
                await Task.Delay(delay, time);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2_000));
            }
        }
    }

    private IAsyncStream<EventBatch<TEvent>> StoreStream() => Stream(StreamId.Create(_setup.StoreNamespace, ConnectionId));

    private IAsyncStream<EventBatch<TEvent>> Stream(StreamId id)
    {
        if (!_streams.TryGetValue(id, out var stream))
        {
            stream = this.GetStreamProvider(StreamNames.Provider).GetStream<EventBatch<TEvent>>(id);
            _streams[id] = stream;
        }
        return stream;
    }
}
