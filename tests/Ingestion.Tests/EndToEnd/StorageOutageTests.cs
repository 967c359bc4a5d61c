using System.Diagnostics;
using Ingestion.Observability;
using Ingestion.Replay;
using Ingestion.Storage;
using Ingestion.Storage.Redis;
using Ingestion.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Ingestion.Tests.EndToEnd;

/// <summary>
/// Storage outages under a steady replay load (issue 4): each test stops a PostgreSQL or Redis of
/// its own, then starts it again, and counts what the replay server sent against what landed.
/// One class per test so the long outages run side by side.
/// </summary>
internal static class Outage
{
    public const string Writer = "polygon/stocks/0";

    public static Task<WriterStatus> WriterAsync(InProcessTestCluster cluster) =>
        cluster.Client.GetGrain<IPolygonAggregateWriterGrain>(Writer).GetStatusAsync();

    public static SinkStatus Sink(this WriterStatus status, string sink) => status.Sinks.Single(s => s.Sink == sink);

    public static Task<StatusReport> ReportAsync(InProcessTestCluster cluster) =>
        cluster.Silos[0].ServiceProvider.GetRequiredService<StatusReporter>().BuildAsync(CancellationToken.None);

    public static async Task AssertEverythingLandedOnceAsync(OutageServers servers, ReplayServer replay, string[] symbols, int perSymbol, TimeSpan timeout)
    {
        var total = symbols.Length * perSymbol;
        var symbolList = string.Join(",", symbols.Select(s => $"'{s}'"));
        await Eventually.TrueAsync(() => replay.Stats.EventsSent("stocks") == total, $"the replay to send all {total} bars", timeout);
        await Eventually.MatchesAsync(() => servers.ScalarAsync($"SELECT count(*) FROM polygon_aggregates WHERE symbol IN ({symbolList})"),
            n => n == total, $"{total} rows in PostgreSQL", timeout);
        Assert.Equal(total, await servers.ScalarAsync($"SELECT count(DISTINCT (symbol, timespan, start_ts)) FROM polygon_aggregates WHERE symbol IN ({symbolList})"));
        var redis = servers.Cache.GetDatabase();
        foreach (var symbol in symbols)
        {
            Assert.Equal(perSymbol, replay.Stats.EventsSent("stocks", symbol));
            await Eventually.MatchesAsync(async () => await redis.StreamLengthAsync(PolygonAggregateCache.StreamKey(symbol)), n => n == perSymbol,
                $"{perSymbol} Redis stream entries of {symbol}", timeout);
        }
    }
}

public sealed class PostgresOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Postgres_stopped_for_60_s_under_load_spools_then_drains_every_event_exactly_once()
    {
        const int perSymbol = 750; // 4 symbols × 10 bars/s: 75 s of replay, the outage in the middle
        string[] symbols = ["PGO0", "PGO1", "PGO2", "PGO3"];
        await using var servers = await OutageServers.StartAsync();
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 10, MaxEventsPerSymbol = perSymbol });
        var settings = IngestionCluster.PolygonSettings(servers.SiloSettings(), replay.PolygonWebSocketRoot, stocks: symbols);
        settings["Storage:MaxBacklog"] = "500";
        settings["Storage:BatchSize"] = "200";
        await using var cluster = await IngestionCluster.StartAsync(settings);
        await Eventually.MatchesAsync(() => servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates"), n => n > 0, "first rows");

        await servers.Postgres.StopAsync();
        var outage = Stopwatch.StartNew();

        var during = await Eventually.MatchesAsync(() => Outage.WriterAsync(cluster),
            s => s.Sink("postgres").LastError is not null && s.Sink("postgres").Spooled > 0 && s.Sink("postgres").BehindSeconds > 2,
            "the PostgreSQL sink to fail, spool and fall behind", TimeSpan.FromSeconds(40));
        var report = await Outage.ReportAsync(cluster);
        Assert.Equal(StatusReport.Degraded, report.Status);
        Assert.Contains(report.Problems, p => p.StartsWith($"{Outage.Writer} → postgres:", StringComparison.Ordinal));
        Assert.True(cluster.Silos[0].ServiceProvider.GetRequiredService<StoragePressure>().IsBacklogged);
        Assert.Null(during.Sink("redis").LastError);
        Assert.True(during.Sink("postgres").Pending <= 500, $"memory backlog bounded by MaxBacklog, was {during.Sink("postgres").Pending}");
        Assert.NotEmpty(servers.SpoolFiles());

        await Task.Delay(TimeSpan.FromSeconds(60) - outage.Elapsed); // the outage itself, not a wait for a condition
        var stopped = await Outage.WriterAsync(cluster);
        await servers.Postgres.RestartAsync();
        var restarted = Stopwatch.StartNew();
        await Eventually.MatchesAsync(() => Outage.WriterAsync(cluster),
            s => s.Sink("postgres") is { LastError: null, Spooled: 0 } && s.Sink("postgres").BehindSeconds < 2,
            "the PostgreSQL sink to drain its spool", TimeSpan.FromSeconds(60));
        var recovery = restarted.Elapsed;

        await Outage.AssertEverythingLandedOnceAsync(servers, replay, symbols, perSymbol, TimeSpan.FromSeconds(60));
        Assert.Empty(servers.SpoolFiles());
        Assert.DoesNotContain((await Outage.ReportAsync(cluster)).Problems, p => p.Contains(" → ", StringComparison.Ordinal));
        output.WriteLine($"sent {replay.Stats.EventsSent("stocks")}, rows {await servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates")}; " +
            $"at restart: {stopped.Sink("postgres").Pending} in memory, {stopped.Sink("postgres").Spooled} spooled, {stopped.Sink("postgres").BehindSeconds:0.0} s behind; " +
            $"spool drained {recovery.TotalSeconds:0.0} s after restart");
    }
}

