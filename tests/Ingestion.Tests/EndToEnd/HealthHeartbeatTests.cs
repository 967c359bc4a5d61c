using Ingestion.Connections;
using Ingestion.Observability;
using Ingestion.Replay;
using Ingestion.Tests.Infrastructure;
using StackExchange.Redis;

namespace Ingestion.Tests.EndToEnd;

/// <summary>The <c>ingestion:health:*</c> heartbeats in Redis (design §5): silo, connections and sinks, expiring when they stop.</summary>
[Collection(ServersCollection.Name)]
public sealed class HealthHeartbeatTests(ServersFixture servers)
{
    [Fact]
    public async Task Each_silo_beats_for_itself_its_connections_and_its_sinks_and_the_beats_expire_when_it_stops()
    {
        const int bars = 50;
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = bars });
        var settings = IngestionCluster.PolygonSettings(servers, replay.PolygonWebSocketRoot, stocks: ["HBT"]);
        settings["Ingestion:HealthHeartbeatInterval"] = "00:00:00.200";
        var cluster = await IngestionCluster.StartAsync(settings);
        var silo = cluster.Silos[0].SiloAddress;
        var redis = servers.Cache.GetDatabase();
        var connectionKey = HealthHeartbeat.ConnectionKey("polygon/stocks/0");
        var siloKey = HealthHeartbeat.SiloKey(silo.Endpoint.ToString());
        var sinkKey = HealthHeartbeat.SinkKey("polygon/stocks/0", "postgres");

        var connection = await Eventually.MatchesAsync(async () => (await redis.HashGetAllAsync(connectionKey)).ToStringDictionary(),
            h => h.GetValueOrDefault("silo") == silo.ToString() && h.GetValueOrDefault("events_received") == $"{bars}" && h.GetValueOrDefault("pending_publish") == "0",
            "the connection's heartbeat after all bars were read");
        Assert.Equal(nameof(ConnectionState.Streaming), connection["state"]);
        Assert.True(DateTimeOffset.Parse(connection["at"], System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddSeconds(-30));
        var sink = await Eventually.MatchesAsync(async () => (await redis.HashGetAllAsync(sinkKey)).ToStringDictionary(),
            h => h.GetValueOrDefault("silo") == silo.ToString() && h.GetValueOrDefault("last_write_at") is { Length: > 0 } && h.GetValueOrDefault("in_memory") == "0",
            "the PostgreSQL sink's heartbeat after its last write");
        Assert.Equal(("0", "0"), (sink["spooled"], sink["failing"]));
        var siloBeat = (await redis.HashGetAllAsync(siloKey)).ToStringDictionary();
        Assert.Equal((silo.ToString(), "1", "0"), (siloBeat["silo"], siloBeat["connections"], siloBeat["backlogged"]));
        var ttl = await redis.KeyTimeToLiveAsync(siloKey);
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(600));

        await cluster.DisposeAsync();
        await Eventually.TrueAsync(() => !redis.KeyExists(siloKey), "the stopped silo's heartbeat to expire", TimeSpan.FromSeconds(10));
    }
}
