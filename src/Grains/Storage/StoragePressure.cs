using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ingestion.Observability;
using Microsoft.Extensions.Options;

namespace Ingestion.Storage;

/// <summary>
/// How far behind the storage writers on this silo are, updated by every sink on each flush tick
/// and cheap to read: <see cref="IsBacklogged"/> is what lower-priority work (REST polling tiers)
/// checks before adding load. Also exported as gauges (<c>ingestion.sink.backlog</c>,
/// <c>ingestion.sink.spooled</c>, <c>ingestion.sink.behind_seconds</c>).
/// </summary>
public sealed class StoragePressure
{
    private readonly ConcurrentDictionary<(string Writer, string Sink), SinkPressure> _sinks = new();
    private readonly StorageOptions _options;

    public StoragePressure(IOptions<StorageOptions> options, IMeterFactory meters)
    {
        _options = options.Value;
        var meter = meters.Create(IngestionMetrics.MeterName);
        meter.CreateObservableGauge("ingestion.sink.backlog", () => Measure(p => (long)p.InMemory), unit: "{rows}",
            description: "Rows a sink holds in memory, unwritten");
        meter.CreateObservableGauge("ingestion.sink.spooled", () => Measure(p => p.Spooled), unit: "{rows}",
            description: "Rows a sink holds in its on-disk spool, unwritten");
        meter.CreateObservableGauge("ingestion.sink.behind_seconds", () => Measure(p => p.BehindSeconds), unit: "s",
            description: "Age of a sink's oldest unwritten row beyond its flush interval");
    }

    /// <summary>True while some sink on this silo is failing, spooling, or more than <see cref="StorageOptions.BehindAlert"/> behind.</summary>
    public bool IsBacklogged => _sinks.Values.Any(p => p.Failing || p.Spooled > 0 || p.BehindSeconds > _options.BehindAlert.TotalSeconds);

    /// <summary>Unwritten rows (memory and spool) across the sinks of this silo.</summary>
    public long Backlog => _sinks.Values.Sum(p => p.InMemory + p.Spooled);

    /// <summary>The largest lag of any sink on this silo, in seconds.</summary>
    public double MaxBehindSeconds => _sinks.Values.Select(p => p.BehindSeconds).DefaultIfEmpty(0).Max();

    public IReadOnlyDictionary<(string Writer, string Sink), SinkPressure> Sinks => _sinks;

    public void Report(string writer, string sink, SinkPressure pressure) => _sinks[(writer, sink)] = pressure;

    public void Forget(string writer, string sink) => _sinks.TryRemove((writer, sink), out _);

    private IEnumerable<Measurement<TValue>> Measure<TValue>(Func<SinkPressure, TValue> value) where TValue : struct =>
        _sinks.Select(kv => new Measurement<TValue>(value(kv.Value),
            new KeyValuePair<string, object?>("writer", kv.Key.Writer), new KeyValuePair<string, object?>("sink", kv.Key.Sink)));
}

/// <summary>One sink's unwritten rows and lag, as last reported, and when it last wrote.</summary>
public sealed record SinkPressure(int InMemory, long Spooled, double BehindSeconds, bool Failing, DateTimeOffset? LastWriteAt = null);
