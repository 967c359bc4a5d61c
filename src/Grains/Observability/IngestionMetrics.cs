using System.Diagnostics.Metrics;

namespace Ingestion.Observability;

/// <summary>
/// Every counter and histogram the ingestion path reports (meter <c>Ingestion</c>). Hot paths count;
/// they never log per message.
/// </summary>
public sealed class IngestionMetrics
{
    public const string MeterName = "Ingestion";

    public IngestionMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        EventsReceived = meter.CreateCounter<long>("ingestion.events.received", description: "Events parsed off feed sockets");
        FramesQuarantined = meter.CreateCounter<long>("ingestion.quarantined", description: "Frames or events refused into quarantine");
        Reconnects = meter.CreateCounter<long>("ingestion.connection.reconnects");
        ConnectionFailures = meter.CreateCounter<long>("ingestion.connection.failures");
        ConnectionAlerts = meter.CreateCounter<long>("ingestion.connection.alerts", description: "Connections past their consecutive-failure threshold");
        SchemaDrift = meter.CreateCounter<long>("ingestion.schema_drift", description: "Events carrying a field the parser does not know, per channel and field");
        JoinsRefused = meter.CreateCounter<long>("ingestion.connection.joins_refused", description: "Channel joins the server did not acknowledge");
        EventsFiltered = meter.CreateCounter<long>("ingestion.events.filtered", description: "Events dropped on purpose (full tape outside the watchlist)");
        RowsWritten = meter.CreateCounter<long>("ingestion.sink.rows_written");
        WriteFailures = meter.CreateCounter<long>("ingestion.sink.write_failures");
        SinkAlerts = meter.CreateCounter<long>("ingestion.sink.alerts", description: "Sinks falling more than Storage:BehindAlert behind, or past Storage:UnhealthyBacklog");
        RowsSpooled = meter.CreateCounter<long>("ingestion.sink.rows_spooled", description: "Rows spilled to the on-disk spool");
        BatchSize = meter.CreateHistogram<int>("ingestion.sink.batch_size", unit: "{rows}");
        WriteLatency = meter.CreateHistogram<double>("ingestion.sink.write_duration", unit: "ms");
    }

    public Counter<long> EventsReceived { get; }
    public Counter<long> FramesQuarantined { get; }
    public Counter<long> Reconnects { get; }
    public Counter<long> ConnectionFailures { get; }
    public Counter<long> ConnectionAlerts { get; }
    public Counter<long> SchemaDrift { get; }
    public Counter<long> JoinsRefused { get; }
    public Counter<long> EventsFiltered { get; }
    public Counter<long> RowsWritten { get; }
    public Counter<long> WriteFailures { get; }
    public Counter<long> SinkAlerts { get; }
    public Counter<long> RowsSpooled { get; }
    public Histogram<int> BatchSize { get; }
    public Histogram<double> WriteLatency { get; }
}
