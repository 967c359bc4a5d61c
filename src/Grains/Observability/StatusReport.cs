using System.Diagnostics;
using Ingestion.Connections;
using Ingestion.Hosting;
using Ingestion.Instruments;
using Ingestion.Sources.Polygon;
using Ingestion.Sources.UnusualWhales.Rest;
using Ingestion.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Ingestion.Observability;

/// <summary>Whether a server the silo depends on answers, and how fast.</summary>
public sealed record DependencyStatus(bool Reachable, double? LatencyMs, string? Error);

/// <summary>The health document served at <c>/api/status</c> and drawn by the dashboard.</summary>
public sealed record StatusReport(
    string Status,
    DateTimeOffset At,
    string Profile,
    IReadOnlyList<string> Problems,
    DependencyStatus Postgres,
    DependencyStatus Redis,
    IReadOnlyList<ConnectionStatus> Connections,
    IReadOnlyList<WriterStatus> Writers,
    IReadOnlyList<TickerSnapshot> Tickers,
    IReadOnlyList<ContractSnapshot> Contracts)
{
    public const string Ok = "ok";
    public const string Degraded = "degraded";
    public const string Down = "down";

    /// <summary>Unusual Whales REST polling: limiter state and failing jobs; null when it is off.</summary>
    public UwRestStatusSection? UnusualWhalesRest { get; init; }
}

/// <summary>
/// Builds a <see cref="StatusReport"/> by asking every connection and writer grain, wherever it
/// lives in the cluster, and pinging PostgreSQL and Redis.
/// </summary>
public sealed class StatusReporter(
    ConnectionCatalog catalog,
    IGrainFactory grains,
    NpgsqlDataSource database,
    IConnectionMultiplexer redis,
    IOptions<IngestionOptions> ingestion,
    IOptions<PolygonOptions> polygon,
    IOptions<StorageOptions> storage,
    UwRestStatusReporter uwRest,
    TimeProvider time)
{
    private const int MaxContractsShown = 50;

    public async Task<StatusReport> BuildAsync(CancellationToken cancellationToken)
    {
        var postgres = PingPostgresAsync(cancellationToken);
        var unusualWhalesRest = uwRest.BuildAsync(cancellationToken);
        var cache = PingRedisAsync();
        var connections = Task.WhenAll(catalog.Entries.Select(e => e.Reader(grains).GetStatusAsync().AnswerOrNullAsync(cancellationToken)));
        var writers = Task.WhenAll(catalog.Entries.Select(e => e.Writer(grains).GetStatusAsync().AnswerOrNullAsync(cancellationToken))
            .Concat(catalog.Sources.Select(s => grains.GetGrain<IQuarantineWriterGrain>(s).GetStatusAsync().AnswerOrNullAsync(cancellationToken))));
        var tickers = Task.WhenAll(polygon.Value.Stocks.Concat(polygon.Value.Indices)
            .Select(s => grains.GetGrain<ITickerGrain>(s).GetSnapshotAsync().AnswerOrNullAsync(cancellationToken)));
        var contracts = Task.WhenAll(polygon.Value.OptionContracts.Take(MaxContractsShown)
            .Select(c => grains.GetGrain<IContractGrain>(c).GetSnapshotAsync().AnswerOrNullAsync(cancellationToken)));

        var report = new StatusReport(StatusReport.Ok, time.GetUtcNow(), ingestion.Value.Profile, [],
            await postgres, await cache,
            [.. (await connections).OfType<ConnectionStatus>()],
            [.. (await writers).OfType<WriterStatus>()],
            [.. (await tickers).OfType<TickerSnapshot>()],
            [.. (await contracts).OfType<ContractSnapshot>()]);
        var problems = Problems(report, catalog.Entries.Count).ToList();
        // A storage server being down is degraded, not down: writers keep every row in memory and
        // on disk. Down is when that backlog passes Storage:UnhealthyBacklog, or no feed streams.
        var status = report.Writers.Any(w => w.Sinks.Any(s => s.Unwritten > storage.Value.UnhealthyBacklog))
            || (report.Connections.Count > 0 && report.Connections.All(c => !IsHealthy(c.State)))
            ? StatusReport.Down
            : problems.Count > 0 ? StatusReport.Degraded : StatusReport.Ok;
        return report with { Status = status, Problems = problems, UnusualWhalesRest = await unusualWhalesRest };
    }

    private IEnumerable<string> Problems(StatusReport report, int expectedConnections)
    {
        if (!report.Postgres.Reachable) yield return $"PostgreSQL unreachable: {report.Postgres.Error}";
        if (!report.Redis.Reachable) yield return $"Redis unreachable: {report.Redis.Error}";
        if (report.Connections.Count < expectedConnections) yield return $"{expectedConnections - report.Connections.Count} connections did not answer";
        foreach (var c in report.Connections.Where(c => !IsHealthy(c.State)))
        {
            yield return $"{c.Connection} is {c.State} after {c.ConsecutiveFailures} failures: {c.LastError}";
        }
        foreach (var c in report.Connections.Where(c => c.PendingOnDisk > 0))
        {
            yield return $"{c.Connection} is behind: {c.PendingPublish} events waiting to publish, {c.PendingOnDisk} of them spilled to disk";
        }
        foreach (var w in report.Writers)
        {
            foreach (var s in w.Sinks.Where(s => s.LastError is not null || s.Spooled > 0 || s.BehindSeconds > storage.Value.BehindAlert.TotalSeconds))
            {
                var backlog = s.Unwritten > storage.Value.UnhealthyBacklog ? $" (over the unhealthy backlog of {storage.Value.UnhealthyBacklog})" : "";
                yield return $"{w.Writer} → {s.Sink}: {s.BehindSeconds:0.0} s behind, {s.Pending} rows in memory, {s.Spooled} spooled{backlog}, last error: {s.LastError ?? "none"}";
            }
        }
    }

    private static bool IsHealthy(ConnectionState state) => state is ConnectionState.Streaming or ConnectionState.MarketClosed;

    private async Task<DependencyStatus> PingPostgresAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var command = database.CreateCommand("SELECT 1");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StatusCalls.Timeout);
            await command.ExecuteScalarAsync(timeout.Token);
            return new DependencyStatus(true, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return new DependencyStatus(false, null, ex.Message);
        }
    }

    private async Task<DependencyStatus> PingRedisAsync()
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(StatusCalls.Timeout);
            return new DependencyStatus(true, latency.TotalMilliseconds, null);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new DependencyStatus(false, null, ex.Message);
        }
    }
}
