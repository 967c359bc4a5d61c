using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Ingestion.Replay;
using Ingestion.Replay.UnusualWhales.Rest;
using Ingestion.Tests.Infrastructure;

namespace Ingestion.Tests.Replay;

/// <summary>The replay server's Unusual Whales surface, on loopback, against the shapes of protocols.md §1 and §4.</summary>
public sealed class UnusualWhalesReplayTests
{
    private const string Token = "test-token";
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Socket_upgrade_with_a_wrong_token_is_refused_with_401_before_the_upgrade()
    {
        await using var replay = await StartAsync(new ReplayServerOptions());
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(SocketUri(replay, "wrong"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        Assert.Equal(1, replay.Stats.UnusualWhales.ConnectionsRejected);
        Assert.Equal(0, replay.Stats.UnusualWhales.ConnectionsAccepted);
    }

    [Fact]
    public async Task Join_leave_and_unknown_channel_get_the_documented_replies()
    {
        await using var replay = await StartAsync(new ReplayServerOptions { MaxEventsPerSymbol = 0 });
        using var client = await UwClient.ConnectAsync(replay);

        await client.SendAsync("""{"channel":"gex:SPY","msg_type":"join"}""");
        Assert.Equal("""["gex:SPY",{"response":{},"status":"ok"}]""", await client.ReceiveAsync());

        await client.SendAsync("""{"msg_type":"join","channel":"option_trades:JPM"}""");
        Assert.Equal("""["option_trades:JPM",{"response":{},"status":"ok"}]""", await client.ReceiveAsync());

        await client.SendAsync("""{"channel":"bogus","msg_type":"join"}""");
        Assert.Equal("""["bogus",{"response":{"reason":"unknown channel: bogus"},"status":"error"}]""", await client.ReceiveAsync());

        await client.SendAsync("""{"channel":"gex:SPY","msg_type":"leave"}""");
        Assert.Equal("""["gex:SPY",{"response":{},"status":"ok"}]""", await client.ReceiveAsync());

        Assert.Equal(["gex:SPY", "option_trades:JPM", "bogus"], replay.Stats.UnusualWhales.Joins());
        Assert.Equal(1, replay.Stats.UnusualWhales.ConnectionsAccepted);
    }

    [Fact]
    public async Task Every_channel_streams_one_payload_per_frame_with_the_documented_json_types()
    {
        const int cap = 2;
        await using var replay = await StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = cap, UnusualWhalesTickers = "SPY,QQQ,IWM" });
        using var client = await UwClient.ConnectAsync(replay);
        string[] channels = ["flow-alerts", "option_trades", "option_trades:AMD", "gex:SPY", "gex_strike:SPY", "gex_strike_expiry:SPY", "price:SPY", "news"];
        foreach (var channel in channels) await client.JoinAsync(channel);

        // The firehoses cover the three configured tickers, the others one ticker each (news: one stream).
        var expected = new Dictionary<string, int>
        {
            ["flow-alerts"] = 3 * cap, ["option_trades"] = 3 * cap, ["option_trades:AMD"] = cap, ["gex:SPY"] = cap,
            ["gex_strike:SPY"] = cap, ["gex_strike_expiry:SPY"] = cap, ["price:SPY"] = cap, ["news"] = cap,
        };
        var frames = await client.ReceiveDataAsync(expected.Values.Sum(), channels.Length);
        await client.AssertQuietAsync();

        Assert.Equal(expected, frames.GroupBy(f => f.Channel).ToDictionary(g => g.Key, g => g.Count()));
        foreach (var (channel, payload) in frames)
        {
            switch (channel)
            {
                case "option_trades" or "option_trades:AMD": AssertOptionTrade(payload); break;
                case "flow-alerts": AssertFlowAlert(payload); break;
                case "gex:SPY": AssertGex(payload); break;
                case "gex_strike:SPY": AssertGexStrike(payload, hasExpiry: false); break;
                case "gex_strike_expiry:SPY": AssertGexStrike(payload, hasExpiry: true); break;
                case "price:SPY": AssertPrice(payload); break;
                case "news": AssertNews(payload); break;
                default: Assert.Fail($"unexpected channel {channel}"); break;
            }
        }

        Assert.All(frames.Where(f => f.Channel == "option_trades:AMD"), f => Assert.Equal("AMD", f.Payload.GetProperty("underlying_symbol").GetString()));
        Assert.Equal(["IWM", "QQQ", "SPY"], frames.Where(f => f.Channel == "option_trades").Select(f => f.Payload.GetProperty("underlying_symbol").GetString()).Distinct().Order());
        var tradeIds = frames.Where(f => f.Channel.StartsWith("option_trades", StringComparison.Ordinal)).Select(f => f.Payload.GetProperty("id").GetString()).ToList();
        Assert.Equal(tradeIds.Count, tradeIds.Distinct().Count());
        var alertIds = frames.Where(f => f.Channel == "flow-alerts").Select(f => f.Payload.GetProperty("id").GetString()).ToList();
        Assert.Equal(alertIds.Count, alertIds.Distinct().Count());
        Assert.Equal(expected.Values.Sum(), replay.Stats.UnusualWhales.FramesSent());
    }

