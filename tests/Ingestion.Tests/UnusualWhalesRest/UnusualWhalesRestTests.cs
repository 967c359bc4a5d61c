using Ingestion.Observability;
using Ingestion.Scheduling;
using Ingestion.Sources.UnusualWhales.Rest;
using Ingestion.Tests.Infrastructure;
using Ingestion.UnusualWhales;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Tests.UnusualWhalesRest;

/// <summary>
/// Unusual Whales REST polling end to end: replay server (UW REST, its budget and faults) → REST job grains and the
/// rate-limiter grain → uw_rest_payloads and Redis. Each test uses its own tickers and token.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class UnusualWhalesRestTests(ServersFixture servers)
{
    private const string StockState = "/api/stock/{ticker}/stock-state";

    private Task<long> RowsAsync(string endpoint, string scope) =>
        servers.ScalarAsync("SELECT count(*) FROM uw_rest_payloads WHERE endpoint = @e AND scope = @s", ("e", endpoint), ("s", scope));

    [Fact]
    public async Task Every_enabled_catalogue_endpoint_is_fetched_and_archived_once_per_scope_with_a_redis_snapshot()
    {
        string[] tickers = ["RSALL", "RSALT"];
        var token = UwRestTestKit.NewToken();
        await using var replay = await UwRestTestKit.StartReplayAsync(token);
        await using var cluster = await UwRestTestKit.StartClusterAsync(UwRestTestKit.Settings(servers, replay, token, tickers));

        var jobs = UwRestCatalog.Jobs(new UnusualWhalesRestOptions(), tickers);
        Assert.Equal(UwRestCatalog.Defaults.Count(e => e.IsTickerScoped) * 2 + UwRestCatalog.Defaults.Count(e => !e.IsTickerScoped), jobs.Count);
        await Eventually.MatchesAsync(
            () => servers.ScalarAsync("SELECT count(*) FROM uw_rest_payloads WHERE scope = ANY(@s)", ("s", new[] { "RSALL", "RSALT", "global" })),
            n => n == jobs.Count, $"{jobs.Count} archived payloads, one per job", TimeSpan.FromSeconds(40));

        var redis = servers.Cache.GetDatabase();
        foreach (var job in jobs)
        {
            Assert.Equal(1, await RowsAsync(job.Endpoint.Name, job.Scope));
            var hash = await servers.ScalarAsync("SELECT count(*) FROM uw_rest_payloads WHERE endpoint = @e AND scope = @s AND encode(payload_hash, 'hex') = @h " +
                "AND payload -> 'context' ->> 'status' = '200' AND jsonb_typeof(payload -> 'response' -> 'data') = 'array' AND payload -> 'context' ->> 'endpoint' = @e",
                ("e", job.Endpoint.Name), ("s", job.Scope), ("h", (string)(await redis.HashGetAsync(UwRestArchive.RedisKey(job.Endpoint.Name, job.Scope), "payload_hash"))!));
            Assert.True(hash == 1, $"Redis snapshot of {job.Key} matches its archived row");
        }
        // Every catalogue path is one the UW API (the replay) serves: no 404/422 anywhere.
        Assert.Equal(0, replay.Stats.UnusualWhales.RateLimitedResponses);
        Assert.Equal(0, await servers.ScalarAsync("SELECT count(*) FROM uw_rest_payloads WHERE payload::text LIKE '%' || @t || '%'", ("t", token)));
    }

    [Fact]
    public async Task A_repeated_identical_payload_refreshes_fetched_at_without_a_second_row()
    {
        var token = UwRestTestKit.NewToken();
        await using var replay = await UwRestTestKit.StartReplayAsync(token);
        var settings = UwRestTestKit.Settings(servers, replay, token, ["RSREP"], include: ["stock-state"]);
        settings["Sources:UnusualWhales:Rest:Endpoints:stock-state:Cadence"] = "00:00:00.300";
        await using var cluster = await UwRestTestKit.StartClusterAsync(settings);

        var job = cluster.Client.GetGrain<IUwRestJobGrain>("stock-state|RSREP");
        var status = await Eventually.MatchesAsync(job.GetStatusAsync, s => s.Successes >= 3, "three successful polls of stock-state");
        Assert.Equal(1, await RowsAsync("stock-state", "RSREP"));
        Assert.Equal(1, await servers.ScalarAsync(
            "SELECT count(*) FROM uw_rest_payloads WHERE endpoint = 'stock-state' AND scope = 'RSREP' AND fetched_at > first_seen_at AND fetch_count >= 3"));
        Assert.Equal(0, status.Failures);
    }

    [Fact]
    public async Task Jobs_never_exceed_the_budget_and_scheduled_polls_stop_at_the_unreserved_share()
    {
        // 30/min with 20% reserved: 24 scheduled requests per minute; 4 tickers × 8 endpoints every second want far more.
        string[] tickers = ["RSBA", "RSBB", "RSBC", "RSBD"];
        string[] endpoints = ["greek-flow", "spot-exposures", "net-prem-ticks", "options-volume", "stock-state", "nope", "greeks", "max-pain"];
        var token = UwRestTestKit.NewToken();
        await using var replay = await UwRestTestKit.StartReplayAsync(token, requestsPerMinute: 30);
        var settings = UwRestTestKit.Settings(servers, replay, token, tickers, include: endpoints, requestsPerMinute: 30);
        foreach (var e in endpoints) settings[$"Sources:UnusualWhales:Rest:Endpoints:{e}:Cadence"] = "00:00:01";
        settings["Sources:UnusualWhales:Rest:MaxTokenWait"] = "00:00:05";
        await using var cluster = await UwRestTestKit.StartClusterAsync(settings);

        var limiter = cluster.Client.GetGrain<IRateLimiterGrain>(UwRestCaller.CredentialKey(token));
        await Eventually.MatchesAsync(() => Task.FromResult(replay.Stats.UnusualWhales.RestRequests()), n => n >= 24, "24 requests");
        // Every job has come back for its next turn and is waiting: the scheduled share is spent and nobody else got through.
        var status = await Eventually.MatchesAsync(limiter.GetStatusAsync, s => s.Waiting == tickers.Length * endpoints.Length,
            "every job waiting for a token");
        Assert.Equal((30, 6, 24, 24, 0), (status.RequestsPerMinute, status.ReservedPerMinute, status.UsedThisMinute, status.ScheduledUsedThisMinute, status.ReserveUsedThisMinute));
        Assert.Equal(24, replay.Stats.UnusualWhales.RestRequests());
        Assert.True(status.SyncedWithServer, "the limiter has heard the server's own count");
        Assert.Equal(6, status.ServerMinuteRemaining);
        Assert.Equal(0, replay.Stats.UnusualWhales.RateLimitedResponses);
        Assert.Equal(24, await servers.ScalarAsync("SELECT count(*) FROM uw_rest_payloads WHERE scope = ANY(@s)", ("s", tickers)));
        Assert.True(status.DeferredByTier.Values.Sum() >= tickers.Length * endpoints.Length, "waiting turns are counted as deferred");
    }

    [Fact]
    public async Task When_tokens_are_short_tier_0_is_served_before_tier_3()
    {
        var token = UwRestTestKit.NewToken();
        await using var replay = await UwRestTestKit.StartReplayAsync(token);
        // No jobs: the test is the only client of the limiter. 20/min: 16 scheduled tokens.
        var settings = UwRestTestKit.Settings(servers, replay, token, ["RSPRI"], requestsPerMinute: 20);
        settings["Sources:UnusualWhales:Rest:Enabled"] = "false";
        settings["Sources:UnusualWhales:Rest:RateLimitBackoff"] = "00:00:03";
        settings["Sources:UnusualWhales:Rest:MaxTokenWait"] = "00:00:05";
        await using var cluster = await UwRestTestKit.StartClusterAsync(settings);
        var limiter = cluster.Client.GetGrain<IRateLimiterGrain>(UwRestCaller.CredentialKey(token));

        // A 429 pauses the budget; meanwhile ten tier-3 requests queue, then ten tier-0 requests.
        await limiter.ReportAsync(new RateReport(429, 20, 60_000, null, null, null));
        var tier3 = Enumerable.Range(0, 10).Select(i => limiter.AcquireAsync(new RateRequest($"t3-{i}", 3, RatePurpose.Scheduled))).ToList();
        await Eventually.MatchesAsync(limiter.GetStatusAsync, s => s.Waiting == 10, "tier-3 requests queued");
        var tier0 = Enumerable.Range(0, 10).Select(i => limiter.AcquireAsync(new RateRequest($"t0-{i}", 0, RatePurpose.Scheduled))).ToList();

        var granted0 = (await Task.WhenAll(tier0)).Count(l => l.Granted);
        var granted3 = (await Task.WhenAll(tier3)).Count(l => l.Granted);
        Assert.Equal((10, 6), (granted0, granted3));
        var status = await limiter.GetStatusAsync();
        Assert.Equal(10, status.GrantedByTier[0]);
        Assert.Equal(6, status.GrantedByTier[3]);
        Assert.Equal(1, status.RateLimitedResponses);
    }

    [Fact]
    public async Task A_429_without_Retry_After_backs_off_10_seconds_doubling_and_daily_exhaustion_pauses_until_8_pm_eastern()
    {
        var token = UwRestTestKit.NewToken();
        await using var replay = await UwRestTestKit.StartReplayAsync(token);
        var settings = UwRestTestKit.Settings(servers, replay, token, ["RSBO"]);
        settings["Sources:UnusualWhales:Rest:Enabled"] = "false";
        settings["Sources:UnusualWhales:Rest:MaxTokenWait"] = "00:00:01";
        await using var cluster = await UwRestTestKit.StartClusterAsync(settings);
        var limiter = cluster.Client.GetGrain<IRateLimiterGrain>(UwRestCaller.CredentialKey(token));

        var before = DateTimeOffset.UtcNow;
        await limiter.ReportAsync(new RateReport(429, 0, 30_000, 10, 15_000, null));
        var first = await limiter.GetStatusAsync();
        Assert.InRange(first.PausedUntil!.Value - before, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10.5));
        await limiter.ReportAsync(new RateReport(429, 0, 30_000, 10, 15_000, null));
        var second = await limiter.GetStatusAsync();
        Assert.InRange(second.PausedUntil!.Value - before, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20.5));
        var denied = await limiter.AcquireAsync(new RateRequest("probe", 0, RatePurpose.Reserve)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(denied.Granted);

        await limiter.ReportAsync(new RateReport(429, 0, 30_000, 15_000, 15_000, TimeSpan.FromSeconds(1)));
        var daily = await limiter.GetStatusAsync();
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var resetLocal = TimeZoneInfo.ConvertTime(daily.PausedUntil!.Value, newYork);
        Assert.Equal(("daily limit reached", 20, 0, 0), (daily.PauseReason, resetLocal.Hour, resetLocal.Minute, resetLocal.Second));
        Assert.InRange(daily.PausedUntil.Value - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task A_fresh_limiter_activation_sends_one_request_at_a_time_until_the_server_reports_its_count()
    {
        // After a silo loss the new activation does not know what its predecessor spent this minute.
        var token = UwRestTestKit.NewToken();
        await using var replay = await UwRestTestKit.StartReplayAsync(token);
        var settings = UwRestTestKit.Settings(servers, replay, token, ["RSSYN"]);
        settings["Sources:UnusualWhales:Rest:Enabled"] = "false";
        settings["Sources:UnusualWhales:Rest:MaxTokenWait"] = "00:00:01";
        await using var cluster = await UwRestTestKit.StartClusterAsync(settings);
        var limiter = cluster.Client.GetGrain<IRateLimiterGrain>(UwRestCaller.CredentialKey(token));

        Assert.True((await limiter.AcquireAsync(new RateRequest("probe", 0, RatePurpose.Scheduled))).Granted);
        var second = await limiter.AcquireAsync(new RateRequest("second", 0, RatePurpose.Scheduled));
        Assert.Equal((false, "waiting for the server's count"), (second.Granted, second.Reason));
        Assert.False((await limiter.GetStatusAsync()).SyncedWithServer);

        await limiter.ReportAsync(new RateReport(200, 3, 30_000, 117, 15_000, null));
        var granted = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => limiter.AcquireAsync(new RateRequest($"after-{i}", 0, RatePurpose.Scheduled))));
        // The server said 3 left this minute: 3 more go out, the fourth waits for the server's window to reset.
        Assert.Equal(3, granted.Count(l => l.Granted));
        var status = await limiter.GetStatusAsync();
        Assert.Equal((true, 0, 4), (status.SyncedWithServer, status.ServerMinuteRemaining, status.UsedThisMinute));
    }

    [Fact]
    public async Task A_429_pauses_polling_for_at_least_10_seconds_then_polling_resumes()
    {
        var token = UwRestTestKit.NewToken();
        await using var replay = await UwRestTestKit.StartReplayAsync(token);
        replay.Faults.FailNextUnusualWhalesRequests(429, 1);
        var settings = UwRestTestKit.Settings(servers, replay, token, ["RSRL"], include: ["stock-state"]);
        settings["Sources:UnusualWhales:Rest:Endpoints:stock-state:Cadence"] = "00:00:00.500";
        // The replay's forced 429 says Retry-After: 60 (the rest of its minute window); the cap keeps this test short.
        settings["Sources:UnusualWhales:Rest:MaxRateLimitBackoff"] = "00:00:12";
        await using var cluster = await UwRestTestKit.StartClusterAsync(settings);

        var job = cluster.Client.GetGrain<IUwRestJobGrain>("stock-state|RSRL");
        var failed = await Eventually.MatchesAsync(job.GetStatusAsync, s => s.Failures == 1, "the 429");
        Assert.Contains("HTTP 429", failed.LastError);
        var limiter = await cluster.Client.GetGrain<IRateLimiterGrain>(UwRestCaller.CredentialKey(token)).GetStatusAsync();
        Assert.Equal("429 from server", limiter.PauseReason);
        // Retry-After (60 s) is longer than the 10 s back-off, so it wins, up to the configured 12 s maximum.
        Assert.InRange((limiter.PausedUntil - failed.LastFailureAt)!.Value, TimeSpan.FromSeconds(11.8), TimeSpan.FromSeconds(12));

        var resumed = await Eventually.MatchesAsync(job.GetStatusAsync, s => s.Successes == 1, "polling to resume", TimeSpan.FromSeconds(20));
        Assert.True(resumed.LastSuccessAt - resumed.LastFailureAt > TimeSpan.FromSeconds(11.8), $"resumed at {resumed.LastSuccessAt}, failed at {resumed.LastFailureAt}");
        Assert.Equal(2, replay.Stats.UnusualWhales.RestRequests(StockState));
        Assert.Equal(1, replay.Stats.UnusualWhales.RateLimitedResponses);
    }

    [Fact]
    public async Task A_500_is_retried_three_times_then_the_job_waits_its_next_turn_and_the_token_never_reaches_the_logs()
    {
        var token = UwRestTestKit.NewToken();
        var logs = new CapturingLoggerProvider();
        await using var replay = await UwRestTestKit.StartReplayAsync(token);
        replay.Faults.FailNextUnusualWhalesRequests(500, 4);
        var settings = UwRestTestKit.Settings(servers, replay, token, ["RSERR"], include: ["stock-state"]);
        settings["Sources:UnusualWhales:Rest:Endpoints:stock-state:Cadence"] = "00:00:02";
        var cluster = await UwRestTestKit.StartClusterAsync(settings, logs);
        try
        {
            var job = cluster.Client.GetGrain<IUwRestJobGrain>("stock-state|RSERR");
            var failed = await Eventually.MatchesAsync(job.GetStatusAsync, s => s.Failures == 1, "the failed turn");
            Assert.Equal((4L, 0L, 1), (failed.Requests, failed.Successes, failed.ConsecutiveFailures));
            Assert.Contains("HTTP 500", failed.LastError);
            Assert.Equal(4, replay.Stats.UnusualWhales.ServerErrorResponses);

            var recovered = await Eventually.MatchesAsync(job.GetStatusAsync, s => s.Successes == 1, "the next turn to succeed");
            Assert.Equal((5L, 1L, 0), (recovered.Requests, recovered.Failures, recovered.ConsecutiveFailures));
            Assert.True(recovered.LastSuccessAt - recovered.LastFailureAt >= TimeSpan.FromSeconds(1.8), "the job waited for its next turn");
            Assert.Equal(5, replay.Stats.UnusualWhales.RestRequests(StockState));
            Assert.Equal(1, await RowsAsync("stock-state", "RSERR"));
            var limiter = await cluster.Client.GetGrain<IRateLimiterGrain>(UwRestCaller.CredentialKey(token)).GetStatusAsync();
            Assert.Equal((2, 3), (limiter.ScheduledUsedThisMinute, limiter.ReserveUsedThisMinute));

            var report = await cluster.Silos[0].ServiceProvider.GetRequiredService<StatusReporter>().BuildAsync(CancellationToken.None);
            var section = report.UnusualWhalesRest!;
            Assert.Equal((1, 1, 0, 5L, 1L), (section.Jobs, section.Answered, section.Failing, section.Requests, section.Failures));
            Assert.Equal(5, section.Limiter!.UsedThisMinute);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
        Assert.Contains(logs.Lines, l => l.Contains("stock-state|RSERR failed", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enqueuing_the_same_option_chain_twice_fetches_its_contract_flow_once()
    {
        const string chain = "RSFU261218C00100000";
        var token = UwRestTestKit.NewToken();
        await using var replay = await UwRestTestKit.StartReplayAsync(token);
        var settings = UwRestTestKit.Settings(servers, replay, token, ["RSFU"]);
        settings["Sources:UnusualWhales:Rest:Enabled"] = "false";
        await using var cluster = await UwRestTestKit.StartClusterAsync(settings);

        var followUps = cluster.Client.GetGrain<IUwFollowUpGrain>(IUwFollowUpGrain.DefaultKey);
        Assert.True(await followUps.EnqueueContractFlowAsync(chain));
        Assert.False(await followUps.EnqueueContractFlowAsync("O:" + chain));
        await Eventually.MatchesAsync(followUps.GetStatusAsync, s => s.Fetched == 1 && s.Queued == 0, "the contract flow fetch");
        Assert.False(await followUps.EnqueueContractFlowAsync(chain));

        Assert.Equal(1, replay.Stats.UnusualWhales.RestRequests("/api/option-contract/{id}/flow"));
        Assert.Equal(1, await RowsAsync("option-contract-flow", chain));
        var limiter = await cluster.Client.GetGrain<IRateLimiterGrain>(UwRestCaller.CredentialKey(token)).GetStatusAsync();
        Assert.Equal((1, 0), (limiter.ReserveUsedThisMinute, limiter.ScheduledUsedThisMinute));
        Assert.Equal(2, (await followUps.GetStatusAsync()).Duplicates);
    }
}
