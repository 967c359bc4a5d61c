using System.Diagnostics.Metrics;
using Ingestion.Observability;

namespace Ingestion.Sources.UnusualWhales.Rest;

/// <summary>Counters of the UW REST jobs and follow-ups, on the shared <c>Ingestion</c> meter.</summary>
public sealed class UwRestMetrics
{
    public UwRestMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(IngestionMetrics.MeterName);
        UwRestRequests = meter.CreateCounter<long>("ingestion.uw_rest.requests", description: "UW REST requests sent, retries included");
        UwRestFailures = meter.CreateCounter<long>("ingestion.uw_rest.failures", description: "UW REST turns that failed after their retries");
        UwRestDeferred = meter.CreateCounter<long>("ingestion.uw_rest.deferred", description: "UW REST turns that got no token in time");
    }

    public Counter<long> UwRestRequests { get; }
    public Counter<long> UwRestFailures { get; }
    public Counter<long> UwRestDeferred { get; }
}
