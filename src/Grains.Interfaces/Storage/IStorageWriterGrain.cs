using Orleans.Concurrency;

namespace Ingestion.Storage;

/// <summary>
/// A persistence grain: receives event batches from a stream and writes them to PostgreSQL and
/// Redis in batches. Key: the stream key it consumes (a connection id, or a source for quarantine).
/// </summary>
public interface IStorageWriterGrain : IGrainWithStringKey
{
    /// <summary>Writes everything buffered now, and reports what is still pending.</summary>
    Task<WriterStatus> FlushAsync();

    /// <summary>Rows waiting, rows written and the last failure, per sink.</summary>
    [AlwaysInterleave]
    Task<WriterStatus> GetStatusAsync();

    /// <summary>
    /// How much of one producer's output this writer has taken in, and how many rows it still holds
    /// unwritten: the producer's credit for flow control. Answers between stream deliveries.
    /// </summary>
    [AlwaysInterleave]
    Task<WriterProgress> GetProgressAsync(Guid producer);

    /// <summary>True once the last batch of <paramref name="producer"/> (a stopping producer) has arrived.</summary>
    [AlwaysInterleave]
    Task<bool> HasDrainedAsync(Guid producer);
}

/// <summary>
/// One sink's progress inside a writer: <see cref="Pending"/> rows in memory, <see cref="Spooled"/>
/// rows in its on-disk spool, and <see cref="BehindSeconds"/>, how much older than its flush interval
/// its oldest unwritten row is (0 when keeping up).
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.sink-status")]
public sealed record SinkStatus(
    [property: Id(0)] string Sink,
    [property: Id(1)] int Pending,
    [property: Id(2)] long Written,
    [property: Id(3)] long Failures,
    [property: Id(4)] string? LastError,
    [property: Id(5)] DateTimeOffset? LastWriteAt,
    [property: Id(6)] long Spooled = 0,
    [property: Id(7)] double BehindSeconds = 0)
{
    /// <summary>Every row not yet written, in memory and on disk.</summary>
    public long Unwritten => Pending + Spooled;
}

/// <summary>A writer's status: its sinks (PostgreSQL, Redis).</summary>
[GenerateSerializer, Immutable, Alias("ingestion.writer-status")]
public sealed record WriterStatus(
    [property: Id(0)] string Writer,
    [property: Id(1)] IReadOnlyList<SinkStatus> Sinks);

/// <summary>
/// <see cref="Taken"/>: events of one producer handed to the sinks so far; <see cref="Unwritten"/>:
/// rows the slowest sink still holds in memory, from every producer (spooled rows are on disk and
/// do not hold producers back).
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.writer-progress")]
public sealed record WriterProgress(
    [property: Id(0)] long Taken,
    [property: Id(1)] int Unwritten);

/// <summary>Writes Polygon aggregates to <c>polygon_aggregates</c> and Redis; key = connection id.</summary>
public interface IPolygonAggregateWriterGrain : IStorageWriterGrain;

/// <summary>Writes refused input to the <c>quarantine</c> table; key = source.</summary>
public interface IQuarantineWriterGrain : IStorageWriterGrain;

/// <summary>Writes Unusual Whales events to the <c>uw_*</c> tables and Redis; key = connection id.</summary>
public interface IUnusualWhalesWriterGrain : IStorageWriterGrain;
