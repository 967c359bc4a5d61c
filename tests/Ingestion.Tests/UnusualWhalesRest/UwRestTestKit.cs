using System.Collections.Concurrent;
using Ingestion.Hosting;
using Ingestion.Replay;
using Ingestion.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace Ingestion.Tests.UnusualWhalesRest;

/// <summary>A replay server speaking UW REST with its own token, and a cluster whose REST jobs poll it.</summary>
internal static class UwRestTestKit
{
    public static string NewToken() => "uw-secret-" + Guid.NewGuid().ToString("N");

    public static Task<ReplayServer> StartReplayAsync(string token, int requestsPerMinute = 1_000) =>
        ReplayServer.StartAsync(new ReplayServerOptions
        {
            // Unpaced: the synthetic clock stands still, so a repeated request gets an identical payload.
            Speed = 0,
            UnusualWhalesToken = token,
            UnusualWhalesRequestsPerMinute = requestsPerMinute,
        });

    /// <summary>Settings for UW REST pointed at <paramref name="replay"/>, with fast test timings.</summary>
    public static Dictionary<string, string?> Settings(ServersFixture servers, ReplayServer replay, string token, string[] tickers,
        string[]? include = null, int requestsPerMinute = 1_000)
    {
        var settings = servers.SiloSettings();
        settings["Sources:UnusualWhales:Enabled"] = "true";
        settings["Sources:Polygon:Enabled"] = "false";
        settings["Sources:UnusualWhales:Token"] = token;
        settings["Sources:UnusualWhales:RestBaseUrl"] = replay.UnusualWhalesRestRoot.ToString().TrimEnd('/');
        settings["Sources:UnusualWhales:RequestsPerMinute"] = requestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Sources:UnusualWhales:Rest:StartSpread"] = "00:00:00";
        settings["Sources:UnusualWhales:Rest:KeepAliveInterval"] = "00:00:00.500";
        settings["Sources:UnusualWhales:Rest:RetryDelay"] = "00:00:00.100";
        for (var i = 0; i < tickers.Length; i++) settings[$"Watchlist:Tickers:{i}"] = tickers[i];
        for (var i = 0; i < (include ?? []).Length; i++) settings[$"Sources:UnusualWhales:Rest:Include:{i}"] = include![i];
        return settings;
    }

    public static async Task<InProcessTestCluster> StartClusterAsync(IDictionary<string, string?> settings, ILoggerProvider? logs = null)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureHost(host =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            if (logs is not null)
            {
                host.Logging.SetMinimumLevel(LogLevel.Trace);
                host.Logging.AddProvider(logs);
            }
        });
        builder.ConfigureSilo((_, silo) => silo.AddIngestion(silo.Configuration));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}

/// <summary>Keeps every formatted log line (and exception) of the silo in memory.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Capturing(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Capturing(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception} {state}");
    }
}
