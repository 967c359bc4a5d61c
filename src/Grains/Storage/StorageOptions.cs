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

    /// <summary>
    /// Rows a sink holds in memory (its backlog); beyond it rows spill to the on-disk spool under
    /// <c>{Ingestion:DataDirectory}/spool</c>. Keep it below <see cref="MaxInFlightPerProducer"/>:
    /// only the memory backlog counts against producers' credit, so during an outage producers keep
    /// reading and the surplus goes to disk instead of waiting in reader memory.
    /// </summary>
    public int MaxBacklog { get; set; } = 10_000;

    /// <summary>
    /// Events a socket reader holds in memory waiting to publish (while its writer's credit is used up); beyond it,
    /// frames spill to <c>{Ingestion:DataDirectory}/spool/readers</c> until the reader catches up, so a flood far above
    /// what storage sustains costs disk, not memory, and the socket keeps reading.
    /// </summary>
    public int MaxPendingPublishInMemory { get; set; } = 50_000;

    /// <summary>Rows per spool segment file; a drained segment is deleted once all its rows are written.</summary>
    public int SpoolSegmentRows { get; set; } = 10_000;

    /// <summary>Unwritten rows (memory and spool) of one sink past which the service reports itself down.</summary>
    public long UnhealthyBacklog { get; set; } = 1_000_000;

    /// <summary>A sink whose oldest unwritten row is this much older than its flush interval raises an alert.</summary>
    public TimeSpan BehindAlert { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest pause between write attempts to a failing destination.</summary>
    public TimeSpan MaxRetryPause { get; set; } = TimeSpan.FromSeconds(5);

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
        if (options.MaxPendingPublishInMemory < 1) errors.Add($"{StorageOptions.Section}:MaxPendingPublishInMemory must be positive, got {options.MaxPendingPublishInMemory}.");
        if (options.SpoolSegmentRows < 1) errors.Add($"{StorageOptions.Section}:SpoolSegmentRows must be positive, got {options.SpoolSegmentRows}.");
        if (options.UnhealthyBacklog < options.MaxBacklog) errors.Add($"{StorageOptions.Section}:UnhealthyBacklog must be at least MaxBacklog.");
        if (options.BehindAlert <= TimeSpan.Zero) errors.Add($"{StorageOptions.Section}:BehindAlert must be positive.");
        if (options.MaxRetryPause < options.FlushInterval) errors.Add($"{StorageOptions.Section}:MaxRetryPause must be at least FlushInterval.");
        if (options.RetryAttempts is < 1 or > 20) errors.Add($"{StorageOptions.Section}:RetryAttempts must be between 1 and 20.");
        if (options.RedisStreamMaxLength < 1) errors.Add($"{StorageOptions.Section}:RedisStreamMaxLength must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
