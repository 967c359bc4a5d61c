using Ingestion.Scheduling;
using Ingestion.Sources.UnusualWhales.Rest;
using Ingestion.Storage;
using Ingestion.Tests.Infrastructure;
using Ingestion.UnusualWhales;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Tests.UnusualWhalesRest;

/// <summary>
/// Back-pressure from storage to REST polling (seed 000 §8): while a silo's writers are backlogged, its job keeper
/// tells the rate limiter, which holds tiers 1–3 and lets tier 0 poll on; when storage catches up the lower tiers resume.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class StorageBacklogThrottleTests(ServersFixture servers)
{
    private const string Urgent = "/api/stock/{ticker}/stock-state";
    private const string Lower = "/api/stock/{ticker}/max-pain";

    [Fact]
    public async Task A_backlogged_writer_holds_the_lower_tiers_until_storage_catches_up()
    {
        var token = UwRestTestKit.NewToken();
        await using var replay = await UwRestTestKit.StartReplayAsync(token);
        var settings = UwRestTestKit.Settings(servers, replay, token, ["RSTHR"], include: ["stock-state", "max-pain"]);
        settings["Sources:UnusualWhales:Rest:Endpoints:stock-state:Cadence"] = "00:00:00.300";
        settings["Sources:UnusualWhales:Rest:Endpoints:stock-state:Tier"] = "0";
        settings["Sources:UnusualWhales:Rest:Endpoints:max-pain:Cadence"] = "00:00:00.300";
        settings["Sources:UnusualWhales:Rest:MaxTokenWait"] = "00:00:00.500";
        await using var cluster = await UwRestTestKit.StartClusterAsync(settings);
        var silo = cluster.Silos[0];
        var pressure = silo.ServiceProvider.GetRequiredService<StoragePressure>();
        var limiter = cluster.Client.GetGrain<IRateLimiterGrain>(UwRestCaller.CredentialKey(token));
        var lowerJob = cluster.Client.GetGrain<IUwRestJobGrain>(UwRestJob.KeyOf("max-pain", "RSTHR"));
        var stats = replay.Stats.UnusualWhales;
        await Eventually.MatchesAsync(() => Task.FromResult(stats.RestRequests(Lower)), n => n >= 2, "max-pain polled while storage keeps up");

        // The same report a PostgreSQL sink makes when its writes fail and rows go to the spool.
        pressure.Report("uw-test-writer", "postgres", new SinkPressure(InMemory: 0, Spooled: 5_000, BehindSeconds: 9, Failing: true));
        var held = await Eventually.MatchesAsync(limiter.GetStatusAsync, s => s.BackloggedSilos.Count == 1, "the limiter hears of the backlog");
        Assert.Equal([silo.SiloAddress.ToString()], held.BackloggedSilos);
        var deferredBefore = (await lowerJob.GetStatusAsync()).Deferred;
        await Eventually.MatchesAsync(lowerJob.GetStatusAsync, s => s.Deferred >= deferredBefore + 2, "max-pain turns deferred twice");
        var lowerWhileHeld = stats.RestRequests(Lower);
        var urgentWhileHeld = stats.RestRequests(Urgent);
        await Eventually.MatchesAsync(() => Task.FromResult(stats.RestRequests(Urgent)), n => n >= urgentWhileHeld + 5, "tier 0 keeps polling");
        Assert.Equal(lowerWhileHeld, stats.RestRequests(Lower));
        Assert.True((await limiter.GetStatusAsync()).DeferredByTier.GetValueOrDefault(2) >= 2, "held turns are counted as deferred");

        pressure.Forget("uw-test-writer", "postgres");
        await Eventually.MatchesAsync(limiter.GetStatusAsync, s => s.BackloggedSilos.Count == 0, "the limiter hears storage caught up");
        await Eventually.MatchesAsync(() => Task.FromResult(stats.RestRequests(Lower)), n => n >= lowerWhileHeld + 2, "max-pain resumes");
        Assert.Equal(0, stats.RateLimitedResponses);
    }
}
