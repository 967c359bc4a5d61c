using Ingestion.Connections;
using Ingestion.Instruments;
using Ingestion.Replay;
using Ingestion.Storage.Redis;
using Ingestion.Tests.Infrastructure;

namespace Ingestion.Tests.EndToEnd;

/// <summary>
/// The whole path on real servers: replay server (Polygon protocol) → socket-reader grain →
/// Orleans streams → persistence grains → PostgreSQL and Redis, and → instrument grains.
/// Each test uses its own symbols, so tests share the databases without seeing each other.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class PolygonPipelineTests(ServersFixture servers)
{
    private Task<long> RowsAsync(string symbol) =>
        servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates WHERE symbol = @s", ("s", symbol));

    private Task<long> LastTradingDayVolumeAsync(string symbol) => servers.ScalarAsync("""
        SELECT sum(v)::bigint FROM polygon_aggregates
        WHERE symbol = @s AND (start_ts AT TIME ZONE 'America/New_York')::date =
            (SELECT (max(start_ts) AT TIME ZONE 'America/New_York')::date FROM polygon_aggregates WHERE symbol = @s)
        """, ("s", symbol));

    [Fact]
    public async Task Replayed_bars_land_once_in_postgres_redis_and_instrument_grains()
    {
        const int bars = 400;
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = bars });
        await using var cluster = await IngestionCluster.StartAsync(IngestionCluster.PolygonSettings(servers, replay.PolygonWebSocketRoot,
            stocks: ["PIPE"], indices: ["I:PIPEV"], contracts: ["O:PIPE261218C00100000"]));

        foreach (var symbol in new[] { "PIPE", "I:PIPEV", "O:PIPE261218C00100000" })
        {
            await Eventually.MatchesAsync(() => RowsAsync(symbol), n => n == bars, $"{bars} rows of {symbol}");
        }
        Assert.Equal(bars, replay.Stats.EventsSent("stocks", "PIPE"));
        Assert.Equal(bars, replay.Stats.EventsSent("indices", "I:PIPEV"));
        Assert.Equal(bars, replay.Stats.EventsSent("options", "O:PIPE261218C00100000"));

        // Consecutive windows, none missing: per-second bars span bars-1 seconds, minute bars bars-1 minutes.
        Assert.Equal(bars - 1, await servers.ScalarAsync(
            "SELECT extract(epoch FROM max(start_ts) - min(start_ts))::bigint FROM polygon_aggregates WHERE symbol = 'PIPE'"));
        Assert.Equal((bars - 1) * 60, await servers.ScalarAsync(
            "SELECT extract(epoch FROM max(start_ts) - min(start_ts))::bigint FROM polygon_aggregates WHERE symbol = 'O:PIPE261218C00100000' AND timespan = 'minute'"));
        Assert.Equal(0, await servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates WHERE symbol = 'I:PIPEV' AND v IS NOT NULL"));

        var redis = servers.Cache.GetDatabase();
        await Eventually.MatchesAsync(async () => await redis.StreamLengthAsync(PolygonAggregateCache.StreamKey("PIPE")), n => n == bars, "Redis stream entries of PIPE");
        var lastStart = await servers.ScalarAsync("SELECT (extract(epoch FROM max(start_ts)) * 1000)::bigint FROM polygon_aggregates WHERE symbol = 'PIPE'");
        Assert.Equal(lastStart.ToString(), (string?)await redis.HashGetAsync(PolygonAggregateCache.LatestKey("PIPE"), "s"));

        var ticker = await Eventually.MatchesAsync(() => cluster.Client.GetGrain<ITickerGrain>("PIPE").GetSnapshotAsync(), s => s.BarsSeen == bars, "ticker grain to see every bar");
        Assert.Equal(await LastTradingDayVolumeAsync("PIPE"), (long)ticker.DayVolume);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(lastStart), ticker.LastSecond!.Start);
        var contract = await Eventually.MatchesAsync(() => cluster.Client.GetGrain<IContractGrain>("O:PIPE261218C00100000").GetSnapshotAsync(), s => s.BarsSeen == bars, "contract grain to see every bar");
        // 400 minute bars can run past midnight in New York: the day volume is that of the latest trading day.
        Assert.Equal(await LastTradingDayVolumeAsync("O:PIPE261218C00100000"), (long)contract.DayVolume);

        var status = await cluster.Client.GetGrain<IPolygonSocketReaderGrain>("polygon/stocks/0").GetStatusAsync();
        Assert.Equal((ConnectionState.Streaming, bars, 0L), (status.State, status.EventsReceived, status.FramesQuarantined));
    }

    /// <summary>
    /// The replay as fast as the socket reads: far more than the writer takes per second, in frames
    /// that would make stream messages too large for the stream cache if batches were not capped.
    /// Flow control holds the surplus in the reader; every event lands once.
    /// </summary>
    [Fact]
    public async Task A_burst_far_above_the_write_rate_lands_every_event_exactly_once()
    {
        const int bars = 2_000;
        string[] symbols = ["BURST0", "BURST1", "BURST2", "BURST3", "BURST4", "BURST5", "BURST6", "BURST7", "BURST8", "BURST9"];
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = bars, MaxEventsPerFrame = 500 });
        var settings = IngestionCluster.PolygonSettings(servers, replay.PolygonWebSocketRoot, stocks: symbols);
        settings["Storage:MaxInFlightPerProducer"] = "3000";
        await using var cluster = await IngestionCluster.StartAsync(settings);

        var total = symbols.Length * bars;
        await Eventually.MatchesAsync(
            () => servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates WHERE symbol LIKE 'BURST%'"), n => n == total,
            $"{total} BURST rows", TimeSpan.FromSeconds(90));
        Assert.Equal(total, replay.Stats.EventsSent("stocks"));
        Assert.Equal(total, await servers.ScalarAsync("SELECT count(DISTINCT (symbol, start_ts)) FROM polygon_aggregates WHERE symbol LIKE 'BURST%'"));
        var redis = servers.Cache.GetDatabase();
        foreach (var symbol in symbols)
        {
            await Eventually.MatchesAsync(async () => await redis.StreamLengthAsync(PolygonAggregateCache.StreamKey(symbol)), n => n == bars, $"Redis stream entries of {symbol}");
        }
        var status = await cluster.Client.GetGrain<IPolygonSocketReaderGrain>("polygon/stocks/0").GetStatusAsync();
        Assert.Equal((total, 0L), (status.EventsReceived, status.PendingPublish));
    }

    [Fact]
    public async Task Durable_redis_streams_carry_a_burst_end_to_end_exactly_once()
    {
        const int bars = 1_000;
        string[] symbols = ["DURA0", "DURA1", "DURA2", "DURA3"];
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = bars, MaxEventsPerFrame = 200 });
        var settings = IngestionCluster.PolygonSettings(servers, replay.PolygonWebSocketRoot, stocks: symbols);
        settings["Ingestion:Streams"] = "redis";
        settings["Streams:Redis:KeyPrefix"] = "test:durable-pipeline";
        await using var cluster = await IngestionCluster.StartAsync(settings);

        var total = symbols.Length * bars;
        await Eventually.MatchesAsync(
            () => servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates WHERE symbol LIKE 'DURA%'"), n => n == total,
            $"{total} DURA rows", TimeSpan.FromSeconds(60));
        Assert.Equal(total, replay.Stats.EventsSent("stocks"));
        var ticker = await Eventually.MatchesAsync(() => cluster.Client.GetGrain<ITickerGrain>("DURA0").GetSnapshotAsync(), s => s.BarsSeen == bars, "DURA0 ticker grain to see every bar");
        Assert.Equal(bars, ticker.BarsSeen);
        var redis = servers.Cache.GetDatabase();
        foreach (var symbol in symbols)
        {
            await Eventually.MatchesAsync(async () => await redis.StreamLengthAsync(PolygonAggregateCache.StreamKey(symbol)), n => n == bars, $"Redis stream entries of {symbol}");
        }
    }

    [Fact]
    public async Task Garbage_frames_are_quarantined_with_their_reason_and_the_connection_keeps_going()
    {
        const int bars = 60;
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 20, MaxEventsPerSymbol = bars });
        await using var cluster = await IngestionCluster.StartAsync(IngestionCluster.PolygonSettings(servers, replay.PolygonWebSocketRoot, stocks: ["QUAR"]));
        await Eventually.MatchesAsync(() => RowsAsync("QUAR"), n => n > 0, "first QUAR rows");

        replay.Faults.SendGarbage("stocks", "{this is not json");
        replay.Faults.SendGarbage("stocks", """[{"ev":"A","sym":"QUAR","o":"high","c":1,"h":1,"l":1,"s":1,"e":2}]""");

        await Eventually.MatchesAsync(() => RowsAsync("QUAR"), n => n == bars, $"all {bars} QUAR rows after the garbage");
        await Eventually.MatchesAsync(
            () => servers.ScalarAsync("SELECT count(*) FROM quarantine WHERE connection = 'polygon/stocks/0' AND (raw LIKE '%QUAR%' OR raw = '{this is not json')"),
            n => n == 2, "two quarantine rows");
        Assert.Equal(1, await servers.ScalarAsync("SELECT count(*) FROM quarantine WHERE raw = '{this is not json' AND reason LIKE 'malformed JSON:%'"));
        Assert.Equal(1, await servers.ScalarAsync("SELECT count(*) FROM quarantine WHERE raw LIKE '%\"o\":\"high\"%' AND reason = 'field ''o'' must be a number, got string \"high\"'"));
        Assert.Equal(1, replay.Stats.ConnectionsAccepted("stocks"));
    }

    [Fact]
    public async Task Reconnects_reauthenticates_and_resubscribes_after_the_server_drops_the_socket()
    {
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 20, MaxEventsPerSymbol = 200 });
        await using var cluster = await IngestionCluster.StartAsync(IngestionCluster.PolygonSettings(servers, replay.PolygonWebSocketRoot, stocks: ["DROP", "DROP2"]));
        await Eventually.MatchesAsync(() => RowsAsync("DROP"), n => n > 0, "first DROP rows");

        replay.Faults.DropAllConnections();

        await Eventually.TrueAsync(() => replay.Stats.AuthSuccesses("stocks") == 2, "a second successful auth");
        await Eventually.TrueAsync(() => replay.Stats.EventsSent("stocks", "DROP") == 200, "the replay to send all 200 DROP bars", TimeSpan.FromSeconds(60));
        // The replay resumes the series where the dropped socket left it, so every bar lands, once.
        await Eventually.MatchesAsync(() => RowsAsync("DROP"), n => n == 200, "all 200 DROP rows");
        Assert.Equal(199, await servers.ScalarAsync(
            "SELECT extract(epoch FROM max(start_ts) - min(start_ts))::bigint FROM polygon_aggregates WHERE symbol = 'DROP'"));
        Assert.Equal(2, replay.Stats.ConnectionsAccepted("stocks"));
        Assert.Equal(["A.DROP,A.DROP2", "A.DROP,A.DROP2"], replay.Stats.Subscriptions("stocks"));
        var status = await cluster.Client.GetGrain<IPolygonSocketReaderGrain>("polygon/stocks/0").GetStatusAsync();
        Assert.Equal((ConnectionState.Streaming, 1L, 0), (status.State, status.Reconnects, status.ConsecutiveFailures));
    }

    [Fact]
    public async Task Restarts_a_silent_connection()
    {
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 10, MaxEventsPerSymbol = 10_000 });
        var settings = IngestionCluster.PolygonSettings(servers, replay.PolygonWebSocketRoot, stocks: ["MUTE"]);
        settings["Sources:Polygon:Connection:SilenceTimeout"] = "00:00:01.500";
        await using var cluster = await IngestionCluster.StartAsync(settings);
        await Eventually.MatchesAsync(() => RowsAsync("MUTE"), n => n > 0, "first MUTE rows");

        replay.Faults.Stall(TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => replay.Stats.ConnectionsAccepted("stocks") == 2, "the silent connection to be replaced", TimeSpan.FromSeconds(15));
        replay.Faults.Stall(TimeSpan.Zero);

        var status = await Eventually.MatchesAsync(() => cluster.Client.GetGrain<IPolygonSocketReaderGrain>("polygon/stocks/0").GetStatusAsync(),
            s => s.State == ConnectionState.Streaming, "streaming again");
        Assert.Equal("no data for 1.5 s", status.LastError);
    }

    [Fact]
    public async Task Reports_refused_credentials_and_waits_the_auth_backoff_between_attempts()
    {
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 10 });
        replay.Faults.RefuseAuth = true;
        await using var cluster = await IngestionCluster.StartAsync(IngestionCluster.PolygonSettings(servers, replay.PolygonWebSocketRoot, stocks: ["AUTH"]));

        await Eventually.TrueAsync(() => replay.Stats.AuthAttempts("stocks").Count >= 2, "a second auth attempt", TimeSpan.FromSeconds(20));
        var attempts = replay.Stats.AuthAttempts("stocks");
        Assert.True(attempts[1] - attempts[0] >= TimeSpan.FromSeconds(1.9), $"attempts {attempts[1] - attempts[0]} apart; the auth backoff is 2 s");
        var status = await cluster.Client.GetGrain<IPolygonSocketReaderGrain>("polygon/stocks/0").GetStatusAsync();
        Assert.Equal(ConnectionState.AuthFailed, status.State);
        Assert.Equal("auth_failed: authentication failed", status.LastError);
        Assert.Equal(0, replay.Stats.AuthSuccesses("stocks"));
        Assert.Equal(0, await RowsAsync("AUTH"));
    }
}
