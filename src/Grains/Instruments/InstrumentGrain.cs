using Ingestion.Events;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Ingestion.Instruments;

/// <summary>
/// Shared body of the instrument grains: consumes the instrument's own stream, applies each bar
/// to an in-memory book, and saves the book on a timer (and on deactivation) when it changed,
/// so a grain re-activated elsewhere resumes its day.
/// </summary>
public abstract class InstrumentGrain<TBook>(IPersistentState<TBook> book, ILogger logger)
    : Grain, IStreamSubscriptionObserver, IAsyncObserver<EventBatch<PolygonAggregate>>
    where TBook : class, new()
{
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(30);
    private bool _dirty;

    protected TBook Book => book.State;

    protected abstract bool Apply(PolygonAggregate bar);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(SaveIfChangedAsync, SaveInterval, SaveInterval);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await SaveIfChangedAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or OperationCanceledException)
        {
            // At the last silo's shutdown memory storage is already gone; the stored rows remain the record.
            logger.LogWarning("Could not save {Grain} while deactivating ({Reason}): {Error}", this.GetGrainId(), reason.ReasonCode, ex.Message);
        }
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<EventBatch<PolygonAggregate>>().ResumeAsync(this);

    public Task OnNextAsync(EventBatch<PolygonAggregate> item, StreamSequenceToken? token = null)
    {
        foreach (var bar in item.Items)
        {
            _dirty |= Apply(bar);
        }
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    private async Task SaveIfChangedAsync(CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await book.WriteStateAsync(cancellationToken);
            _dirty = false;
        }
    }
}

/// <summary>A stock or index (key: symbol): latest second bar, rolling minute, day VWAP and volume.</summary>
[ImplicitStreamSubscription(StreamNames.TickerAggregates)]
public sealed class TickerGrain(
    [PersistentState("ticker-book", Storage.StorageNames.Instruments)] IPersistentState<TickerBook> book,
    ILogger<TickerGrain> logger)
    : InstrumentGrain<TickerBook>(book, logger), ITickerGrain
{
    protected override bool Apply(PolygonAggregate bar) => Book.Apply(bar);

    public Task<TickerSnapshot> GetSnapshotAsync() => Task.FromResult(Book.Snapshot(this.GetPrimaryKeyString()));
}

/// <summary>An option contract (key: OCC symbol): latest minute bar and day volume.</summary>
[ImplicitStreamSubscription(StreamNames.ContractAggregates)]
public sealed class ContractGrain(
    [PersistentState("contract-book", Storage.StorageNames.Instruments)] IPersistentState<ContractBook> book,
    ILogger<ContractGrain> logger)
    : InstrumentGrain<ContractBook>(book, logger), IContractGrain
{
    protected override bool Apply(PolygonAggregate bar) => Book.Apply(bar);

    public Task<ContractSnapshot> GetSnapshotAsync() => Task.FromResult(Book.Snapshot(this.GetPrimaryKeyString()));
}
