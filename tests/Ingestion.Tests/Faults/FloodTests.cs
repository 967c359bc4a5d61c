using Ingestion.Connections;
using Ingestion.Events;
using Ingestion.Observability;
using Ingestion.Replay;
using Ingestion.Sources.Feeds;
using Ingestion.Storage.Redis;
using Ingestion.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Ingestion.Tests.Faults;

/// <summary>
/// Fault 6 of issue 4: a flood far above what storage sustains. The storage path is throttled on purpose (a tiny
/// in-flight credit and writes only on a 1 s timer: about 2,000 events/s), the replay sends 40,000 bars as fast as
/// it can, and the reader must keep its memory to its limit, spill the rest to disk, show it, and lose nothing.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class FloodTests(ServersFixture servers, ITestOutputHelper output)
{
    [Fact]
    public async Task A_flood_far_above_the_write_rate_spills_to_disk_shows_the_backlog_and_drains_every_event_once()
    {
        const int perSymbol = 10_000;
        const int memoryLimit = 3_000;
        const int eventsPerFrame = 200;
        string[] symbols = ["FLD0", "FLD1", "FLD2", "FLD3"];
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = perSymbol, MaxEventsPerFrame = eventsPerFrame });
        var settings = IngestionCluster.PolygonSettings(servers, replay.PolygonWebSocketRoot, stocks: symbols);
        settings["Storage:MaxInFlightPerProducer"] = "100";
        settings["Storage:BatchSize"] = "5000";
        settings["Storage:MaxBacklog"] = "5000";
        settings["Storage:FlushInterval"] = "00:00:01";
        settings["Storage:MaxPendingPublishInMemory"] = memoryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var dataDirectory = settings["Ingestion:DataDirectory"]!;
        await using var cluster = await IngestionCluster.StartAsync(settings);
        var reader = cluster.Client.GetGrain<IPolygonSocketReaderGrain>("polygon/stocks/0");
        var reporter = cluster.Silos[0].ServiceProvider.GetRequiredService<StatusReporter>();

        // Watch the reader all through the flood: memory never above its limit (plus the frame being added).
        var peakInMemory = 0L;
        var peakOnDisk = 0L;
        string? problemSeen = null;
        var total = symbols.Length * perSymbol;
        await Eventually.MatchesAsync(async () =>
        {
            var status = await reader.GetStatusAsync();
            peakInMemory = Math.Max(peakInMemory, status.PendingPublish - status.PendingOnDisk);
            peakOnDisk = Math.Max(peakOnDisk, status.PendingOnDisk);
            if (problemSeen is null && status.PendingOnDisk > 0)
            {
                problemSeen = (await reporter.BuildAsync(CancellationToken.None)).Problems.FirstOrDefault(p => p.StartsWith("polygon/stocks/0 is behind", StringComparison.Ordinal));
            }
            return status.EventsReceived == total;
        }, read => read, "the reader to read the whole flood", TimeSpan.FromSeconds(60));
        Assert.Equal(total, replay.Stats.EventsSent("stocks"));
        Assert.True(peakOnDisk > 0, $"the flood outran storage and spilled to disk (peak in memory {peakInMemory})");
        // In memory: the queue (its limit), the batch the pump holds while it waits for credit, and frames the spill task
        // has not written yet (a few frames on a quiet machine, seen at 10 with the whole suite running: allow twice the limit).
        var bound = memoryLimit + SocketReaderGrain<PolygonAggregate>.MaxEventsPerPublish + 2 * memoryLimit;
        Assert.True(peakInMemory <= bound, $"memory bounded by MaxPendingPublishInMemory: peak {peakInMemory}, bound {bound}");
        Assert.True(peakOnDisk >= total / 2, $"most of the flood waited on disk, not in memory: peak on disk {peakOnDisk}");
        Assert.NotNull(problemSeen);

        var symbolList = string.Join(",", symbols.Select(s => $"'{s}'"));
        var drain = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.MatchesAsync(() => servers.ScalarAsync($"SELECT count(*) FROM polygon_aggregates WHERE symbol IN ({symbolList})"),
            n => n == total, $"{total} rows", TimeSpan.FromSeconds(120));
        Assert.Equal(total, await servers.ScalarAsync($"SELECT count(DISTINCT (symbol, timespan, start_ts)) FROM polygon_aggregates WHERE symbol IN ({symbolList})"));
        var redis = servers.Cache.GetDatabase();
        foreach (var symbol in symbols)
        {
            await Eventually.MatchesAsync(async () => await redis.StreamLengthAsync(PolygonAggregateCache.StreamKey(symbol)), n => n == perSymbol, $"Redis entries of {symbol}");
        }
        var drained = await Eventually.MatchesAsync(reader.GetStatusAsync, s => s.PendingPublish == 0, "the reader's backlog to drain");
        Assert.Equal(0, drained.PendingOnDisk);
        output.WriteLine($"sent {total}, rows {total} (all distinct), Redis entries {perSymbol} per symbol; reader peak {peakInMemory} in memory " +
            $"(limit {memoryLimit}) and {peakOnDisk} on disk; drained {drain.Elapsed.TotalSeconds:0.0} s after the last frame was read; status said: {problemSeen}");
        var spool = Path.Combine(SocketReaderGrain<PolygonAggregate>.ReaderSpoolDirectory(dataDirectory), "polygon_stocks_0");
        Assert.Empty(Directory.GetFiles(spool, "*.ndjson", SearchOption.AllDirectories));
        Assert.DoesNotContain((await reporter.BuildAsync(CancellationToken.None)).Problems, p => p.Contains(" is behind", StringComparison.Ordinal));
    }
}
