using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ingestion.Streaming.RedisStreams;

/// <summary>
/// Options of one Redis-Streams-backed Orleans stream provider (named options, one set per provider name).
/// Silos and clients of one service must agree on <see cref="QueueCount"/> and <see cref="KeyPrefix"/>.
/// </summary>
public sealed class RedisQueueStreamOptions
{
    public const string Section = "Streams:Redis";

    /// <summary>StackExchange.Redis connection string; used when <see cref="ConfigurationOptions"/> is not set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Full client configuration; wins over <see cref="ConnectionString"/>.</summary>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>Queues (Redis stream keys) per provider; the unit of balancing across silos.</summary>
    public int QueueCount { get; set; } = 8;

    /// <summary>Most entries one <c>XREADGROUP</c> or <c>XAUTOCLAIM</c> returns (the pulling agent may ask for fewer).</summary>
    public int ReadCount { get; set; } = 256;

    /// <summary>
    /// Safety cap per queue, applied as <c>XADD … MAXLEN ~</c>: if consumers fall this far behind, the oldest entries
    /// are dropped even if unacknowledged. Null means unbounded (then only acknowledgement trims).
    /// </summary>
    public long? MaxStreamLength { get; set; } = 1_000_000;

    /// <summary>
    /// How long an entry must have been pending (read, not acknowledged) before a receiver takes it over from another
    /// consumer or delivers it again after a failed delivery. At queue start-up everything pending is taken at once.
    /// </summary>
    public TimeSpan ClaimIdleTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Key prefix; the full key is <c>{KeyPrefix}:{provider}:{serviceId}:q{n}</c>.</summary>
    public string KeyPrefix { get; set; } = "orleans:streams";

    /// <summary>How often each pulling agent polls its queue (the pulling agent's <c>GetQueueMsgsTimerPeriod</c>).</summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Batches held per queue by the pulling agent's cache until every consumer has them.</summary>
    public int CacheSize { get; set; } = 4096;
}

public sealed class RedisQueueStreamOptionsValidator(string name) : IValidateOptions<RedisQueueStreamOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, RedisQueueStreamOptions options)
    {
        if (optionsName != name)
        {
            return ValidateOptionsResult.Skip;
        }
        var errors = new List<string>();
        if (options.ConfigurationOptions is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add($"Redis queue streams '{name}': set ConnectionString or ConfigurationOptions.");
        }
        if (options.QueueCount < 1) errors.Add($"Redis queue streams '{name}': QueueCount must be at least 1, got {options.QueueCount}.");
        if (options.ReadCount < 1) errors.Add($"Redis queue streams '{name}': ReadCount must be at least 1, got {options.ReadCount}.");
        if (options.MaxStreamLength is < 1) errors.Add($"Redis queue streams '{name}': MaxStreamLength must be positive or null.");
        if (options.ClaimIdleTime < TimeSpan.FromMilliseconds(100)) errors.Add($"Redis queue streams '{name}': ClaimIdleTime must be at least 100 ms.");
        if (options.PollPeriod <= TimeSpan.Zero) errors.Add($"Redis queue streams '{name}': PollPeriod must be positive.");
        if (options.CacheSize < 10) errors.Add($"Redis queue streams '{name}': CacheSize must be at least 10.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
