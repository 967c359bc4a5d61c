using Ingestion.Events;
using Ingestion.Hosting;
using Ingestion.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Ingestion.Storage;

/// <summary>
/// The body of every persistence grain: consumes event batches from its implicit stream, hands
/// them to each sink (PostgreSQL, Redis), writes a sink as soon as it holds a full batch and
/// every <see cref="StorageOptions.FlushInterval"/> otherwise (per sink; at once, before the stream may
/// acknowledge, with <see cref="StorageOptions.AcknowledgeAfterWrite"/>), spills to an on-disk spool what
/// does not fit in memory, and on deactivation writes what it can and spools the rest. Sinks
/// write side by side. It counts what each producer has handed it, which is the producer's credit
/// (flow control), and remembers producers' last batches so shutdown can tell a stream is drained.
/// </summary>
public abstract class StorageWriterGrain<T>(IOptions<StorageOptions> options, IngestionMetrics metrics, ILogger logger)
    : Grain, IStreamSubscriptionObserver, IAsyncObserver<EventBatch<T>>
{
    private readonly Dictionary<Guid, long> _taken = [];
    private readonly HashSet<Guid> _drained = [];
    private List<BatchingSink<T>> _sinks = [];

    /// <summary>The destinations, in write order.</summary>
    protected abstract IEnumerable<(string Name, Func<IReadOnlyList<T>, CancellationToken, Task> Write)> Sinks();

    /// <summary>Where this writer spools: <c>{DataDirectory}/spool/{writer key, file-name safe}</c>, one directory per sink below it.</summary>
    public static string SpoolDirectory(string dataDirectory, string writer) =>
        Path.GetFullPath(Path.Combine(dataDirectory, "spool", DiskSpool.FileSafe(writer)));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var name = this.GetPrimaryKeyString();
        var settings = options.Value;
        // Resolved here rather than in the constructor so every writer grain gets spooling without new constructor parameters.
        var dataDirectory = ServiceProvider.GetRequiredService<IOptions<IngestionOptions>>().Value.DataDirectory;
        var pressure = ServiceProvider.GetRequiredService<StoragePressure>();
        var time = ServiceProvider.GetRequiredService<TimeProvider>();
        var root = SpoolDirectory(dataDirectory, name);
        _sinks = [];
        foreach (var (sinkName, write) in Sinks())
        {
            _sinks.Add(await BatchingSink<T>.OpenAsync(sinkName, name, write, Path.Combine(root, sinkName), settings, metrics, pressure, time, logger));
        }
        // One timer per sink, interleaving with stream deliveries: a destination that hangs (Redis
        // commands wait out their timeout while it is down) delays neither the other sink nor the
        // intake of new rows, which go to memory or the spool meanwhile.
        foreach (var sink in _sinks)
        {
            this.RegisterGrainTimer(async ct =>
            {
                sink.CheckHealth();
                await sink.FlushAsync(cancellationToken: ct);
                sink.CheckHealth();
            }, new GrainTimerCreationOptions(settings.FlushInterval, settings.FlushInterval) { Interleave = true });
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_sinks.Select(s => s.FlushAsync(force: true, cancellationToken)));
        }
        catch (OperationCanceledException)
        {
            // Out of time: what is left goes to the spool below.
        }
        foreach (var sink in _sinks)
        {
            try
            {
                await sink.SpillAsync();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogError("ALERT: writer {Writer} lost {Rows} rows of sink {Sink} at deactivation: the spool refused them: {Error}",
                    this.GetPrimaryKeyString(), sink.Pending, sink.Name, ex.Message);
            }
            sink.Forget();
        }
        var status = Status();
        if (status.Sinks.Any(s => s.Unwritten > 0))
        {
            logger.LogWarning("Writer {Writer} deactivated ({Reason}) with rows spooled, drained at its next activation: {Sinks}",
                status.Writer, reason.Description, string.Join(", ", status.Sinks.Select(s => $"{s.Sink}={s.Unwritten}")));
        }
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<EventBatch<T>>().ResumeAsync(this);

    public async Task OnNextAsync(EventBatch<T> item, StreamSequenceToken? token = null)
    {
        if (!item.Items.IsDefaultOrEmpty)
        {
            foreach (var sink in _sinks)
            {
                await sink.AddAsync(item.Items);
            }
            _taken[item.Producer] = _taken.GetValueOrDefault(item.Producer) + item.Items.Length;
            // Returning is what lets a durable stream acknowledge the batch: unless batching is allowed, the rows
            // must first be written, or be on disk in the spool when a destination is down.
            await Task.WhenAll(options.Value.AcknowledgeAfterWrite
                ? _sinks.Select(s => s.WriteOrSpoolAsync())
                : _sinks.Where(s => s.IsDue).Select(s => s.FlushAsync()));
        }
        if (item.IsLast)
        {
            _drained.Add(item.Producer);
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        logger.LogWarning(ex, "Stream error in writer {Writer}", this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public async Task<WriterStatus> FlushAsync()
    {
        await Task.WhenAll(_sinks.Select(s => s.FlushAsync(force: true)));
        return Status();
    }

    public Task<WriterStatus> GetStatusAsync() => Task.FromResult(Status());

    public Task<WriterProgress> GetProgressAsync(Guid producer) =>
        Task.FromResult(new WriterProgress(_taken.GetValueOrDefault(producer), _sinks.Count == 0 ? 0 : _sinks.Max(s => s.Pending)));

    public Task<bool> HasDrainedAsync(Guid producer) => Task.FromResult(_drained.Contains(producer));

    private WriterStatus Status() => new(this.GetPrimaryKeyString(), [.. _sinks.Select(s => s.Status())]);
}
