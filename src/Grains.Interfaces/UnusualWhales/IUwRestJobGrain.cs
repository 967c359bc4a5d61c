using Orleans.Concurrency;

namespace Ingestion.UnusualWhales;

/// <summary>
/// Polls one Unusual Whales REST endpoint for one scope on its cadence (key <c>endpoint|scope</c>, e.g.
/// <c>greek-flow|SPY</c> or <c>market-tide|global</c>), archives every answer and keeps the latest in Redis.
/// </summary>
public interface IUwRestJobGrain : IGrainWithStringKey
{
    /// <summary>Activates the job (and so its timer) if it is not running; cheap when it is.</summary>
    [AlwaysInterleave]
    Task EnsureRunningAsync();

    /// <summary>Last success and failure, next due time, counters.</summary>
    [AlwaysInterleave]
    Task<UwRestJobStatus> GetStatusAsync();
}

/// <summary>
/// Queues on-demand fetches paid from the reserved share of the REST budget (key: <see cref="DefaultKey"/>).
/// </summary>
public interface IUwFollowUpGrain : IGrainWithStringKey
{
    public const string DefaultKey = "default";

    /// <summary>
    /// Queues one <c>/api/option-contract/{id}/flow</c> fetch for <paramref name="optionChainId"/> (OCC symbol
    /// without <c>O:</c>, e.g. <c>SPY251030C00428000</c>), at most once per trading day per option chain.
    /// Returns false when it was already queued or fetched today.
    /// </summary>
    [AlwaysInterleave]
    Task<bool> EnqueueContractFlowAsync(string optionChainId);

    /// <summary>Queue length and what was fetched.</summary>
    [AlwaysInterleave]
    Task<UwFollowUpStatus> GetStatusAsync();
}

/// <summary>One REST job's health, as shown on <c>/api/status</c>.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.uw-rest-job-status")]
public sealed record UwRestJobStatus(
    [property: Id(0)] string Job,
    [property: Id(1)] int Tier,
    [property: Id(2)] TimeSpan Cadence,
    [property: Id(3)] DateTimeOffset? LastSuccessAt,
    [property: Id(4)] DateTimeOffset? LastFailureAt,
    [property: Id(5)] string? LastError,
    [property: Id(6)] DateTimeOffset? NextDueAt,
    [property: Id(7)] long Successes,
    [property: Id(8)] long Failures,
    [property: Id(9)] long Requests,
    [property: Id(10)] long Deferred,
    [property: Id(11)] int ConsecutiveFailures,
    [property: Id(12)] string Silo);

/// <summary>The follow-up queue's state.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.uw-follow-up-status")]
public sealed record UwFollowUpStatus(
    [property: Id(0)] int Queued,
    [property: Id(1)] long Fetched,
    [property: Id(2)] long Failed,
    [property: Id(3)] long Duplicates,
    [property: Id(4)] DateOnly TradingDay);
