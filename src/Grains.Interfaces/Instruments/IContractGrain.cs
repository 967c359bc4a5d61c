namespace Ingestion.Instruments;

/// <summary>Latest state of one option contract (key: OCC symbol such as <c>O:SPY251219C00590000</c>).</summary>
public interface IContractGrain : IGrainWithStringKey
{
    /// <summary>Latest minute bar and the day's volume, from memory.</summary>
    Task<ContractSnapshot> GetSnapshotAsync();

    /// <summary>The Unusual Whales view: last trade, NBBO, day volume and premium, last greeks, from memory.</summary>
    Task<ContractTradeSnapshot> GetUnusualWhalesAsync();
}

/// <summary>What a <see cref="IContractGrain"/> knows. The bar is null until the first event arrives.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.contract-snapshot")]
public sealed record ContractSnapshot(
    [property: Id(0)] string Contract,
    [property: Id(1)] Bar? LastMinute,
    [property: Id(2)] decimal DayVolume,
    [property: Id(3)] long BarsSeen,
    [property: Id(4)] DateTimeOffset? LastReceivedAt);