    [Fact]
    public async Task The_full_tape_carries_every_trade_of_a_ticker_channel_joined_with_it_under_the_same_id()
    {
        const int cap = 20;
        await using var replay = await StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = cap, UnusualWhalesTickers = "SPY,QQQ" });
        // Held until both joins are acknowledged, so both channels start at the first SPY trade.
        replay.Faults.Stall(Timeout.InfiniteTimeSpan);
        using var client = await UwClient.ConnectAsync(replay);
        await client.JoinAsync("option_trades");
        await client.JoinAsync("option_trades:SPY");
        Assert.Empty(await client.ReceiveDataAsync(0, 2));
        replay.Faults.Stall(TimeSpan.Zero);

        var frames = await client.ReceiveDataAsync(3 * cap, 0);
        await client.AssertQuietAsync();

        static string Id((string Channel, JsonElement Payload) f) => f.Payload.GetProperty("id").GetString()!;
        var tape = frames.Where(f => f.Channel == "option_trades" && f.Payload.GetProperty("underlying_symbol").GetString() == "SPY").Select(Id).ToList();
        var perTicker = frames.Where(f => f.Channel == "option_trades:SPY").Select(Id).ToList();
        Assert.Equal(cap, tape.Distinct().Count());
        Assert.Equal(tape, perTicker);
        Assert.Equal(cap, frames.Count(f => f.Channel == "option_trades" && f.Payload.GetProperty("underlying_symbol").GetString() == "QQQ"));
        Assert.Equal((2L * cap, (long)cap), (replay.Stats.UnusualWhales.FramesSent("option_trades"), replay.Stats.UnusualWhales.FramesSent("option_trades:SPY")));
    }

    [Fact]
    public async Task MaxEventsPerSymbol_caps_each_channel_per_ticker_exactly_then_the_channel_falls_silent()
    {
        const int cap = 5;
        await using var replay = await StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = cap, UnusualWhalesTickers = "SPY,QQQ" });
        using var client = await UwClient.ConnectAsync(replay);
        string[] channels = ["option_trades:TSLA", "gex_strike_expiry:QQQ", "flow-alerts"];
        foreach (var channel in channels) await client.JoinAsync(channel);

        var frames = await client.ReceiveDataAsync(cap * 4, channels.Length);
        await client.AssertQuietAsync();

        var stats = replay.Stats.UnusualWhales;
        Assert.Equal(cap, stats.FramesSent("option_trades:TSLA"));
        Assert.Equal(cap, stats.FramesSent("option_trades:TSLA", "TSLA"));
        Assert.Equal(cap, stats.FramesSent("gex_strike_expiry:QQQ"));
        Assert.Equal(2 * cap, stats.FramesSent("flow-alerts"));
        Assert.Equal(cap, stats.FramesSent("flow-alerts", "SPY"));
        Assert.Equal(cap, stats.FramesSent("flow-alerts", "QQQ"));
        Assert.Equal(cap, frames.Count(f => f.Channel == "flow-alerts" && f.Payload.GetProperty("ticker").GetString() == "QQQ"));
    }

    [Fact]
    public async Task Flow_alerts_name_trades_that_appear_on_the_option_trades_tape()
    {
        // Same seed and start: the same tape. The capped server gives the first alert; the uncapped one the whole tape.
        await using var capped = await StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = 1, UnusualWhalesTickers = "SPY", StartTime = Start });
        await using var uncapped = await StartAsync(new ReplayServerOptions { Speed = 0, UnusualWhalesTickers = "SPY", StartTime = Start });
        using var alerts = await UwClient.ConnectAsync(capped);
        await alerts.JoinAsync("flow-alerts");
        var alert = (await alerts.ReceiveDataAsync(1, 1))[0].Payload;
        var wanted = alert.GetProperty("trade_ids").EnumerateArray().Select(t => t.GetString()!).ToHashSet();

        using var tape = await UwClient.ConnectAsync(uncapped);
        await tape.JoinAsync("option_trades:SPY");
        var found = new List<JsonElement>();
        var read = 0;
        while (found.Count < wanted.Count && read++ < 20_000)
        {
            var (_, trade) = (await tape.ReceiveDataAsync(1, 0))[0];
            if (wanted.Contains(trade.GetProperty("id").GetString()!)) found.Add(trade);
        }

        Assert.Equal(wanted.Count, found.Count);
        Assert.Equal(alert.GetProperty("trade_count").GetInt32(), wanted.Count);
        Assert.All(found, t => Assert.Equal(alert.GetProperty("option_chain").GetString(), t.GetProperty("option_symbol").GetString()));
        var premium = found.Sum(t => decimal.Parse(t.GetProperty("premium").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(premium, alert.GetProperty("total_premium").GetDecimal());
        Assert.True(premium >= 40_000m, "alerts come from large prints");
    }

    [Fact]
    public async Task Rest_answers_a_data_envelope_with_the_five_usage_headers_and_accepts_bearer_or_raw_token()
    {
        await using var replay = await StartAsync(new ReplayServerOptions());
        using var http = Http(replay);

        using var first = await GetAsync(http, "/api/stock/SPY/greek-flow", bearer: true);
        using var second = await GetAsync(http, "/api/stock/SPY/greek-flow", bearer: false);
        using var anonymous = await http.GetAsync(new Uri("/api/stock/SPY/greek-flow", UriKind.Relative));
        using var third = await GetAsync(http, "/api/market/market-tide", bearer: true);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal((1, 1_000_000, 1, 119), Usage(first));
        Assert.Equal((2, 1_000_000, 2, 118), Usage(second));
        Assert.Equal((3, 1_000_000, 3, 117), Usage(third));
        var firstReset = long.Parse(Header(first, "x-uw-req-per-minute-reset"), CultureInfo.InvariantCulture);
        var thirdReset = long.Parse(Header(third, "x-uw-req-per-minute-reset"), CultureInfo.InvariantCulture);
        Assert.InRange(firstReset, 1, 60_000);
        Assert.InRange(thirdReset, 1, firstReset);

        var row = (await DataAsync(first))[0];
        Assert.Equal(JsonValueKind.String, row.GetProperty("total_delta_flow").ValueKind);
        Assert.Equal(JsonValueKind.Number, row.GetProperty("transactions").ValueKind);
        Assert.Equal("SPY", row.GetProperty("ticker").GetString());
        var tide = (await DataAsync(third))[0];
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[45]:00$", tide.GetProperty("timestamp").GetString());
        Assert.Equal(JsonValueKind.Number, tide.GetProperty("net_volume").ValueKind);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var error = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync());
        Assert.Equal("/api/stock/SPY/greek-flow", error.RootElement.GetProperty("path").GetString());
        Assert.StartsWith("Unauthorized", error.RootElement.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, replay.Stats.UnusualWhales.RestRequests("/api/stock/{ticker}/greek-flow"));
        using var stats = JsonDocument.Parse(await http.GetStringAsync(new Uri("/replay/stats", UriKind.Relative)));
        var uw = stats.RootElement.GetProperty("unusualWhales");
        Assert.Equal(3, uw.GetProperty("restRequestsByTemplate").GetProperty("/api/stock/{ticker}/greek-flow").GetInt64());
        Assert.Equal(4, uw.GetProperty("restRequests").GetInt64());
    }

    [Fact]
    public async Task Paced_feed_ticks_price_every_second_and_gex_every_five_seconds_of_market_time()
    {
        await using var replay = await StartAsync(new ReplayServerOptions { Speed = 50 });
        using var client = await UwClient.ConnectAsync(replay);
        await client.JoinAsync("price:SPY");
        await client.JoinAsync("gex:SPY");

        var frames = await client.ReceiveDataAsync(12, 2);

        var prices = frames.Where(f => f.Channel == "price:SPY").Select(f => f.Payload.GetProperty("time").GetInt64()).ToList();
        var gex = frames.Where(f => f.Channel == "gex:SPY").Select(f => f.Payload.GetProperty("timestamp").GetInt64()).ToList();
        Assert.True(prices.Count >= 5, $"price ticks: {prices.Count}");
        Assert.All(prices.Zip(prices.Skip(1)), p => Assert.Equal(1000, p.Second - p.First));
        Assert.All(gex.Zip(gex.Skip(1)), g => Assert.Equal(5000, g.Second - g.First));
        Assert.All(prices, t => Assert.Equal(0, t % 1000));
    }

    [Fact]
    public async Task Every_catalogue_endpoint_answers_200_with_a_non_empty_data_array()
    {
        await using var replay = await StartAsync(new ReplayServerOptions());
        using var http = Http(replay);

        Assert.Equal(UwRestCatalog.Templates.Count, UwRestCatalog.Templates.Distinct().Count());
        Assert.InRange(UwRestCatalog.Templates.Count, 40, 60);
        foreach (var template in UwRestCatalog.Templates)
        {
            var path = template.Replace("{ticker}", "SPY", StringComparison.Ordinal)
                .Replace("{expiry}", "2030-01-18", StringComparison.Ordinal)
                .Replace("{id}", "SPY251219C00590000", StringComparison.Ordinal)
                .Replace("{candle_size}", "1m", StringComparison.Ordinal);
            using var response = await GetAsync(http, path, bearer: true);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
            Assert.True((await DataAsync(response)).Count > 0, $"{path} returned no rows");
            Assert.Equal(1, replay.Stats.UnusualWhales.RestRequests(template));
        }
    }

    [Fact]
    public async Task The_121st_request_within_a_minute_gets_429_with_Retry_After_and_the_usage_headers()
    {
        await using var replay = await StartAsync(new ReplayServerOptions());
        using var http = Http(replay);
        for (var i = 1; i <= 120; i++)
        {
            using var ok = await GetAsync(http, "/api/stock/SPY/stock-state", bearer: true);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await GetAsync(http, "/api/stock/SPY/stock-state", bearer: true);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta?.TotalSeconds ?? -1, 1, 60);
        Assert.Equal((120, 1_000_000, 120, 0), Usage(limited));
        using var body = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.StartsWith("Too many requests", body.RootElement.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, replay.Stats.UnusualWhales.RateLimitedResponses);
        Assert.Equal(121, replay.Stats.UnusualWhales.RestRequests("/api/stock/{ticker}/stock-state"));
    }

    [Fact]
    public async Task An_exhausted_daily_limit_gets_429_with_the_daily_count_at_the_limit()
    {
        await using var replay = await StartAsync(new ReplayServerOptions { UnusualWhalesDailyRequestLimit = 3 });
        using var http = Http(replay);
        for (var i = 0; i < 3; i++) (await GetAsync(http, "/api/news/headlines", bearer: true)).Dispose();

        using var limited = await GetAsync(http, "/api/news/headlines", bearer: true);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal((3, 3, 3, 117), Usage(limited));
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After points at the 8 PM Eastern reset");
        using var body = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.StartsWith("Daily request limit of 3 reached", body.RootElement.GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_inputs_get_422_with_the_documented_body()
    {
        await using var replay = await StartAsync(new ReplayServerOptions());
        using var http = Http(replay);

        using var response = await GetAsync(http, "/api/darkpool/MSFT12?date=2023-02-140", bearer: true);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("Invalid path input: MSFT12 (valid example: AAPL) - Invalid query input(s): date=2023-02-140 (valid example: date=2024-01-18)",
            root.GetProperty("msg").GetString());
        Assert.Equal("/api/darkpool/MSFT12", root.GetProperty("path").GetString());
        Assert.Equal("date=2023-02-140", root.GetProperty("query").GetString());
        Assert.Equal($"{replay.UnusualWhalesRestRoot.Authority}/api/darkpool/MSFT12?date=2023-02-140", root.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Rest_fault_forces_the_next_responses_to_500_or_429_then_data_resumes()
    {
        await using var replay = await StartAsync(new ReplayServerOptions());
        using var http = Http(replay);

        using (var fault = await http.PostAsync(new Uri("/replay/faults/uw-rest?status=500&count=2", UriKind.Relative), null))
            Assert.Equal(HttpStatusCode.NoContent, fault.StatusCode);
        using var first = await GetAsync(http, "/api/stock/QQQ/nope", bearer: true);
        using var second = await GetAsync(http, "/api/stock/QQQ/nope", bearer: true);
        replay.Faults.FailNextUnusualWhalesRequests(429, 1);
        using var third = await GetAsync(http, "/api/stock/QQQ/nope", bearer: true);
        using var fourth = await GetAsync(http, "/api/stock/QQQ/nope", bearer: true);

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal("text/plain", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Something went wrong", await first.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.InternalServerError, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, fourth.StatusCode);
        Assert.Equal((1, 1_000_000, 1, 119), Usage(fourth));
        Assert.Equal(2, replay.Stats.UnusualWhales.ServerErrorResponses);
        Assert.Equal(1, replay.Stats.UnusualWhales.RateLimitedResponses);
    }

    [Fact]
    public async Task Garbage_and_drop_faults_reach_uw_sockets()
    {
        await using var replay = await StartAsync(new ReplayServerOptions { MaxEventsPerSymbol = 0 });
        using var http = Http(replay);
        using var client = await UwClient.ConnectAsync(replay);
        await client.JoinAsync("price:SPY");
        await client.ReceiveDataAsync(0, 1);

        using (var garbage = await http.PostAsync(new Uri("/replay/faults/garbage?market=uw", UriKind.Relative), new StringContent("{not json")))
            Assert.Equal(HttpStatusCode.NoContent, garbage.StatusCode);
        Assert.Equal("{not json", await client.ReceiveAsync());

        using (var drop = await http.PostAsync(new Uri("/replay/faults/drop", UriKind.Relative), null))
            Assert.Equal(HttpStatusCode.NoContent, drop.StatusCode);
        await Assert.ThrowsAsync<WebSocketException>(() => client.ReceiveAsync());
        await Eventually.TrueAsync(() => replay.Stats.UnusualWhales.OpenConnections == 0, "the dropped UW socket to close", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Stall_holds_uw_frames_until_it_is_lifted()
    {
        await using var replay = await StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = 3 });
        replay.Faults.Stall(Timeout.InfiniteTimeSpan);
        using var client = await UwClient.ConnectAsync(replay);
        await client.JoinAsync("price:SPY");
        await client.ReceiveDataAsync(0, 1);

        await client.AssertQuietAsync();
        Assert.Equal(0, replay.Stats.UnusualWhales.FramesSent("price:SPY"));

        replay.Faults.Stall(TimeSpan.Zero);
        var frames = await client.ReceiveDataAsync(3, 0);
        Assert.All(frames, f => Assert.Equal("price:SPY", f.Channel));
        await client.AssertQuietAsync();
    }

    [Fact]
    public async Task Recorded_sample_plays_every_channel_from_the_dataset()
    {
        await using var replay = await StartAsync(new ReplayServerOptions { Speed = 0, Dataset = "Datasets/uw-sample.ndjson" });
        using var client = await UwClient.ConnectAsync(replay);
        string[] channels = ["flow-alerts", "option_trades", "option_trades:SPY", "option_trades:TSLA", "gex:SPY", "gex_strike:SPY", "gex_strike_expiry:SPY", "price:SPY", "news"];
        foreach (var channel in channels) await client.JoinAsync(channel);

        var seen = new Dictionary<string, JsonElement>();
        while (seen.Count < channels.Length)
        {
            foreach (var (channel, payload) in await client.ReceiveDataAsync(1, 0)) seen.TryAdd(channel, payload);
        }

        AssertFlowAlert(seen["flow-alerts"]);
        AssertOptionTrade(seen["option_trades:TSLA"]);
        AssertOptionTrade(seen["option_trades"]);
        AssertGex(seen["gex:SPY"]);
        AssertGexStrike(seen["gex_strike:SPY"], hasExpiry: false);
        AssertGexStrike(seen["gex_strike_expiry:SPY"], hasExpiry: true);
        AssertPrice(seen["price:SPY"]);
        AssertNews(seen["news"]);
        Assert.True(replay.Stats.UnusualWhales.FramesSent("flow-alerts") >= 1);
    }

    private static readonly DateTimeOffset Start = new(2025, 5, 16, 14, 0, 0, TimeSpan.Zero);

    private static void AssertOptionTrade(JsonElement t)
    {
        foreach (var key in new[] { "id", "underlying_symbol", "nbbo_bid", "nbbo_ask", "price", "option_symbol", "expiry", "option_type", "strike", "premium",
                     "underlying_price", "ewma_nbbo_ask", "ewma_nbbo_bid", "implied_volatility", "delta", "theta", "gamma", "vega", "rho", "theo", "trade_code", "exchange" })
            AssertKind(t, key, JsonValueKind.String);
        foreach (var key in new[] { "executed_at", "created_at", "size", "open_interest", "volume", "ask_vol", "bid_vol", "no_side_vol", "mid_vol", "multi_vol", "stock_multi_vol" })
            Assert.True(t.GetProperty(key).TryGetInt64(out _), $"option trade {key} must be an integer: {t}");
        AssertKind(t, "tags", JsonValueKind.Array);
        AssertKind(t, "report_flags", JsonValueKind.Array);
        Assert.Contains(t.GetProperty("option_type").GetString(), new[] { "call", "put" });
        Assert.Matches(@"^\d{4}-\d\d-\d\d$", t.GetProperty("expiry").GetString());
        Assert.Matches(@"^[A-Z]+\d{6}[CP]\d{8}$", t.GetProperty("option_symbol").GetString());
        var price = decimal.Parse(t.GetProperty("price").GetString()!, CultureInfo.InvariantCulture);
        var premium = decimal.Parse(t.GetProperty("premium").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(price * t.GetProperty("size").GetInt32() * 100, premium);
    }

    private static void AssertFlowAlert(JsonElement a)
    {
        foreach (var key in new[] { "id", "rule_id", "rule_name", "ticker", "option_chain", "url", "bid", "ask" }) AssertKind(a, key, JsonValueKind.String);
        foreach (var key in new[] { "underlying_price", "price", "total_premium", "total_ask_side_prem", "total_bid_side_prem", "volume_oi_ratio" })
            AssertKind(a, key, JsonValueKind.Number);
        foreach (var key in new[] { "volume", "total_size", "open_interest", "trade_count", "expiry_count", "ask_vol", "bid_vol", "no_side_vol", "mid_vol", "multi_vol",
                     "stock_multi_vol", "start_time", "end_time", "executed_at" })
            Assert.True(a.GetProperty(key).TryGetInt64(out _), $"flow alert {key} must be an integer: {a}");
        foreach (var key in new[] { "has_multileg", "has_sweep", "has_floor", "has_singleleg", "all_opening_trades" })
            Assert.True(a.GetProperty(key).ValueKind is JsonValueKind.True or JsonValueKind.False, $"flow alert {key} must be a bool");
        foreach (var key in new[] { "trade_ids", "upstream_condition_details", "exchanges" })
            Assert.All(a.GetProperty(key).EnumerateArray(), e => Assert.Equal(JsonValueKind.String, e.ValueKind));
    }

    private static void AssertGex(JsonElement g)
    {
        Assert.True(g.GetProperty("timestamp").TryGetInt64(out _));
        foreach (var property in g.EnumerateObject().Where(p => p.Name != "timestamp")) Assert.Equal(JsonValueKind.String, property.Value.ValueKind);
        Assert.Equal(14, g.EnumerateObject().Count());
    }

    private static void AssertGexStrike(JsonElement g, bool hasExpiry)
    {
        Assert.True(g.GetProperty("timestamp").TryGetInt64(out _));
        foreach (var property in g.EnumerateObject().Where(p => p.Name != "timestamp")) Assert.Equal(JsonValueKind.String, property.Value.ValueKind);
        Assert.Equal(hasExpiry, g.TryGetProperty("expiry", out _));
        AssertKind(g, "strike", JsonValueKind.String);
        AssertKind(g, "call_vanna_bid_vol", JsonValueKind.String);
    }

    private static void AssertPrice(JsonElement p)
    {
        AssertKind(p, "close", JsonValueKind.String);
        Assert.True(p.GetProperty("time").TryGetInt64(out _));
        Assert.True(p.GetProperty("vol").TryGetInt64(out _));
        Assert.Equal(3, p.EnumerateObject().Count());
    }

    private static void AssertNews(JsonElement n)
    {
        AssertKind(n, "headline", JsonValueKind.String);
        AssertKind(n, "source", JsonValueKind.String);
        Assert.True(DateTimeOffset.TryParse(n.GetProperty("timestamp").GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        AssertKind(n, "tickers", JsonValueKind.Array);
        Assert.True(n.GetProperty("is_trump_ts").ValueKind is JsonValueKind.True or JsonValueKind.False);
    }

    private static void AssertKind(JsonElement element, string key, JsonValueKind kind) =>
        Assert.True(element.TryGetProperty(key, out var value) && value.ValueKind == kind, $"{key} must be {kind}: {element}");

    private static Task<ReplayServer> StartAsync(ReplayServerOptions options)
    {
        options.UnusualWhalesToken = Token;
        return ReplayServer.StartAsync(options);
    }

    private static Uri SocketUri(ReplayServer replay, string token) => new($"{replay.UnusualWhalesWebSocketUrl}?token={token}");

    private static HttpClient Http(ReplayServer replay) => new() { BaseAddress = replay.UnusualWhalesRestRoot, Timeout = TimeSpan.FromSeconds(10) };

    private static Task<HttpResponseMessage> GetAsync(HttpClient http, string path, bool bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (bearer) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        else request.Headers.TryAddWithoutValidation("Authorization", Token);
        return http.SendAsync(request);
    }

    private static async Task<List<JsonElement>> DataAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["data"], document.RootElement.EnumerateObject().Select(p => p.Name));
        return [.. document.RootElement.GetProperty("data").EnumerateArray().Select(e => e.Clone())];
    }

    private static string Header(HttpResponseMessage response, string name) => string.Join(",", response.Headers.GetValues(name));

    /// <summary>(daily count, daily limit, minute counter, minute remaining).</summary>
    private static (long, long, int, int) Usage(HttpResponseMessage response) => (
        long.Parse(Header(response, "x-uw-daily-req-count"), CultureInfo.InvariantCulture),
        long.Parse(Header(response, "x-uw-token-req-limit"), CultureInfo.InvariantCulture),
        int.Parse(Header(response, "x-uw-minute-req-counter"), CultureInfo.InvariantCulture),
        int.Parse(Header(response, "x-uw-req-per-minute-remaining"), CultureInfo.InvariantCulture));

    /// <summary>A UW socket client: joins, and reads text frames with a deadline.</summary>
    private sealed class UwClient : IDisposable
    {
        private readonly ClientWebSocket socket;
        private readonly List<string> pendingAcks = [];

        private UwClient(ClientWebSocket socket) => this.socket = socket;

        public static async Task<UwClient> ConnectAsync(ReplayServer replay)
        {
            var socket = new ClientWebSocket();
            // Protocol pings with a pong deadline: the connection dies if the server stops answering them.
            socket.Options.KeepAliveInterval = TimeSpan.FromMilliseconds(250);
            socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(5);
            using var timeout = new CancellationTokenSource(ReceiveTimeout);
            await socket.ConnectAsync(SocketUri(replay, Token), timeout.Token);
            return new UwClient(socket);
        }

        public Task SendAsync(string text) =>
            socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

        /// <summary>Joins and remembers that an ack is due; data frames may arrive before it.</summary>
        public async Task JoinAsync(string channel)
        {
            pendingAcks.Add($$"""["{{channel}}",{"response":{},"status":"ok"}]""");
            await SendAsync($$"""{"channel":"{{channel}}","msg_type":"join"}""");
        }

        public async Task<string> ReceiveAsync()
        {
            using var timeout = new CancellationTokenSource(ReceiveTimeout);
            var buffer = new byte[64 * 1024];
            using var message = new MemoryStream();
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close) throw new WebSocketException("server closed the socket");
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage) return Encoding.UTF8.GetString(message.ToArray());
            }
        }

        /// <summary>Reads until <paramref name="count"/> data frames and <paramref name="acks"/> of the pending join acks have arrived.</summary>
        public async Task<List<(string Channel, JsonElement Payload)>> ReceiveDataAsync(int count, int acks)
        {
            var frames = new List<(string, JsonElement)>();
            var acked = 0;
            while (frames.Count < count || acked < acks)
            {
                var text = await ReceiveAsync();
                if (pendingAcks.Remove(text))
                {
                    acked++;
                    continue;
                }
                using var document = JsonDocument.Parse(text);
                var root = document.RootElement;
                Assert.Equal(JsonValueKind.Array, root.ValueKind);
                Assert.Equal(2, root.GetArrayLength());
                Assert.False(root[1].TryGetProperty("status", out _), $"unexpected reply {text}");
                frames.Add((root[0].GetString()!, root[1].Clone()));
            }
            return frames;
        }

        /// <summary>
        /// Proves nothing more was sent: frames are ordered, so if the reply to a join sent now is the next frame,
        /// no data frame was queued before it.
        /// </summary>
        public async Task AssertQuietAsync()
        {
            await SendAsync("""{"channel":"quiet-probe","msg_type":"join"}""");
            Assert.Equal("""["quiet-probe",{"response":{"reason":"unknown channel: quiet-probe"},"status":"error"}]""", await ReceiveAsync());
        }

        public void Dispose() => socket.Dispose();
    }
}
