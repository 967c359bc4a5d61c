using Ingestion.Events;
using Ingestion.Observability;
using Ingestion.Storage.Postgres;
using Ingestion.Storage.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion.Storage;

/// <summary>Persists the events one Unusual Whales connection read (key: connection id) to PostgreSQL and Redis.</summary>
[ImplicitStreamSubscription(StreamNames.UwEventsToStore)]
public sealed class UnusualWhalesWriterGrain(
    UnusualWhalesTables tables,
    UnusualWhalesCache cache,
    IOptions<StorageOptions> options,
    IngestionMetrics metrics,
    ILogger<UnusualWhalesWriterGrain> logger)
    : StorageWriterGrain<UwEvent>(options, metrics, logger), IUnusualWhalesWriterGrain
{
    protected override IEnumerable<(string, Func<IReadOnlyList<UwEvent>, CancellationToken, Task>)> Sinks() =>
        [("postgres", tables.WriteAsync), ("redis", cache.WriteAsync)];
}
