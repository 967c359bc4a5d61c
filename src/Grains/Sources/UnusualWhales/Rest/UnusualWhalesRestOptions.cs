using Microsoft.Extensions.Options;

namespace Ingestion.Sources.UnusualWhales.Rest;

/// <summary>
/// Configuration section <c>Sources:UnusualWhales:Rest</c>: the polled endpoints and how the shared budget is spent.
/// The catalogue defaults live in <see cref="UwRestCatalog"/>; <see cref="Endpoints"/> overrides or adds entries by name.
/// </summary>
public sealed class UnusualWhalesRestOptions
{
    public const string Section = UnusualWhalesOptions.Section + ":Rest";

    /// <summary>REST polling on or off (the whole source is switched by <c>Sources:UnusualWhales:Enabled</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Per-endpoint overrides by catalogue name; unknown names add endpoints (then Path is required).</summary>
    public Dictionary<string, UwRestEndpointOverride> Endpoints { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When not empty, only these catalogue names run (handy for one-off runs and tests).</summary>
    public List<string> Include { get; set; } = [];

    /// <summary>Share of <c>RequestsPerMinute</c> kept for follow-ups and retries (seed 000 §5.1: 20%).</summary>
    public double ReservedFraction { get; set; } = 0.2;

    /// <summary>Tiers 2 and 3 wait once this share of the minute's budget is used (seed 000 §8: 90%).</summary>
    public double LowPriorityCutoff { get; set; } = 0.9;

    /// <summary>
    /// While the storage writers of any silo are backlogged (failing, spooling, or more than <c>Storage:BehindAlert</c>
    /// behind), tiers from this one down wait; tier 0 keeps polling. 4 turns the throttle off.
    /// </summary>
    public int StorageBacklogHoldsTier { get; set; } = 1;

    /// <summary>First back-off after a 429; doubles per consecutive 429 up to <see cref="MaxRateLimitBackoff"/>; Retry-After wins when longer (capped by the same maximum).</summary>
    public TimeSpan RateLimitBackoff { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRateLimitBackoff { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Retries after a network error or 5xx (each paid from the reserve), with jittered exponential delays.</summary>
    public int Retries { get; set; } = 3;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Timeout of one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a job waits in the limiter's queue before giving up its turn.</summary>
    public TimeSpan MaxTokenWait { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Jobs start at a random moment within this span of activation, so a cold start is not one burst.</summary>
    public TimeSpan StartSpread { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each silo touches every configured job grain so that jobs come back after a silo dies.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Rows of <c>uw_rest_payloads</c> not fetched again for this long are deleted (design §5: 90 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>An override of one catalogue entry; every unset member keeps the default.</summary>
public sealed class UwRestEndpointOverride
{
    public bool? Enabled { get; set; }

    /// <summary>Path template with <c>{ticker}</c> for ticker scope, query allowed, e.g. <c>/api/stock/{ticker}/ohlc/1m?limit=500</c>.</summary>
    public string? Path { get; set; }

    /// <summary><c>ticker</c> (one job per watchlist ticker) or <c>global</c>.</summary>
    public string? Scope { get; set; }

    public TimeSpan? Cadence { get; set; }

    /// <summary>0 (most urgent) to 3.</summary>
    public int? Tier { get; set; }
}

public sealed class UnusualWhalesRestOptionsValidator : IValidateOptions<UnusualWhalesRestOptions>
{
    public ValidateOptionsResult Validate(string? name, UnusualWhalesRestOptions options)
    {
        var errors = new List<string>();
        var s = UnusualWhalesRestOptions.Section;
        if (options.ReservedFraction is < 0 or >= 1) errors.Add($"{s}:ReservedFraction must be in [0, 1), got {options.ReservedFraction}.");
        if (options.LowPriorityCutoff is <= 0 or > 1) errors.Add($"{s}:LowPriorityCutoff must be in (0, 1], got {options.LowPriorityCutoff}.");
        if (options.StorageBacklogHoldsTier is < 0 or > 4) errors.Add($"{s}:StorageBacklogHoldsTier must be between 0 and 4, got {options.StorageBacklogHoldsTier}.");
        if (options.RateLimitBackoff <= TimeSpan.Zero || options.MaxRateLimitBackoff < options.RateLimitBackoff)
            errors.Add($"{s}:RateLimitBackoff must be positive and not above MaxRateLimitBackoff.");
        if (options.Retries is < 0 or > 10) errors.Add($"{s}:Retries must be between 0 and 10, got {options.Retries}.");
        if (options.RetryDelay < TimeSpan.Zero) errors.Add($"{s}:RetryDelay cannot be negative.");
        if (options.RequestTimeout <= TimeSpan.Zero) errors.Add($"{s}:RequestTimeout must be positive.");
        if (options.MaxTokenWait <= TimeSpan.Zero || options.MaxTokenWait > TimeSpan.FromSeconds(25))
            errors.Add($"{s}:MaxTokenWait must be positive and at most 25 s (below the grain call timeout).");
        if (options.StartSpread < TimeSpan.Zero) errors.Add($"{s}:StartSpread cannot be negative.");
        if (options.KeepAliveInterval <= TimeSpan.Zero) errors.Add($"{s}:KeepAliveInterval must be positive.");
        if (options.Retention <= TimeSpan.Zero) errors.Add($"{s}:Retention must be positive.");
        try
        {
            UwRestCatalog.Resolve(options);
        }
        catch (ArgumentException ex)
        {
            errors.Add(ex.Message);
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
