using Ingestion.Instruments;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Ingestion.Client;

/// <summary>
/// What analytics apps ask the cluster: the in-memory state of instruments. Every call is a grain
/// call answered from memory on whichever silo holds the instrument. A call that meets a dead or
/// departing silo (time-out, silo unavailable, rejected message) is retried, so a silo crash costs
/// the caller seconds: the per-call time-out, then a fresh activation on a survivor.
/// </summary>
public sealed class IngestionClient(IClusterClient cluster)
{
    /// <summary>Attempts per call, the first one included.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Latest per-second bar, rolling 1-minute bar, day VWAP and volume of a stock or index (<c>SPY</c>, <c>I:VIX</c>).</summary>
    public Task<TickerSnapshot> GetTickerSnapshotAsync(string symbol, CancellationToken cancellationToken = default) =>
        RetryTransientAsync(() => cluster.GetGrain<ITickerGrain>(symbol).GetSnapshotAsync(), cancellationToken);

    /// <summary>Latest minute bar and day volume of an option contract (<c>O:SPY261218C00590000</c>).</summary>
    public Task<ContractSnapshot> GetContractSnapshotAsync(string contract, CancellationToken cancellationToken = default) =>
        RetryTransientAsync(() => cluster.GetGrain<IContractGrain>(contract).GetSnapshotAsync(), cancellationToken);

    /// <summary>
    /// The Unusual Whales view of an underlying (<c>SPY</c>): last price, 1-minute bars, net call and put premium
    /// and volume by side over 1, 5, 15 and 60 minutes, latest GEX and strike map, last flow alerts.
    /// </summary>
    public Task<TickerFlowSnapshot> GetTickerFlowAsync(string symbol, CancellationToken cancellationToken = default) =>
        RetryTransientAsync(() => cluster.GetGrain<ITickerGrain>(symbol).GetUnusualWhalesAsync(), cancellationToken);

    /// <summary>The Unusual Whales view of an option contract (<c>O:SPY261218C00590000</c>): last trade, NBBO, day volume and premium, last greeks.</summary>
    public Task<ContractTradeSnapshot> GetContractTradesAsync(string contract, CancellationToken cancellationToken = default) =>
        RetryTransientAsync(() => cluster.GetGrain<IContractGrain>(contract).GetUnusualWhalesAsync(), cancellationToken);

    /// <summary>
    /// Runs <paramref name="call"/> up to <see cref="MaxAttempts"/> times while it fails in a way a membership
    /// change explains; the snapshot calls are reads, so repeating one is harmless.
    /// </summary>
    public static async Task<T> RetryTransientAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (attempt < MaxAttempts && IsTransient(ex))
            {
                // 0.5 s, then 1 s: time for the cluster to declare the silo dead and the directory to forget it.
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>Failures that a dead or departing silo causes and that a retry on a survivor can cure.</summary>
    public static bool IsTransient(Exception ex) => ex is TimeoutException
        or SiloUnavailableException
        or OrleansMessageRejectionException
        or ConnectionFailedException
        or GatewayTooBusyException;
}
