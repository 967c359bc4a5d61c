using Ingestion.Events;
using Ingestion.Observability;
using Ingestion.Storage.Postgres;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion.Storage;

/// <summary>Persists refused input of one source (key: source) to the <c>quarantine</c> table.</summary>
[ImplicitStreamSubscription(StreamNames.Quarantine)]
public sealed class QuarantineWriterGrain(
    QuarantineTable table,
    IOptions<StorageOptions> options,
    IngestionMetrics metrics,
    ILogger<QuarantineWriterGrain> logger)
    : StorageWriterGrain<QuarantinedFrame>(options, metrics, logger), IQuarantineWriterGrain
{
    protected override IEnumerable<(string, Func<IReadOnlyList<QuarantinedFrame>, CancellationToken, Task>)> Sinks() =>
        [("postgres", table.WriteAsync)];
}
