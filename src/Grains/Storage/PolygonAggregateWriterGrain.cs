using Ingestion.Events;
using Ingestion.Observability;
using Ingestion.Storage.Postgres;
using Ingestion.Storage.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion.Storage;

/// <summary>Persists the aggregates one connection read (key: connection id) to PostgreSQL and Redis.</summary>
[ImplicitStreamSubscription(StreamNames.PolygonAggregatesToStore)]
public sealed class PolygonAggregateWriterGrain(
    PolygonAggregateTable table,
    PolygonAggregateCache cache,
    IOptions<StorageOptions> options,
    IngestionMetrics metrics,
    ILogger<PolygonAggregateWriterGrain> logger)
    : StorageWriterGrain<PolygonAggregate>(options, metrics, logger), IPolygonAggregateWriterGrain
{
    protected override IEnumerable<(string, Func<IReadOnlyList<PolygonAggregate>, CancellationToken, Task>)> Sinks() =>
        [("postgres", table.WriteAsync), ("redis", cache.WriteAsync)];
}
