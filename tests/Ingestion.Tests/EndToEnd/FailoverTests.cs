using Ingestion.Connections;
using Ingestion.Replay;
using Ingestion.Tests.Infrastructure;

namespace Ingestion.Tests.EndToEnd;

[Collection(ServersCollection.Name)]
public sealed class FailoverTests(ServersFixture servers)
{
    [Fact]
    public async Task Connection_resumes_on_the_surviving_silo_when_its_silo_dies_and_data_keeps_landing()
    {
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 20 });
        await using var cluster = await IngestionCluster.StartAsync(
            IngestionCluster.PolygonSettings(servers, replay.PolygonWebSocketRoot, stocks: ["FAIL"]), silos: 2);
        var connection = cluster.Client.GetGrain<IPolygonSocketReaderGrain>("polygon/stocks/0");
        Task<long> Rows() => servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates WHERE symbol = 'FAIL'");
        await Eventually.MatchesAsync(Rows, n => n >= 20, "FAIL rows before the kill");

        var before = await connection.GetStatusAsync();
        var doomed = cluster.Silos.Single(s => s.SiloAddress.ToString() == before.Silo);
        var survivor = cluster.Silos.Single(s => s != doomed);
        await cluster.KillSiloAsync(doomed);
        var rowsAtKill = await Rows();

        var after = await Eventually.MatchesAsync(() => connection.GetStatusAsync(),
            s => s.Silo == survivor.SiloAddress.ToString() && s.State == ConnectionState.Streaming,
            "the connection to stream from the surviving silo", TimeSpan.FromSeconds(30));
        Assert.Equal(survivor.SiloAddress.ToString(), after.Silo);
        Assert.True(replay.Stats.AuthSuccesses("stocks") >= 2, "the survivor authenticated a new socket");
        await Eventually.MatchesAsync(Rows, n => n >= rowsAtKill + 40, "40 more FAIL rows after the failover", TimeSpan.FromSeconds(30));
        Assert.Equal(0, await servers.ScalarAsync(
            "SELECT count(*) FROM (SELECT start_ts FROM polygon_aggregates WHERE symbol = 'FAIL' GROUP BY start_ts HAVING count(*) > 1) d"));
    }
}
