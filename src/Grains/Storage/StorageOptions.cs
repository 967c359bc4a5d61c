using Microsoft.Extensions.Options;

namespace Ingestion.Storage;

/// <summary>Configuration section <c>Storage</c>: how persistence grains batch and retry.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>A batch is written when it reaches this many rows…</summary>
    public int BatchSize { get; set; } = 1_000;

    /// <summary>…or when this much time has passed, whichever comes first.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most rows one write (one COPY, one Redis pipeline) carries when a writer catches up.</summary>
    public int MaxRowsPerWrite { get; set; } = 10_000;

    /// <summary>
    /// Flow control: events a producer may have published that its writer has not yet taken, plus
    /// rows the writer holds unwritten. A producer at the limit waits (its socket keeps reading into
    /// memory), so streams never hold more than this per connection.
    /// </summary>
    public int MaxInFlightPerProducer { get; set; } = 20_000;

    /// <summary>Rows a writer holds per sink while its server is failing before it raises an alert.</summary>
    public int MaxBacklog { get; set; } = 200_000;

    /// <summary>Attempts per batch before the batch waits for the next flush.</summary>
    public int RetryAttempts { get; set; } = 3;

    /// <summary>Approximate cap of each capped Redis stream (<c>MAXLEN ~</c>).</summary>
    public int RedisStreamMaxLength { get; set; } = 10_000;

    /// <summary>
    /// True: a writer stores every batch a stream delivers before it returns, so a durable stream acknowledges
    /// only rows already in PostgreSQL and Redis and a silo crash loses nothing the stream held. False: rows wait
    /// up to <see cref="FlushInterval"/> in memory (fewer, larger writes; what memory streams use, since they lose
    /// undelivered events with their silo anyway). Always true when <c>Ingestion:Streams</c> is <c>redis</c>.
    /// </summary>
    public bool AcknowledgeAfterWrite { get; set; }
}

public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var errors = new List<string>();
        if (options.BatchSize is < 1 or > 100_000) errors.Add($"{StorageOptions.Section}:BatchSize must be between 1 and 100000, got {options.BatchSize}.");
        if (options.FlushInterval < TimeSpan.FromMilliseconds(10)) errors.Add($"{StorageOptions.Section}:FlushInterval must be at least 00:00:00.010, got {options.FlushInterval}.");
        if (options.MaxRowsPerWrite is < 1 or > 100_000) errors.Add($"{StorageOptions.Section}:MaxRowsPerWrite must be between 1 and 100000, got {options.MaxRowsPerWrite}.");
        if (options.MaxInFlightPerProducer < 1) errors.Add($"{StorageOptions.Section}:MaxInFlightPerProducer must be positive, got {options.MaxInFlightPerProducer}.");
        if (options.MaxBacklog < options.BatchSize) errors.Add($"{StorageOptions.Section}:MaxBacklog must be at least BatchSize.");
        if (options.RetryAttempts is < 1 or > 20) errors.Add($"{StorageOptions.Section}:RetryAttempts must be between 1 and 20.");
        if (options.RedisStreamMaxLength < 1) errors.Add($"{StorageOptions.Section}:RedisStreamMaxLength must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
