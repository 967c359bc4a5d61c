using Ingestion.Instruments;

namespace Ingestion.Client;

/// <summary>
/// What analytics apps ask the cluster: the in-memory state of instruments. Every call is a grain
/// call answered from memory on whichever silo holds the instrument.
/// </summary>
public sealed class IngestionClient(IClusterClient cluster)
{
    /// <summary>Latest per-second bar, rolling 1-minute bar, day VWAP and volume of a stock or index (<c>SPY</c>, <c>I:VIX</c>).</summary>
    public Task<TickerSnapshot> GetTickerSnapshotAsync(string symbol) =>
        cluster.GetGrain<ITickerGrain>(symbol).GetSnapshotAsync();

    /// <summary>Latest minute bar and day volume of an option contract (<c>O:SPY261218C00590000</c>).</summary>
    public Task<ContractSnapshot> GetContractSnapshotAsync(string contract) =>
        cluster.GetGrain<IContractGrain>(contract).GetSnapshotAsync();
}
