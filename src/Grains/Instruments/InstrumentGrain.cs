using Ingestion.Events;
using Ingestion.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Ingestion.Instruments;

/// <summary>
/// Shared body of the instrument grains: consumes the instrument's two implicit streams — Polygon
/// aggregates and Unusual Whales events, told apart by stream namespace — applies each item to its
/// in-memory book, and saves each book on a timer (and on deactivation) when it changed, so a grain
/// re-activated elsewhere resumes its day.
/// </summary>
public abstract class InstrumentGrain<TBook, TUwBook>(IPersistentState<TBook> book, IPersistentState<TUwBook> uwBook, ILogger logger)
    : Grain, IStreamSubscriptionObserver, IAsyncObserver<EventBatch<PolygonAggregate>>, IAsyncObserver<EventBatch<UwEvent>>
    where TBook : class, new()
    where TUwBook : class, new()
{
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(30);
    private bool _dirty;
    private bool _uwDirty;

    protected TBook Book => book.State;

    protected TUwBook UwBook => uwBook.State;

    /// <summary>The namespace of the Unusual Whales stream this grain subscribes to implicitly.</summary>
    protected abstract string UnusualWhalesNamespace { get; }

    protected abstract bool Apply(PolygonAggregate bar);

    protected abstract bool Apply(UwEvent e);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(SaveIfChangedAsync, SaveInterval, SaveInterval);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The local profile keeps grain state in memory storage, which ends with the silo (and is torn down before
        // the grains at shutdown): there is nothing to save it for.
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown
            && ServiceProvider.GetRequiredService<IOptions<IngestionOptions>>().Value.Profile == IngestionOptions.Profiles.Local)
        {
            return;
        }
        try
        {
            await SaveIfChangedAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or OperationCanceledException)
        {
            // Storage unreachable: the stored rows remain the record, and the next activation rebuilds from its last save.
            logger.LogWarning("Could not save {Grain} while deactivating ({Reason}): {Error}", this.GetGrainId(), reason.ReasonCode, ex.Message);
        }
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.StreamId.GetNamespace() == UnusualWhalesNamespace
            ? (Task)handleFactory.Create<EventBatch<UwEvent>>().ResumeAsync(this)
            : handleFactory.Create<EventBatch<PolygonAggregate>>().ResumeAsync(this);

    public Task OnNextAsync(EventBatch<PolygonAggregate> item, StreamSequenceToken? token = null)
    {
        foreach (var bar in item.Items)
        {
            _dirty |= Apply(bar);
        }
        return Task.CompletedTask;
    }

    public Task OnNextAsync(EventBatch<UwEvent> item, StreamSequenceToken? token = null)
    {
        foreach (var e in item.Items)
        {
            _uwDirty |= Apply(e);
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
        if (_uwDirty)
        {
            await uwBook.WriteStateAsync(cancellationToken);
            _uwDirty = false;
        }
    }
}

/// <summary>
/// A stock or index (key: symbol): latest second bar, rolling minute, day VWAP and volume from Polygon;
/// last price, minute bars, option flow, GEX and flow alerts from Unusual Whales.
/// </summary>
[ImplicitStreamSubscription(StreamNames.TickerAggregates)]
[ImplicitStreamSubscription(StreamNames.UwTickerEvents)]
public sealed class TickerGrain(
    [PersistentState("ticker-book", Storage.StorageNames.Instruments)] IPersistentState<TickerBook> book,
    [PersistentState("uw-ticker-book", Storage.StorageNames.Instruments)] IPersistentState<UwTickerBook> uwBook,
    ILogger<TickerGrain> logger)
    : InstrumentGrain<TickerBook, UwTickerBook>(book, uwBook, logger), ITickerGrain
{
    protected override string UnusualWhalesNamespace => StreamNames.UwTickerEvents;

    protected override bool Apply(PolygonAggregate bar) => Book.Apply(bar);

    protected override bool Apply(UwEvent e) => UwBook.Apply(e);

    public Task<TickerSnapshot> GetSnapshotAsync() => Task.FromResult(Book.Snapshot(this.GetPrimaryKeyString()));

    public Task<TickerFlowSnapshot> GetUnusualWhalesAsync() => Task.FromResult(UwBook.Snapshot(this.GetPrimaryKeyString()));
}

/// <summary>
/// An option contract (key: OCC symbol with the <c>O:</c> prefix): latest minute bar and day volume from
/// Polygon; last trade, NBBO, day volume and premium and last greeks from Unusual Whales.
/// </summary>
[ImplicitStreamSubscription(StreamNames.ContractAggregates)]
[ImplicitStreamSubscription(StreamNames.UwContractTrades)]
public sealed class ContractGrain(
    [PersistentState("contract-book", Storage.StorageNames.Instruments)] IPersistentState<ContractBook> book,
    [PersistentState("uw-contract-book", Storage.StorageNames.Instruments)] IPersistentState<UwContractBook> uwBook,
    ILogger<ContractGrain> logger)
    : InstrumentGrain<ContractBook, UwContractBook>(book, uwBook, logger), IContractGrain
{
    protected override string UnusualWhalesNamespace => StreamNames.UwContractTrades;

    protected override bool Apply(PolygonAggregate bar) => Book.Apply(bar);

    protected override bool Apply(UwEvent e) => UwBook.Apply(e);

    public Task<ContractSnapshot> GetSnapshotAsync() => Task.FromResult(Book.Snapshot(this.GetPrimaryKeyString()));

    public Task<ContractTradeSnapshot> GetUnusualWhalesAsync() => Task.FromResult(UwBook.Snapshot(this.GetPrimaryKeyString()));
}
