using Ingestion.Hosting;
using Ingestion.Replay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Ingestion.Tests.Infrastructure;

/// <summary>A real Orleans test cluster of ingestion silos (the production <c>AddIngestion</c>), in process.</summary>
public static class IngestionCluster
{
    /// <param name="services">Replaces production services after <c>AddIngestion</c> (a frozen market calendar, a fake clock).</param>
    public static async Task<InProcessTestCluster> StartAsync(IDictionary<string, string?> settings, int silos = 1, Action<IServiceCollection>? services = null)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureHost(host => host.Configuration.AddInMemoryCollection(settings));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddIngestion(silo.Configuration);
            services?.Invoke(silo.Services);
            silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Settings for a Polygon feed pointed at a replay server, with fast test timings.</summary>
    public static Dictionary<string, string?> PolygonSettings(ServersFixture servers, Uri replayRoot,
        string[] stocks, string[]? indices = null, string[]? contracts = null) =>
        PolygonSettings(servers.SiloSettings(), replayRoot, stocks, indices, contracts);

    /// <summary>The same, on top of <paramref name="settings"/> (servers of a test's own).</summary>
    public static Dictionary<string, string?> PolygonSettings(Dictionary<string, string?> settings, Uri replayRoot,
        string[] stocks, string[]? indices = null, string[]? contracts = null)
    {
        settings["Sources:Polygon:WebSocketUrl"] = replayRoot.ToString().TrimEnd('/');
        settings["Sources:Polygon:ApiKey"] = "replay-key";
        settings["Sources:Polygon:RestBaseUrl"] = new UriBuilder(replayRoot) { Scheme = Uri.UriSchemeHttp }.Uri.ToString().TrimEnd('/');
        settings["Sources:Polygon:RespectMarketHours"] = "false";
        settings["Sources:Polygon:Connection:InitialBackoff"] = "00:00:00.100";
        settings["Sources:Polygon:Connection:MaxBackoff"] = "00:00:01";
        settings["Sources:Polygon:Connection:AuthFailureBackoff"] = "00:00:02";
        settings["Sources:Polygon:Connection:SilenceTimeout"] = "00:00:05";
        settings["Storage:FlushInterval"] = "00:00:00.200";
        settings["Ingestion:ConnectionKeepAliveInterval"] = "00:00:00.500";
        Add(settings, "Sources:Polygon:Stocks", stocks);
        Add(settings, "Sources:Polygon:Indices", indices ?? []);
        Add(settings, "Sources:Polygon:OptionContracts", contracts ?? []);
        return settings;
    }

    /// <summary>Settings for Unusual Whales pointed at a replay server (Polygon off), with fast test timings.</summary>
    public static Dictionary<string, string?> UnusualWhalesSettings(ServersFixture servers, ReplayServer replay, string[] watchlist)
    {
        var settings = servers.SiloSettings();
        settings["Sources:Polygon:Enabled"] = "false";
        settings["Sources:UnusualWhales:Enabled"] = "true";
        settings["Sources:UnusualWhales:Token"] = "replay-token";
        settings["Sources:UnusualWhales:WebSocketUrl"] = replay.UnusualWhalesWebSocketUrl.ToString();
        settings["Sources:UnusualWhales:RestBaseUrl"] = replay.UnusualWhalesRestRoot.ToString().TrimEnd('/');
        // Scheduled REST polling has its own tests (and would archive global-scope payloads theirs count); follow-ups still run.
        settings["Sources:UnusualWhales:Rest:Enabled"] = "false";
        settings["Sources:UnusualWhales:Connection:InitialBackoff"] = "00:00:00.100";
        settings["Sources:UnusualWhales:Connection:MaxBackoff"] = "00:00:01";
        settings["Sources:UnusualWhales:Connection:AuthFailureBackoff"] = "00:00:02";
        settings["Storage:FlushInterval"] = "00:00:00.200";
        settings["Ingestion:ConnectionKeepAliveInterval"] = "00:00:00.500";
        Add(settings, "Watchlist:Tickers", watchlist);
        return settings;
    }

    /// <summary>Switches on only the named <c>Sources:UnusualWhales:Channels</c> flags (e.g. "Prices"); every other family is off.</summary>
    public static void OnlyUnusualWhalesChannels(Dictionary<string, string?> settings, params string[] on)
    {
        foreach (var family in new[] { "FlowAlerts", "OptionTradesFullTape", "OptionTradesPerTicker", "Prices", "Gex", "GexStrike", "GexStrikeExpiry", "News" })
        {
            settings[$"Sources:UnusualWhales:Channels:{family}"] = on.Contains(family) ? "true" : "false";
        }
    }

    private static void Add(Dictionary<string, string?> settings, string key, string[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            settings[$"{key}:{i}"] = values[i];
        }
    }
}
