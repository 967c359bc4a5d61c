using Microsoft.Extensions.Options;

namespace Ingestion.Calendar;

/// <summary>Configuration section <c>Calendar</c>: where the market calendar gets its holidays from.</summary>
public sealed class MarketCalendarOptions
{
    public const string Section = "Calendar";

    /// <summary>
    /// True: load Polygon's upcoming holidays when <c>Sources:Polygon:ApiKey</c> is set (the rules fill every other date).
    /// False: the built-in NYSE rules only.
    /// </summary>
    public bool UsePolygon { get; set; } = true;

    /// <summary>How often the upcoming list is fetched again after a good answer.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How soon to try again after a failed fetch (the last good answer, or the rules, stand meanwhile).</summary>
    public TimeSpan RetryAfterFailure { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Retries of one fetch on 5xx, 408, 429 and network errors; 0 = one attempt only.</summary>
    public int HttpRetries { get; set; } = 3;

    /// <summary>First back-off of those retries (exponential, with jitter); 0 = retry at once.</summary>
    public TimeSpan HttpRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Time limit of each HTTP attempt.</summary>
    public TimeSpan HttpAttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Checks <see cref="MarketCalendarOptions"/> at start-up; every message names the key to fix.</summary>
public sealed class MarketCalendarOptionsValidator : IValidateOptions<MarketCalendarOptions>
{
    public ValidateOptionsResult Validate(string? name, MarketCalendarOptions options)
    {
        const string s = MarketCalendarOptions.Section;
        var errors = new List<string>();
        if (options.RefreshInterval < TimeSpan.FromMinutes(1) || options.RefreshInterval > TimeSpan.FromDays(7))
            errors.Add($"{s}:RefreshInterval must be between 00:01:00 and 7.00:00:00, got {options.RefreshInterval}.");
        if (options.RetryAfterFailure < TimeSpan.FromSeconds(1) || options.RetryAfterFailure > options.RefreshInterval)
            errors.Add($"{s}:RetryAfterFailure must be between 00:00:01 and {s}:RefreshInterval ({options.RefreshInterval}), got {options.RetryAfterFailure}.");
        if (options.HttpRetries is < 0 or > 10)
            errors.Add($"{s}:HttpRetries must be between 0 and 10, got {options.HttpRetries}.");
        if (options.HttpRetryDelay < TimeSpan.Zero || options.HttpRetryDelay > TimeSpan.FromMinutes(1))
            errors.Add($"{s}:HttpRetryDelay must be between 00:00:00 and 00:01:00, got {options.HttpRetryDelay}.");
        if (options.HttpAttemptTimeout < TimeSpan.FromMilliseconds(100) || options.HttpAttemptTimeout > TimeSpan.FromMinutes(5))
            errors.Add($"{s}:HttpAttemptTimeout must be between 00:00:00.1 and 00:05:00, got {options.HttpAttemptTimeout}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
