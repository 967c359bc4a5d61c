using Ingestion.Events;
using Ingestion.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Ingestion.Storage;

/// <summary>
/// The body of every persistence grain: consumes event batches from its implicit stream, hands
/// them to each sink (PostgreSQL, Redis), writes a sink as soon as it holds a full batch and
/// every <see cref="StorageOptions.FlushInterval"/> otherwise (at once, before acknowledging, with
/// <see cref="StorageOptions.AcknowledgeAfterWrite"/>), and drains on deactivation. Sinks
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

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var name = this.GetPrimaryKeyString();
        var settings = options.Value;
        _sinks = [.. Sinks().Select(s => new BatchingSink<T>(s.Name, name, s.Write, settings, metrics, logger))];
        this.RegisterGrainTimer(ct => FlushAllAsync(ct), settings.FlushInterval, settings.FlushInterval);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        while (_sinks.Any(s => s.Pending > 0) && !cancellationToken.IsCancellationRequested)
        {
            await FlushAllAsync(cancellationToken);
        }
        var status = Status();
        if (status.Sinks.Any(s => s.Pending > 0))
        {
            logger.LogError("Writer {Writer} deactivated ({Reason}) with rows unwritten: {Sinks}",
                status.Writer, reason.Description, string.Join(", ", status.Sinks.Select(s => $"{s.Sink}={s.Pending}")));
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
                sink.Add(item.Items);
            }
            _taken[item.Producer] = _taken.GetValueOrDefault(item.Producer) + item.Items.Length;
            // Returning is what lets a durable stream acknowledge the batch: write it first unless batching is allowed.
            var due = options.Value.AcknowledgeAfterWrite ? _sinks : _sinks.Where(s => s.IsDue);
            await Task.WhenAll(due.Select(s => s.FlushAsync()));
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
        await FlushAllAsync(CancellationToken.None);
        return Status();
    }

    public Task<WriterStatus> GetStatusAsync() => Task.FromResult(Status());

    public Task<WriterProgress> GetProgressAsync(Guid producer) =>
        Task.FromResult(new WriterProgress(_taken.GetValueOrDefault(producer), _sinks.Count == 0 ? 0 : _sinks.Max(s => s.Pending)));

    public Task<bool> HasDrainedAsync(Guid producer) => Task.FromResult(_drained.Contains(producer));

    private Task FlushAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_sinks.Select(s => s.FlushAsync(cancellationToken)));

    private WriterStatus Status() => new(this.GetPrimaryKeyString(), [.. _sinks.Select(s => s.Status())]);
}
