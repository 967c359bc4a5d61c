using System.Diagnostics;
using Ingestion.Connections;
using Ingestion.Replay;
using Ingestion.Storage.Redis;
using Ingestion.Tests.Infrastructure;
using Npgsql;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Ingestion.Tests.Faults;

/// <summary>
/// Faults where a crash matters, or where the cluster's own Redis (membership, reminders, stream queues) fails, on
/// three real silo processes clustered through Redis (the <c>make cluster</c> topology) under a steady replay load; each kill waits until the cluster has caught up with the replay, so it
/// lands on a silo in steady state. Each test ends by counting: every bar the replay server sent is a row in
/// PostgreSQL and an entry in the Redis stream, once, except bars written to a killed silo's socket that it had not
/// yet published (see <see cref="InFlightBarsAtKill"/>); and no stream queue is left with unacknowledged entries,
/// so the queues a dead silo owned moved and drained.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ClusterFaultTests(ServersFixture servers, ITestOutputHelper output)
{
    private const string StocksConnection = "polygon/stocks/0";

    /// <summary>Where the cluster under test stores: the shared servers, unless a test brings servers of its own to stop.</summary>
    private OutageServers? _ownServers;
    private NpgsqlDataSource Database => _ownServers?.Database ?? servers.Database;
    private ConnectionMultiplexer Cache => _ownServers?.Cache ?? servers.Cache;

    [Fact]
    public async Task Kill_9_of_the_silo_that_owns_a_busy_connection_resumes_it_on_a_survivor_within_15_s_and_loses_nothing_the_cluster_accepted()
    {
        string[] symbols = ["KILLA", "KILLB"];
        const int bars = 1000;
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 20, MaxEventsPerSymbol = bars });
        await using var cluster = await SiloProcessCluster.StartAsync(Settings(replay, symbols));
        await Eventually.MatchesAsync(() => RowsAsync(symbols[0]), n => n >= 50, "50 KILLA rows before the kill", TimeSpan.FromSeconds(60));
        await WaitUntilCaughtUpAsync(replay, symbols, kills: null);

        var before = await StatusAsync(cluster);
        var doomed = cluster.Hosting(before!.Silo);
        var clock = Stopwatch.StartNew();
        doomed.Kill();
        var kills = KillPoints(replay, symbols);
        output.WriteLine($"killed silo{doomed.Index} with {await RowsAsync(symbols[0])} {symbols[0]} rows landed and {replay.Stats.EventsSent("stocks", symbols[0])} sent");
        var after = await Eventually.MatchesAsync(() => StatusAsync(cluster),
            s => s is { State: ConnectionState.Streaming } && s.Silo != before.Silo,
            "the connection to stream again from a surviving silo", TimeSpan.FromSeconds(30));
        var recovery = clock.Elapsed;
        output.WriteLine($"silo{doomed.Index} killed; {StocksConnection} streaming again on {after!.Silo} after {recovery.TotalSeconds:0.0} s");
        Assert.True(recovery <= TimeSpan.FromSeconds(15), $"the connection took {recovery.TotalSeconds:0.0} s to resume (limit 15 s)");
        Assert.NotEqual(doomed, cluster.Hosting(after.Silo));
        Assert.True(replay.Stats.AuthSuccesses("stocks") >= 2, "the survivor authenticated a new socket");

        await AssertEverySentBarLandedOnceAsync(replay, symbols, bars, cluster, kills);
    }

    [Fact]
    public async Task Kill_9_of_two_of_three_silos_in_turn_then_restarting_them_loses_nothing_the_cluster_accepted()
    {
        string[] symbols = ["TWOA", "TWOB"];
        const int bars = 1400;
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 20, MaxEventsPerSymbol = bars });
        await using var cluster = await SiloProcessCluster.StartAsync(Settings(replay, symbols));
        await Eventually.MatchesAsync(() => RowsAsync(symbols[0]), n => n >= 50, "50 TWOA rows before the first kill", TimeSpan.FromSeconds(60));

        var killed = new List<SiloProcess>();
        var kills = symbols.ToDictionary(s => s, _ => new List<long>());
        for (var round = 1; round <= 2; round++)
        {
            await WaitUntilCaughtUpAsync(replay, symbols, kills);
            var owner = await StatusAsync(cluster);
            var doomed = cluster.Hosting(owner!.Silo);
            var clock = Stopwatch.StartNew();
            doomed.Kill();
            foreach (var (symbol, at) in KillPoints(replay, symbols)) kills[symbol].AddRange(at);
            killed.Add(doomed);
            var after = await Eventually.MatchesAsync(() => StatusAsync(cluster),
                s => s is { State: ConnectionState.Streaming } && s.Silo != owner.Silo,
                $"the connection to stream again after kill {round}", TimeSpan.FromSeconds(30));
            output.WriteLine($"kill {round}: silo{doomed.Index}; streaming again on {after!.Silo} after {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.DoesNotContain(cluster.Hosting(after.Silo), killed);
        }
        await cluster.WaitForActiveSilosAsync(1);

        var restart = Stopwatch.StartNew();
        await Task.WhenAll(killed.Select(cluster.RestartAsync));
        await cluster.WaitForActiveSilosAsync(3);
        output.WriteLine($"silo{killed[0].Index} and silo{killed[1].Index} restarted; 3 active silos after {restart.Elapsed.TotalSeconds:0.0} s");

        await AssertEverySentBarLandedOnceAsync(replay, symbols, bars, cluster, kills);
        Assert.Equal(ConnectionState.Streaming, (await StatusAsync(cluster))?.State);
    }

    [Fact]
    public async Task Redis_stopped_for_30_s_under_load_keeps_the_cluster_s_membership_and_loses_nothing()
    {
        // Redis is the cluster's membership table, its reminders and its stream queues here, not only a sink: servers
        // of the test's own (Redis with its append-only file, as in production) so that stopping it touches no other test.
        string[] symbols = ["RDCA", "RDCB"];
        const int bars = 1400;
        await using var own = await OutageServers.StartAsync();
        _ownServers = own;
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 20, MaxEventsPerSymbol = bars });
        await using var cluster = await SiloProcessCluster.StartAsync(Settings(replay, symbols));
        await Eventually.MatchesAsync(() => RowsAsync(symbols[0]), n => n >= 50, "50 RDCA rows before the outage", TimeSpan.FromSeconds(60));
        await WaitUntilCaughtUpAsync(replay, symbols, kills: null);

        await own.Redis.StopAsync();
        var outage = Stopwatch.StartNew();
        // The socket keeps being read; what cannot reach the stream queues waits in the reader.
        var holding = await Eventually.MatchesAsync(() => StatusAsync(cluster), s => s is { State: ConnectionState.Streaming, PendingPublish: >= 200 },
            "the reader to hold what it cannot publish", TimeSpan.FromSeconds(25));
        var holdingAfter = outage.Elapsed;
        var rowsWhileDown = await RowsAsync(symbols[0]);
        await Task.Delay(TimeSpan.FromSeconds(30) - outage.Elapsed); // the outage itself, not a wait for a condition
        var atRestart = await StatusAsync(cluster);
        var rowsAtRestart = await RowsAsync(symbols[0]);
        Assert.All(cluster.Silos, s => Assert.True(s.IsRunning, $"silo{s.Index} is still running after 30 s without its membership table"));
        await own.Redis.RestartAsync();
        var restarted = Stopwatch.StartNew();
        var caughtUp = await Eventually.MatchesAsync(() => StatusAsync(cluster), s => s is { PendingPublish: < 10 },
            "the reader to publish what it held", TimeSpan.FromSeconds(60));
        output.WriteLine($"Redis down 30 s: the reader held {holding!.PendingPublish} events {holdingAfter.TotalSeconds:0.0} s in and " +
            $"{atRestart?.PendingPublish} at the restart; {symbols[0]} rows {rowsWhileDown} then and {rowsAtRestart} at the restart; " +
            $"the reader had published what it held {restarted.Elapsed.TotalSeconds:0.0} s after the restart; socket reconnects {caughtUp!.Reconnects}");

        await AssertEverySentBarLandedOnceAsync(replay, symbols, bars, cluster, kills: null);
        // Nobody was declared dead: the same three processes are the three active members.
        await cluster.WaitForActiveSilosAsync(3);
        Assert.All(cluster.Silos, s => Assert.True(s.IsRunning, $"silo{s.Index} is running"));
        Assert.Equal(0, caughtUp.Reconnects);
    }

    [Fact]
    public async Task Replay_dropping_every_connection_every_few_seconds_and_stalling_a_socket_silently_loses_nothing()
    {
        string[] symbols = ["FLAPA", "FLAPB"];
        const int bars = 900;
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 20, MaxEventsPerSymbol = bars });
        var settings = Settings(replay, symbols);
        settings["Sources:Polygon:Connection:SilenceTimeout"] = "00:00:02";
        await using var cluster = await SiloProcessCluster.StartAsync(settings);
        await Eventually.MatchesAsync(() => RowsAsync(symbols[0]), n => n >= 50, "50 FLAPA rows before the faults", TimeSpan.FromSeconds(60));

        const int drops = 4;
        for (var i = 1; i <= drops; i++)
        {
            var accepted = replay.Stats.ConnectionsAccepted("stocks");
            replay.Faults.DropAllConnections();
            await Eventually.TrueAsync(() => replay.Stats.ConnectionsAccepted("stocks") > accepted, $"a new stocks socket after drop {i}");
            // A few seconds of streaming between drops (the next drop is no sooner than 3 s after this one).
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        var beforeStall = replay.Stats.ConnectionsAccepted("stocks");
        replay.Faults.Stall(TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => replay.Stats.ConnectionsAccepted("stocks") > beforeStall,
            "the silent socket to be replaced (silence timeout 2 s)", TimeSpan.FromSeconds(15));
        var status = await Eventually.MatchesAsync(() => StatusAsync(cluster), s => s is { State: ConnectionState.Streaming },
            "streaming after the stall", TimeSpan.FromSeconds(20));
        output.WriteLine($"{replay.Stats.ConnectionsAccepted("stocks")} stocks sockets accepted; reader reconnects {status!.Reconnects}, last error {status.LastError}");
        Assert.True(status.Reconnects >= drops + 1, $"{status.Reconnects} reconnects, expected at least {drops + 1}");

        await AssertEverySentBarLandedOnceAsync(replay, symbols, bars, cluster, kills: null);
    }

    private Dictionary<string, string?> Settings(ReplayServer replay, string[] symbols)
    {
        var settings = IngestionCluster.PolygonSettings(_ownServers?.SiloSettings() ?? servers.SiloSettings(), replay.PolygonWebSocketRoot, stocks: symbols);
        // The reader's status is what the test polls; keep the keeper's touch quick so a lost connection comes back at once.
        settings["Ingestion:ConnectionKeepAliveInterval"] = "00:00:00.500";
        return settings;
    }

    /// <summary>
    /// Bars of the Polygon protocol carry no acknowledgement and are never sent twice: what the replay had written to
    /// the socket of a silo at the instant it was SIGKILLed (kernel buffers, frames read but not yet published to
    /// the durable stream) was never accepted by the cluster and cannot come back. A kill therefore excuses at most
    /// the bars sent within this many bars (1 s at Speed 20) either side of it; anything else missing is a loss.
    /// </summary>
    private const int InFlightBarsAtKill = 20;

    /// <summary>
    /// Waits until every bar the replay sent more than <see cref="InFlightBarsAtKill"/> bars ago has a row, except bars
    /// excused at earlier <paramref name="kills"/>: the next kill then comes under steady load. Without it a kill can
    /// land just after a reconnect, while the replay's catch-up burst (a reconnecting client gets every bar whose
    /// window closed meanwhile, at once) sits read but unpublished in the new reader, so seconds of bars were in flight,
    /// never accepted, and lost with the silo: three such runs lost 51, 74 and 98 bars, each exactly the bars sent
    /// between the two kills.
    /// </summary>
    private async Task WaitUntilCaughtUpAsync(ReplayServer replay, string[] symbols, IReadOnlyDictionary<string, List<long>>? kills)
    {
        foreach (var symbol in symbols)
        {
            var killPoints = kills?[symbol] ?? [];
            await Eventually.MatchesAsync(async () =>
                {
                    var sent = replay.Stats.EventsSent("stocks", symbol);
                    var (missing, _) = await GapsAsync(symbol, sent);
                    return missing.Where(i => i < sent - InFlightBarsAtKill && !Excused(i, killPoints)).ToList();
                }, late => late.Count == 0,
                $"every {symbol} bar sent more than {InFlightBarsAtKill} bars ago to land before the kill", TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Whether a missing bar was sent within <see cref="InFlightBarsAtKill"/> bars of a kill.</summary>
    private static bool Excused(long bar, IReadOnlyList<long> killPoints) =>
        killPoints.Any(k => bar >= k - InFlightBarsAtKill && bar < k + InFlightBarsAtKill);

    private static Dictionary<string, List<long>> KillPoints(ReplayServer replay, string[] symbols) =>
        symbols.ToDictionary(s => s, s => new List<long> { replay.Stats.EventsSent("stocks", s) });

    /// <summary>
    /// Waits for the replay to send every bar and for them to land; then asserts, per symbol: each bar sent is one
    /// row in PostgreSQL and one entry in the Redis stream, no key twice, and nothing missing except bars in flight
    /// at a kill (<paramref name="kills"/>: bars sent when each kill happened; null = no crash, so nothing may miss).
    /// </summary>
    private async Task AssertEverySentBarLandedOnceAsync(ReplayServer replay, string[] symbols, int bars, SiloProcessCluster cluster,
        IReadOnlyDictionary<string, List<long>>? kills)
    {
        foreach (var symbol in symbols)
        {
            await Eventually.TrueAsync(() => replay.Stats.EventsSent("stocks", symbol) == bars,
                $"the replay to send all {bars} {symbol} bars", TimeSpan.FromSeconds(120));
        }
        var redis = Cache.GetDatabase();
        foreach (var symbol in symbols)
        {
            var sent = replay.Stats.EventsSent("stocks", symbol);
            var killPoints = kills?[symbol] ?? [];
            var excusable = killPoints.Count * 2 * InFlightBarsAtKill;
            long rows;
            try
            {
                rows = await SettledRowsAsync(symbol, sent, sent - excusable);
            }
            catch (TimeoutException)
            {
                // Say which bars are missing and what the silos logged, so a loss can be explained rather than rerun.
                var (gaps, _) = await GapsAsync(symbol, sent);
                output.WriteLine($"{symbol}: sent {sent}; missing bars [{string.Join(",", gaps)}] (kills at bars sent [{string.Join(",", killPoints)}])");
                output.WriteLine(cluster.Logs());
                throw;
            }
            long entries;
            try
            {
                entries = await Eventually.MatchesAsync(() => redis.StreamLengthAsync(PolygonAggregateCache.StreamKey(symbol)), n => n >= rows,
                    $"{rows} {symbol} Redis stream entries", TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                entries = await redis.StreamLengthAsync(PolygonAggregateCache.StreamKey(symbol));
            }
            var duplicates = await CountAsync(
                "SELECT count(*) FROM (SELECT 1 FROM polygon_aggregates WHERE symbol = @s GROUP BY symbol, timespan, start_ts HAVING count(*) > 1) d", symbol);
            var (missing, missingEntries) = await GapsAsync(symbol, sent);
            var unexcused = missing.Where(i => !Excused(i, killPoints)).ToList();
            output.WriteLine($"{symbol}: sent {sent}, rows {rows}, Redis stream entries {entries}, duplicate keys {duplicates}; " +
                $"missing bars [{string.Join(",", missing)}] (kills at bars sent [{string.Join(",", killPoints)}]); stream entries missing for rows [{string.Join(",", missingEntries)}]");
            if (unexcused.Count > 0 || missingEntries.Count > 0) output.WriteLine(cluster.Logs());

            Assert.Equal(0, duplicates);
            Assert.Equal(sent, rows + missing.Count);
            Assert.Empty(unexcused);
            Assert.Empty(missingEntries);
            Assert.Equal(rows, entries);
        }
        await AssertStreamQueuesDrainedAsync(cluster);
    }

    /// <summary>Every entry of every stream queue was acknowledged, including those a killed silo had read.</summary>
    private async Task AssertStreamQueuesDrainedAsync(SiloProcessCluster cluster)
    {
        var redis = Cache.GetDatabase();
        var keys = Enumerable.Range(0, 8).Select(q => $"orleans:streams:{StreamNames.Provider}:{cluster.ServiceId}:q{q}").ToList();
        async Task<long> PendingAsync()
        {
            long total = 0;
            foreach (var key in keys)
            {
                if (await redis.KeyExistsAsync(key)) total += (await redis.StreamPendingAsync(key, StreamNames.Provider)).PendingMessageCount;
            }
            return total;
        }
        await Eventually.MatchesAsync(PendingAsync, n => n == 0, "no unacknowledged stream queue entries", TimeSpan.FromSeconds(45));
    }

    /// <summary>
    /// Bars (indexes: bar i starts i seconds after bar 0, which always lands long before any fault) that have no row,
    /// and rows that have no Redis stream entry.
    /// </summary>
    private async Task<(List<long> MissingRows, List<long> MissingEntries)> GapsAsync(string symbol, long sent)
    {
        var starts = new List<DateTimeOffset>();
        await using (var command = Database.CreateCommand("SELECT start_ts FROM polygon_aggregates WHERE symbol = @s ORDER BY start_ts"))
        {
            command.Parameters.AddWithValue("s", symbol);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) starts.Add(reader.GetFieldValue<DateTimeOffset>(0));
        }
        if (starts.Count == 0) return ([.. Enumerable.Range(0, (int)sent).Select(i => (long)i)], []);
        var first = starts[0].ToUnixTimeMilliseconds();
        var rowIndexes = starts.Select(s => (s.ToUnixTimeMilliseconds() - first) / 1000).ToHashSet();
        var entryIndexes = (await Cache.GetDatabase().StreamRangeAsync(PolygonAggregateCache.StreamKey(symbol)))
            .Select(e => (long.Parse(((string)e.Id!).Split('-')[0], System.Globalization.CultureInfo.InvariantCulture) - first) / 1000).ToHashSet();
        var missingRows = Enumerable.Range(0, (int)sent).Select(i => (long)i).Where(i => !rowIndexes.Contains(i)).ToList();
        var missingEntries = rowIndexes.Where(i => !entryIndexes.Contains(i)).Order().ToList();
        return (missingRows, missingEntries);
    }

    /// <summary>
    /// Rows of <paramref name="symbol"/> once all <paramref name="sent"/> landed, or, after at least
    /// <paramref name="floor"/> did, once the count has not moved for 3 s (bars in flight at a kill never arrive).
    /// </summary>
    private async Task<long> SettledRowsAsync(string symbol, long sent, long floor)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = -1L;
        var since = DateTime.UtcNow;
        while (true)
        {
            var rows = await RowsAsync(symbol);
            if (rows >= sent) return rows;
            if (rows != last) (last, since) = (rows, DateTime.UtcNow);
            else if (rows >= floor && DateTime.UtcNow - since > TimeSpan.FromSeconds(3)) return rows;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {sent} {symbol} rows (or at least {floor}, settled); last value: {rows}");
            await Task.Delay(250);
        }
    }

    private Task<long> RowsAsync(string symbol) => CountAsync("SELECT count(*) FROM polygon_aggregates WHERE symbol = @s", symbol);

    private async Task<long> CountAsync(string sql, string symbol)
    {
        await using var command = Database.CreateCommand(sql);
        command.Parameters.AddWithValue("s", symbol);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>The stocks reader's status, or null while the call fails the way a dead silo makes it fail.</summary>
    private static async Task<ConnectionStatus?> StatusAsync(SiloProcessCluster cluster)
    {
        try
        {
            return await cluster.Client.GetGrain<IPolygonSocketReaderGrain>(StocksConnection).GetStatusAsync();
        }
        catch (Exception ex) when (Ingestion.Client.IngestionClient.IsTransient(ex))
        {
            return null;
        }
    }
}
