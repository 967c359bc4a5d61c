using System.Diagnostics;
using Ingestion.Hosting;
using Ingestion.Observability;
using Ingestion.Replay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;

namespace Ingestion.Benchmarks;

/// <summary>What one phase measured.</summary>
/// <param name="Received">Events the silo's connection read off the socket.</param>
/// <param name="Delivered">Rows the PostgreSQL sink was handed: more than <see cref="Rows"/> means duplicates reached the writer (and the key absorbed them).</param>
/// <param name="Streams">Per Redis stream: entries ever appended (XINFO entries-added, i.e. XADDs) and entries kept (XLEN, after MAXLEN ~ trimming).</param>
sealed record PhaseResult(Phase Phase, long Sent, long Received, long Rows, long Delivered, IReadOnlyList<(string Key, long Appended, long Kept)> Streams,
    double Throughput, double P50, double P95, double P99, long PeakMiB)
{
    public long Lost => Sent - Rows;

    public long Duplicates => Math.Max(0, Delivered - Rows);

    public long Appended => Streams.Sum(s => s.Appended);

    public long Kept => Streams.Sum(s => s.Kept);
}

/// <summary>
/// Runs a phase the same way whatever it feeds: a replay server, a real local silo (the production
/// <c>AddIngestion</c>) on the shared private PostgreSQL and Redis, then waits until the phase's rows stop
/// arriving and measures them: throughput (first receipt → last durable row), latency
/// (<c>ingested_at − received_at</c> per row), Redis appends, and the peak working set of this process,
/// which holds both the silo and the replay server.
/// </summary>
sealed class PhaseRunner(string directory, string postgres, string redis, NpgsqlDataSource database)
{
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    public async Task<PhaseResult> RunAsync(Phase phase)
    {
        var workload = phase.Workload;
        await using var replay = await ReplayServer.StartAsync(workload.Replay);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = postgres,
            ["ConnectionStrings:Redis"] = redis,
            ["Ingestion:SiloPort"] = Storage.PrivateServers.ServerProcess.FreeLoopbackPort().ToString(),
            ["Ingestion:GatewayPort"] = Storage.PrivateServers.ServerProcess.FreeLoopbackPort().ToString(),
            // Each phase spools (if it must) under the bench's temporary directory, never into a later phase or the repository.
            ["Ingestion:DataDirectory"] = Path.Combine(directory, "silo-" + phase.Key),
            ["Ingestion:Streams"] = phase.Streams,
            ["Streams:Redis:KeyPrefix"] = "bench:" + phase.Key,
            // Polygon's REST (the market calendar) from the replay too: a bench talks only to loopback addresses.
            ["Sources:Polygon:RestBaseUrl"] = replay.HttpRoot.ToString().TrimEnd('/'),
        };
        foreach (var (key, value) in workload.SourceSettings(replay)) settings[key] = value;

