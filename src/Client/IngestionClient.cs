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

    /// <summary>
    /// The Unusual Whales view of an underlying (<c>SPY</c>): last price, 1-minute bars, net call and put premium
    /// and volume by side over 1, 5, 15 and 60 minutes, latest GEX and strike map, last flow alerts.
    /// </summary>
    public Task<TickerFlowSnapshot> GetTickerFlowAsync(string symbol) =>
        cluster.GetGrain<ITickerGrain>(symbol).GetUnusualWhalesAsync();

    /// <summary>The Unusual Whales view of an option contract (<c>O:SPY261218C00590000</c>): last trade, NBBO, day volume and premium, last greeks.</summary>
    public Task<ContractTradeSnapshot> GetContractTradesAsync(string contract) =>
        cluster.GetGrain<IContractGrain>(contract).GetUnusualWhalesAsync();
}