public sealed class RedisOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Redis_stopped_for_30_s_under_load_leaves_postgres_writing_and_fills_redis_afterwards()
    {
        const int perSymbol = 500; // 4 symbols × 10 bars/s: 50 s of replay
        string[] symbols = ["RDO0", "RDO1", "RDO2", "RDO3"];
        await using var servers = await OutageServers.StartAsync();
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 10, MaxEventsPerSymbol = perSymbol });
        var settings = IngestionCluster.PolygonSettings(servers.SiloSettings(), replay.PolygonWebSocketRoot, stocks: symbols);
        settings["Storage:MaxBacklog"] = "500";
        settings["Storage:BatchSize"] = "200";
        await using var cluster = await IngestionCluster.StartAsync(settings);
        await Eventually.MatchesAsync(() => servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates"), n => n > 0, "first rows");

        await servers.Redis.StopAsync();
        var outage = Stopwatch.StartNew();

        await Eventually.MatchesAsync(() => Outage.WriterAsync(cluster), s => s.Sink("redis").LastError is not null,
            "the Redis sink to fail", TimeSpan.FromSeconds(25));
        var rowsWhileDown = await servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates");
        // PostgreSQL keeps up while Redis is down: 40 bars/s keep landing.
        await Eventually.MatchesAsync(() => servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates"), n => n >= rowsWhileDown + 100,
            "100 more PostgreSQL rows while Redis is down", TimeSpan.FromSeconds(15));
        var during = await Outage.WriterAsync(cluster);
        Assert.Null(during.Sink("postgres").LastError);
        Assert.True(during.Sink("redis").Unwritten > 0);
        var report = await Outage.ReportAsync(cluster);
        Assert.Equal(StatusReport.Degraded, report.Status);
        Assert.False(report.Redis.Reachable);
        Assert.Contains(report.Problems, p => p.StartsWith($"{Outage.Writer} → redis:", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Problems, p => p.StartsWith($"{Outage.Writer} → postgres:", StringComparison.Ordinal));

        await Task.Delay(TimeSpan.FromSeconds(30) - outage.Elapsed); // the outage itself, not a wait for a condition
        var stopped = await Outage.WriterAsync(cluster);
        await servers.Redis.RestartAsync();
        var restarted = Stopwatch.StartNew();
        await Eventually.MatchesAsync(() => Outage.WriterAsync(cluster), s => s.Sink("redis") is { LastError: null, Spooled: 0 } && s.Sink("redis").BehindSeconds < 2,
            "the Redis sink to catch up", TimeSpan.FromSeconds(60));
        var recovery = restarted.Elapsed;

        await Outage.AssertEverythingLandedOnceAsync(servers, replay, symbols, perSymbol, TimeSpan.FromSeconds(60));
        Assert.Empty(servers.SpoolFiles());
        output.WriteLine($"sent {replay.Stats.EventsSent("stocks")}; at restart: redis {stopped.Sink("redis").Pending} in memory, " +
            $"{stopped.Sink("redis").Spooled} spooled, {stopped.Sink("redis").BehindSeconds:0.0} s behind; postgres {stopped.Sink("postgres").BehindSeconds:0.0} s behind; " +
            $"caught up {recovery.TotalSeconds:0.0} s after restart");
    }
}

public sealed class TinyBacklogOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task With_a_tiny_memory_backlog_an_outage_spills_to_spool_segments_and_everything_lands_afterwards()
    {
        const int perSymbol = 400; // 2 symbols × 20 bars/s: 20 s of replay
        string[] symbols = ["TINY0", "TINY1"];
        await using var servers = await OutageServers.StartAsync();
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 20, MaxEventsPerSymbol = perSymbol });
        var settings = IngestionCluster.PolygonSettings(servers.SiloSettings(), replay.PolygonWebSocketRoot, stocks: symbols);
        settings["Storage:MaxBacklog"] = "100";
        settings["Storage:BatchSize"] = "100";
        settings["Storage:SpoolSegmentRows"] = "50";
        await using var cluster = await IngestionCluster.StartAsync(settings);
        await Eventually.MatchesAsync(() => servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates"), n => n > 0, "first rows");

        await servers.Postgres.StopAsync();
        var during = await Eventually.MatchesAsync(() => Outage.WriterAsync(cluster), s => s.Sink("postgres").Spooled >= 200,
            "200 rows spooled", TimeSpan.FromSeconds(30));
        var spool = Path.Combine(servers.DataDirectory, "spool", "polygon_stocks_0", "postgres");
        var segments = servers.SpoolFiles().Where(f => f.StartsWith(spool + Path.DirectorySeparatorChar, StringComparison.Ordinal)).ToArray();
        Assert.True(segments.Length >= 4, $"rows spread over 50-row segments under {spool}, found {segments.Length}");
        Assert.True(during.Sink("postgres").Pending <= 100, $"memory backlog bounded by MaxBacklog, was {during.Sink("postgres").Pending}");

        await servers.Postgres.RestartAsync();
        await Outage.AssertEverythingLandedOnceAsync(servers, replay, symbols, perSymbol, TimeSpan.FromSeconds(60));
        await Eventually.MatchesAsync(() => Outage.WriterAsync(cluster), s => s.Sink("postgres") is { Pending: 0, Spooled: 0 }, "an empty spool");
        Assert.Empty(servers.SpoolFiles());
        output.WriteLine($"sent {replay.Stats.EventsSent("stocks")}; {segments.Length} segments, {during.Sink("postgres").Spooled} rows spooled at the check");
    }
}