        Console.WriteLine($"Phase {phase.Key} ({phase.Label}): {workload.Description}, {phase.Streams} streams.");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        }).SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseIngestionClustering(builder.Configuration).AddIngestion(builder.Configuration));
        using var host = builder.Build();
        var status = host.Services.GetRequiredService<StatusReporter>();

        GC.Collect();
        var peak = new PeakMemory();
        await host.StartAsync();
        var rows = await WaitForRowsAsync(workload, replay, status, peak);
        var report = await WaitForWritersAsync(status, peak);
        peak.Sample();

        var window = await Scalar($"SELECT (extract(epoch FROM max(ingested_at) - min(received_at)) * 1000)::bigint FROM {workload.Table} WHERE {workload.Filter}");
        var latency = await Percentiles(workload);
        var streams = await RedisStreamsAsync(workload.RedisStreams);
        Console.WriteLine($"{DateTime.Now:HH:mm:ss.fff} Phase {phase.Key} measured; stopping its silo (what it logs from here on is shutdown).");
        var ours = report.Writers.Where(w => report.Connections.Any(c => c.Connection == w.Writer)).ToList();
        var received = report.Connections.Sum(c => c.EventsReceived);
        var delivered = ours.SelectMany(w => w.Sinks).Where(s => s.Sink == "postgres").Sum(s => s.Written);
        await host.StopAsync();
        return new PhaseResult(phase, workload.Sent(replay), received, rows, delivered, streams, rows / (window / 1000.0),
            latency.P50, latency.P95, latency.P99, peak.Max / 1024 / 1024);
    }

    /// <summary>Polls the phase's rows until all expected have landed, or none has for <see cref="StallAfter"/> (then says where they stopped).</summary>
    private async Task<long> WaitForRowsAsync(Workload workload, ReplayServer replay, StatusReporter status, PeakMemory peak)
    {
        long rows = 0;
        var lastProgress = Stopwatch.StartNew();
        var elapsed = Stopwatch.StartNew();
        var nextReport = ProgressEvery;
        do
        {
            await Task.Delay(250);
            peak.Sample();
            var now = await Scalar($"SELECT count(*) FROM {workload.Table} WHERE {workload.Filter}");
            if (now != rows) lastProgress.Restart();
            rows = now;
            if (elapsed.Elapsed >= nextReport)
            {
                nextReport += ProgressEvery;
                var report = await status.BuildAsync(CancellationToken.None);
                var sinks = report.Writers.SelectMany(w => w.Sinks).GroupBy(s => s.Sink)
                    .Select(g => $"{g.Key} written {g.Sum(s => s.Written):N0}, unwritten {g.Sum(s => s.Unwritten):N0}");
                Console.WriteLine($"{DateTime.Now:HH:mm:ss.fff} +{elapsed.Elapsed.TotalSeconds:N0} s: {rows:N0} rows; replay sent {workload.Sent(replay):N0}, connection read {report.Connections.Sum(c => c.EventsReceived):N0} " +
                    $"(waiting to publish {report.Connections.Sum(c => c.PendingPublish):N0}); {string.Join("; ", sinks)}; peak working set so far {peak.Max / 1024 / 1024:N0} MiB.");
            }
            if (lastProgress.Elapsed > StallAfter)
            {
                var report = await status.BuildAsync(CancellationToken.None);
                var received = report.Connections.Sum(c => c.EventsReceived);
                var written = report.Writers.SelectMany(w => w.Sinks).Where(k => k.Sink == "postgres").Sum(k => k.Written);
                Console.WriteLine($"STALLED: no new rows for {StallAfter.TotalSeconds:N0} s at {rows:N0} of {workload.Expected:N0}. Replay sent {workload.Sent(replay):N0}, " +
                    $"the connection read {received:N0} and published all but {report.Connections.Sum(c => c.PendingPublish):N0}; writers wrote {written:N0}, " +
                    $"pending {report.Writers.SelectMany(w => w.Sinks).Sum(k => k.Pending):N0}; errors: {string.Join("; ", report.Connections.Select(c => c.LastError).Concat(report.Writers.SelectMany(w => w.Sinks).Select(s => s.LastError)).OfType<string>().Distinct())}.");
                break;
            }
        }
        while (rows < workload.Expected);
        return rows;
    }

    /// <summary>
    /// Once PostgreSQL has the rows, waits (up to <see cref="StallAfter"/>) until no sink holds unwritten rows, so Redis,
    /// written beside PostgreSQL, is counted when it has caught up too; returns the last status.
    /// </summary>
    private static async Task<StatusReport> WaitForWritersAsync(StatusReporter status, PeakMemory peak)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var report = await status.BuildAsync(CancellationToken.None);
            peak.Sample();
            if (report.Writers.All(w => w.Sinks.All(s => s.Unwritten == 0)) || deadline.Elapsed > StallAfter) return report;
            await Task.Delay(250);
        }
    }

    private async Task<IReadOnlyList<(string, long, long)>> RedisStreamsAsync(IReadOnlyList<string> keys)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = mux.GetDatabase();
        var streams = new List<(string, long, long)>();
        foreach (var key in keys)
        {
            if (!await db.KeyExistsAsync(key))
            {
                streams.Add((key, 0, 0));
                continue;
            }
            // entries-added (Redis 7) counts every XADD the stream ever took, so MAXLEN ~ trimming does not hide appends.
            var info = (RedisResult[])(await db.ExecuteAsync("XINFO", "STREAM", key))!;
            var appended = 0L;
            for (var i = 0; i + 1 < info.Length; i += 2)
                if ((string?)info[i] == "entries-added") appended = (long)info[i + 1];
            streams.Add((key, appended, await db.StreamLengthAsync(key)));
        }
        return streams;
    }

    private async Task<long> Scalar(string sql)
    {
        await using var command = database.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L);
    }

    private async Task<(double P50, double P95, double P99)> Percentiles(Workload workload)
    {
        await using var command = database.CreateCommand($"""
            SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM ingested_at - received_at) * 1000)
            FROM {workload.Table} WHERE {workload.Filter}
            """);
        var values = (double[])(await command.ExecuteScalarAsync())!;
        return (values[0], values[1], values[2]);
    }
}

/// <summary>Peak working set of this process (silo and replay server), sampled every 250 ms, so each phase has its own peak.</summary>
sealed class PeakMemory
{
    public long Max { get; private set; }

    public void Sample()
    {
        using var process = Process.GetCurrentProcess();
        Max = Math.Max(Max, process.WorkingSet64);
    }
}
