namespace Ingestion.Scheduling;

/// <summary>
/// The one REST budget of a credential, for the whole cluster (key: a non-reversible hash of the credential, never
/// the credential itself). A single activation hands out every request token, so the budget cannot be exceeded
/// however many silos poll.
/// </summary>
public interface IRateLimiterGrain : IGrainWithStringKey
{
    /// <summary>
    /// Asks for one request token. Waits (briefly, in priority order) while tokens are short; answers
    /// <see cref="RateLease.Granted"/> false with a hint of when to ask again when none came in time.
    /// </summary>
    Task<RateLease> AcquireAsync(RateRequest request);

    /// <summary>Tells the limiter what the server answered: its rate headers, a 429 and its Retry-After.</summary>
    Task ReportAsync(RateReport report);

    /// <summary>
    /// Tells the limiter how far behind one silo's storage writers are (sent by every polling silo every few seconds):
    /// while any silo is backlogged, the lower tiers wait so REST polling does not add to the load (seed 000 §8).
    /// </summary>
    Task ReportStorageAsync(StorageReport report);

    /// <summary>Tokens used this minute, deferred requests, pauses.</summary>
    Task<RateLimiterStatus> GetStatusAsync();
}

/// <summary>One silo's storage pressure: whether a writer is failing, spooling or behind, its unwritten rows and worst lag.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.storage-report")]
public sealed record StorageReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] bool Backlogged,
    [property: Id(2)] long Backlog,
    [property: Id(3)] double BehindSeconds);

/// <summary>What a token pays for: a scheduled poll, or a follow-up/retry paid from the reserved share.</summary>
public enum RatePurpose
{
    Scheduled = 0,
    Reserve = 1,
}

/// <summary>A request for one token: who asks, its priority tier (0 = most urgent, 3 = least) and what it pays for.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.rate-request")]
public sealed record RateRequest(
    [property: Id(0)] string Requester,
    [property: Id(1)] int Tier,
    [property: Id(2)] RatePurpose Purpose);

/// <summary>The limiter's answer: a token, or when to ask again and why not.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.rate-lease")]
public sealed record RateLease(
    [property: Id(0)] bool Granted,
    [property: Id(1)] TimeSpan RetryAfter,
    [property: Id(2)] string? Reason);

/// <summary>
/// The server's answer to one request: status, the <c>x-uw-*</c> usage headers when sent, and <c>Retry-After</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.rate-report")]
public sealed record RateReport(
    [property: Id(0)] int Status,
    [property: Id(1)] int? MinuteRemaining,
    [property: Id(2)] long? MinuteResetMs,
    [property: Id(3)] long? DailyCount,
    [property: Id(4)] long? DailyLimit,
    [property: Id(5)] TimeSpan? RetryAfter);

/// <summary>The limiter's state, for status pages and tests.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.rate-limiter-status")]
public sealed record RateLimiterStatus(
    [property: Id(0)] int RequestsPerMinute,
    [property: Id(1)] int ReservedPerMinute,
    [property: Id(2)] int UsedThisMinute,
    [property: Id(3)] int ScheduledUsedThisMinute,
    [property: Id(4)] int ReserveUsedThisMinute,
    [property: Id(5)] long Granted,
    [property: Id(6)] IReadOnlyDictionary<int, long> DeferredByTier,
    [property: Id(7)] IReadOnlyDictionary<int, long> GrantedByTier,
    [property: Id(8)] int Waiting,
    [property: Id(9)] long RateLimitedResponses,
    [property: Id(10)] DateTimeOffset? PausedUntil,
    [property: Id(11)] string? PauseReason,
    [property: Id(12)] int? ServerMinuteRemaining,
    [property: Id(13)] bool SyncedWithServer,
    [property: Id(14)] IReadOnlyList<string> BackloggedSilos);
