using Ingestion.Connections;
using Ingestion.Instruments;
using Ingestion.Replay;
using Ingestion.Storage.Redis;
using Ingestion.Tests.Infrastructure;
using Ingestion.UnusualWhales;

namespace Ingestion.Tests.UnusualWhales;

/// <summary>
/// Every Unusual Whales channel end to end on real servers: replay server (UW socket protocol) →
/// socket-reader grains (one per channel family) → streams → writer → the uw_* tables and Redis.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class UnusualWhalesPipelineTests(ServersFixture servers)
{
    private Task<long> CountAsync(string sql) => servers.ScalarAsync(sql);

    [Fact]
    public async Task Every_channel_lands_once_in_its_table_and_redis()
    {
        const int cap = 40;
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = cap, UnusualWhalesTickers = "UWA" });
        await using var cluster = await IngestionCluster.StartAsync(IngestionCluster.UnusualWhalesSettings(servers, replay, ["UWA"]));
        var uw = replay.Stats.UnusualWhales;

        (string Sql, string Channel)[] expectations =
        [
            ("SELECT count(*) FROM uw_option_trades WHERE ticker = 'UWA'", "option_trades:UWA"),
            ("SELECT count(*) FROM uw_price_ticks WHERE ticker = 'UWA'", "price:UWA"),
            ("SELECT count(*) FROM uw_gex_snapshot WHERE ticker = 'UWA'", "gex:UWA"),
            ("SELECT count(*) FROM uw_gex_strike WHERE ticker = 'UWA'", "gex_strike:UWA"),
            ("SELECT count(*) FROM uw_gex_strike_expiry WHERE ticker = 'UWA'", "gex_strike_expiry:UWA"),
        ];
        foreach (var (sql, channel) in expectations)
        {
            await Eventually.MatchesAsync(() => CountAsync(sql), n => n == cap && uw.FramesSent(channel) == cap, $"{cap} rows from {channel}", TimeSpan.FromSeconds(60));
        }
        await Eventually.MatchesAsync(async () => (await CountAsync("SELECT count(*) FROM uw_flow_alerts WHERE ticker = 'UWA'"), uw.FramesSent("flow-alerts")),
            x => x.Item1 == x.Item2 && x.Item2 > 0, "every flow alert sent to land");
        await Eventually.MatchesAsync(async () => (await CountAsync("SELECT count(*) FROM uw_news"), uw.FramesSent("news")),
            x => x.Item1 >= x.Item2 && x.Item2 > 0, "news headlines to land");

        // Bars: one per minute the ticks cover, each counting exactly that minute's ticks.
        Assert.Equal(await CountAsync("SELECT count(DISTINCT date_trunc('minute', ts)) FROM uw_price_ticks WHERE ticker = 'UWA'"),
            await CountAsync("SELECT count(*) FROM uw_price_bars_1m WHERE ticker = 'UWA'"));
        Assert.Equal(cap, await CountAsync("SELECT sum(ticks) FROM uw_price_bars_1m WHERE ticker = 'UWA'"));
        Assert.Equal(0, await CountAsync("""
            SELECT count(*) FROM uw_price_bars_1m b
            WHERE b.ticker = 'UWA' AND b.c <> (SELECT t.close FROM uw_price_ticks t WHERE t.ticker = 'UWA'
                AND t.ts >= b.bar_start AND t.ts < b.bar_start + interval '1 minute' ORDER BY t.ts DESC LIMIT 1)
            """));
        // Strings in the wire format became numbers; raw payload kept as sent.
        Assert.Equal(cap, await CountAsync("SELECT count(*) FROM uw_option_trades WHERE ticker = 'UWA' AND premium > 0 AND raw_payload->>'price' IS NOT NULL AND jsonb_typeof(raw_payload->'price') = 'string'"));

        var redis = servers.Cache.GetDatabase();
        await Eventually.MatchesAsync(async () => await redis.StreamLengthAsync(UnusualWhalesCache.OptionTradeStream("UWA")), n => n == cap, "UWA option trades in the Redis stream");
        var lastClose = await servers.ScalarTextAsync("SELECT close::text FROM uw_price_ticks WHERE ticker = 'UWA' ORDER BY ts DESC LIMIT 1");
        Assert.Equal(decimal.Parse(lastClose!), decimal.Parse((string)(await redis.HashGetAsync(UnusualWhalesCache.LatestPriceKey("UWA"), "close"))!));
        Assert.True(await redis.KeyExistsAsync(UnusualWhalesCache.LatestGexKey("UWA")));
        Assert.True(await redis.KeyExistsAsync(UnusualWhalesCache.PriceBarKey("UWA")));
        Assert.True(await redis.KeyExistsAsync(UnusualWhalesCache.LatestFlowAlertKey("UWA")));

        // Each distinct option chain of an alert is queued for one /api/option-contract/{id}/flow fetch.
        var chains = await CountAsync("SELECT count(DISTINCT option_chain) FROM uw_flow_alerts WHERE ticker = 'UWA'");
        var followUps = await Eventually.MatchesAsync(() => cluster.Client.GetGrain<IUwFollowUpGrain>(IUwFollowUpGrain.DefaultKey).GetStatusAsync(),
            f => f.Queued + f.Fetched + f.Failed == chains, $"{chains} follow-ups queued or fetched");
        Assert.Equal(0, followUps.Failed);

        var flow = await Eventually.MatchesAsync(() => cluster.Client.GetGrain<ITickerGrain>("UWA").GetUnusualWhalesAsync(),
            f => f.TradesSeen == cap && f.LastPrice == decimal.Parse(lastClose!), "the UWA ticker grain to see every trade and the last price");
        Assert.NotNull(flow.Gex);
        Assert.Equal(0, flow.DuplicateTradesIgnored);

        foreach (var family in new[] { "flow", "trades", "prices", "gex", "news" })
        {
            var status = await cluster.Client.GetGrain<IUnusualWhalesSocketReaderGrain>($"uw/{family}").GetStatusAsync();
            Assert.Equal((ConnectionState.Streaming, 0L), (status.State, status.FramesQuarantined));
        }
        Assert.Equal(5, uw.ConnectionsAccepted);
    }

    [Fact]
    public async Task Rejoins_every_channel_after_the_server_drops_the_socket()
    {
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 20, MaxEventsPerSymbol = 60, UnusualWhalesTickers = "UWB" });
        var settings = IngestionCluster.UnusualWhalesSettings(servers, replay, ["UWB"]);
        PricesOnly(settings);
        await using var cluster = await IngestionCluster.StartAsync(settings);
        await Eventually.MatchesAsync(() => CountAsync("SELECT count(*) FROM uw_price_ticks WHERE ticker = 'UWB'"), n => n > 0, "first UWB ticks");

        replay.Faults.DropAllConnections();

        await Eventually.MatchesAsync(() => CountAsync("SELECT count(*) FROM uw_price_ticks WHERE ticker = 'UWB'"), n => n == 60, "all 60 UWB ticks after the drop", TimeSpan.FromSeconds(30));
        Assert.Equal(2, replay.Stats.UnusualWhales.ConnectionsAccepted);
        Assert.Equal(["price:UWB", "price:UWB"], replay.Stats.UnusualWhales.Joins());
    }

    [Fact]
    public async Task Trades_sent_on_both_the_full_tape_and_their_ticker_channel_land_once()
    {
        const int cap = 60;
        // UWDB is on the tape but not on the watchlist: filtered on arrival.
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = cap, UnusualWhalesTickers = "UWDA,UWDB" });
        var settings = IngestionCluster.UnusualWhalesSettings(servers, replay, ["UWDA"]);
        IngestionCluster.OnlyUnusualWhalesChannels(settings, "OptionTradesFullTape", "OptionTradesPerTicker");
        // Held until both joins are acknowledged, so both channels start at the first UWDA trade: every one is sent twice.
        replay.Faults.Stall(Timeout.InfiniteTimeSpan);
        await using var cluster = await IngestionCluster.StartAsync(settings);
        var uw = replay.Stats.UnusualWhales;
        var reader = cluster.Client.GetGrain<IUnusualWhalesSocketReaderGrain>("uw/trades");
        await Eventually.MatchesAsync(reader.GetStatusAsync, s => s.State == ConnectionState.Streaming, "both joins to be acknowledged");
        replay.Faults.Stall(TimeSpan.Zero);

        // One series per ticker feeds both channels (the replay tests check the ids match frame for frame).
        await Eventually.TrueAsync(() => uw.FramesSent() == 3 * cap, $"{cap} UWDA and {cap} UWDB trades on the tape and {cap} on option_trades:UWDA", TimeSpan.FromSeconds(60));
        Assert.Equal((cap, cap, cap), (uw.FramesSent("option_trades", "UWDA"), uw.FramesSent("option_trades", "UWDB"), uw.FramesSent("option_trades:UWDA", "UWDA")));
        Assert.Equal(["option_trades", "option_trades:UWDA"], uw.Joins());

        await Eventually.MatchesAsync(() => CountAsync("SELECT count(*) FROM uw_option_trades WHERE ticker = 'UWDA'"), n => n == cap,
            $"{cap} distinct UWDA trades out of {2 * cap} frames");
        var ticker = await Eventually.MatchesAsync(() => cluster.Client.GetGrain<ITickerGrain>("UWDA").GetUnusualWhalesAsync(),
            f => f.TradesSeen + f.DuplicateTradesIgnored == 2 * cap, "the ticker grain to see every UWDA frame");
        Assert.Equal((cap, cap), (ticker.TradesSeen, ticker.DuplicateTradesIgnored));
        Assert.Equal(0, await CountAsync("SELECT count(*) - count(DISTINCT trade_id) FROM uw_option_trades"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM uw_option_trades WHERE ticker = 'UWDB'"));

        var redis = servers.Cache.GetDatabase();
        var stream = await redis.StreamRangeAsync(UnusualWhalesCache.OptionTradeStream("UWDA"));
        Assert.Equal(cap, stream.Length);
        var landed = (await servers.ScalarTextAsync("SELECT string_agg(trade_id, ',' ORDER BY trade_id) FROM uw_option_trades WHERE ticker = 'UWDA'"))!.Split(',');
        Assert.Equal(landed, stream.Select(e => (string)e["trade_id"]!).Order(StringComparer.Ordinal));
        Assert.Equal(0, await redis.StreamLengthAsync(UnusualWhalesCache.OptionTradeStream("UWDB")));
        Assert.Equal(0, (await reader.GetStatusAsync()).FramesQuarantined);
    }

    [Fact]
    public async Task A_refused_token_is_an_auth_failure_and_never_appears_in_the_status()
    {
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 20, UnusualWhalesTickers = "UWC" });
        var settings = IngestionCluster.UnusualWhalesSettings(servers, replay, ["UWC"]);
        settings["Sources:UnusualWhales:Token"] = "wrong-secret-token";
        PricesOnly(settings);
        await using var cluster = await IngestionCluster.StartAsync(settings);

        var status = await Eventually.MatchesAsync(() => cluster.Client.GetGrain<IUnusualWhalesSocketReaderGrain>("uw/prices").GetStatusAsync(),
            s => s.State == ConnectionState.AuthFailed, "the prices connection to report the refused token");
        Assert.Equal("the server refused the upgrade with HTTP 401", status.LastError);
        Assert.DoesNotContain("wrong-secret-token", status.LastError);
        Assert.Equal(0, replay.Stats.UnusualWhales.ConnectionsAccepted);
    }

    /// <summary>Only the prices socket (<c>uw/prices</c>): the other channel families switched off.</summary>
    private static void PricesOnly(Dictionary<string, string?> settings) => IngestionCluster.OnlyUnusualWhalesChannels(settings, "Prices");
}
