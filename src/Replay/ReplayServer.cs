using Ingestion.Replay.Polygon;
using Ingestion.Replay.Polygon.Recorded;
using Ingestion.Replay.Polygon.Rest;
using Ingestion.Replay.Polygon.Synthetic;
using Ingestion.Replay.UnusualWhales.Recorded;
using Ingestion.Replay.UnusualWhales.Rest;
using Ingestion.Replay.UnusualWhales.Socket;
using Ingestion.Replay.UnusualWhales.Synthetic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Replay;

/// <summary>
/// An in-process stand-in for the vendors' servers (Polygon/Massive WebSockets; Unusual Whales WebSocket and REST),
/// speaking their wire protocols on loopback, with fault injection and live counters. Start with <see cref="StartAsync"/>; dispose to stop.
/// </summary>
public sealed class ReplayServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication app;
    private readonly ReplayConnections connections;
    private readonly CancellationTokenSource stopping;
    private readonly Task feed;
    private readonly ILogger logger;
    private int disposed;

    private ReplayServer(WebApplication app, ReplayConnections connections, CancellationTokenSource stopping, Task feed,
        ReplayFaults faults, ReplayStats stats, ILogger logger)
    {
        this.app = app;
        this.connections = connections;
        this.stopping = stopping;
        this.feed = feed;
        this.logger = logger;
        Faults = faults;
        Stats = stats;
        HttpRoot = ListeningRoot(app);
        PolygonWebSocketRoot = new UriBuilder(HttpRoot) { Scheme = HttpRoot.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
        UnusualWhalesWebSocketUrl = new Uri(PolygonWebSocketRoot, UwSocketHandler.Path);
        UnusualWhalesRestRoot = HttpRoot;
    }

    /// <summary>e.g. ws://127.0.0.1:41234/socket; clients append ?token=.</summary>
    public Uri UnusualWhalesWebSocketUrl { get; }

    /// <summary>e.g. http://127.0.0.1:41234; REST paths start with /api/ (see <see cref="UwRestCatalog"/>).</summary>
    public Uri UnusualWhalesRestRoot { get; }

    /// <summary>e.g. ws://127.0.0.1:41234; clients append /stocks, /options or /indices.</summary>
    public Uri PolygonWebSocketRoot { get; }

    /// <summary>e.g. http://127.0.0.1:41234, for /replay/* and /healthz.</summary>
    public Uri HttpRoot { get; }

    public ReplayFaults Faults { get; }

    public ReplayStats Stats { get; }

    public static async Task<ReplayServer> StartAsync(ReplayServerOptions options, ILoggerFactory? loggerFactory = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Snapshot();
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid replay options: " + string.Join(" ", errors), nameof(options));
        loggerFactory ??= NullLoggerFactory.Instance;

        var time = TimeProvider.System;
        var logger = loggerFactory.CreateLogger<ReplayServer>();
        var connections = new ReplayConnections();
        var stats = new ReplayStats();
        var faults = new ReplayFaults(connections, time, loggerFactory.CreateLogger<ReplayFaults>());
        var clock = new ReplayClock(options.Speed, options.StartTime, time);
        var polygonFeed = CreatePolygonFeed(options, clock, connections, faults, stats, loggerFactory);
        var stopping = new CancellationTokenSource();

        var uwFeed = CreateUnusualWhalesFeed(options, clock, connections, faults, stats.UnusualWhales, loggerFactory);

        var polygon = new PolygonSocketHandler(new PolygonServices(options, stats, faults, connections, polygonFeed, time), loggerFactory, stopping.Token);
        var uwSocket = new UwSocketHandler(new UwServices(options, stats.UnusualWhales, faults, connections, uwFeed), loggerFactory, stopping.Token);
        var uwRest = new UwRestHandler(options, stats.UnusualWhales, faults,
            new UwRateLimiter(options.UnusualWhalesRequestsPerMinute, options.UnusualWhalesDailyRequestLimit, time), clock,
            loggerFactory.CreateLogger<UwRestHandler>());
        var app = BuildApp(options, loggerFactory, polygon, uwSocket, uwRest, stats, faults);
        app.MapPolygonMarketStatus(options, clock);
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            stopping.Dispose();
            throw;
        }

        var feed = Task.WhenAll(
            Task.Run(() => polygonFeed.RunAsync(stopping.Token), CancellationToken.None),
            Task.Run(() => uwFeed.RunAsync(stopping.Token), CancellationToken.None));
        return new ReplayServer(app, connections, stopping, feed, faults, stats, logger);
    }

    /// <summary>Stops the feeds, aborts every socket and stops Kestrel.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        await stopping.CancelAsync();
        foreach (var connection in connections.Snapshot()) connection.Abort();
        using (var timeout = new CancellationTokenSource(StopTimeout)) await app.StopAsync(timeout.Token);
        await ObserveFeedAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }

    private static IPolygonFeed CreatePolygonFeed(ReplayServerOptions options, ReplayClock clock, ReplayConnections connections,
        ReplayFaults faults, ReplayStats stats, ILoggerFactory loggerFactory) =>
        options.IsSynthetic
            ? new SyntheticFeed(options, clock, faults, stats, loggerFactory.CreateLogger<SyntheticFeed>())
            : new RecordedDatasetPlayer(RecordedDataset.Load(options.Dataset), clock, connections, faults, stats,
                loggerFactory.CreateLogger<RecordedDatasetPlayer>());

    /// <summary>Synthetic, or the "/socket" lines of the same recorded file Polygon plays (see <see cref="UwRecordedDataset"/>).</summary>
    private static IUwFeed CreateUnusualWhalesFeed(ReplayServerOptions options, ReplayClock clock, ReplayConnections connections,
        ReplayFaults faults, UnusualWhales.UnusualWhalesStats stats, ILoggerFactory loggerFactory) =>
        options.IsSynthetic
            ? new UwSyntheticFeed(options, clock, faults, stats, loggerFactory.CreateLogger<UwSyntheticFeed>())
            : new UwRecordedPlayer(UwRecordedDataset.Load(options.Dataset), clock, connections, faults, stats,
                loggerFactory.CreateLogger<UwRecordedPlayer>());

    private static WebApplication BuildApp(ReplayServerOptions options, ILoggerFactory loggerFactory, PolygonSocketHandler polygon,
        UwSocketHandler uwSocket, UwRestHandler uwRest, ReplayStats stats, ReplayFaults faults)
    {
        // The empty builder reads no environment, command line or appsettings: an in-process server in a test
        // must not pick up the host process's ASPNETCORE_URLS or logging configuration.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore().UseUrls(options.Urls).UseSetting(WebHostDefaults.PreventHostingStartupKey, "true");
        // Embedded in someone else's process: Ctrl-C belongs to the host (or test) that started us.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        ConfigureTransport(builder.Services);
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging();
        builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));

        var app = builder.Build();
        app.UseWebSockets();
        polygon.Map(app);
        uwSocket.Map(app);
        uwRest.Map(app);
        app.MapReplayEndpoints(stats, faults);
        return app;
    }

    /// <summary>
    /// A data frame counts as sent when its SendAsync completes. With a two-byte transport write buffer, that
    /// happens only once the kernel holds the bytes (nothing waits unsent in Kestrel's pipe), which is what lets
    /// <see cref="ReplayFaults.DropAllConnections"/> guarantee every counted frame reaches the client.
    /// </summary>
    private static void ConfigureTransport(IServiceCollection services) =>
        services.Configure<SocketTransportOptions>(sockets => sockets.MaxWriteBufferSize = 2);

    private static Uri ListeningRoot(WebApplication app)
    {
        var address = app.Urls.FirstOrDefault() ?? throw new InvalidOperationException("Kestrel reported no listening address.");
        var uri = new UriBuilder(address);
        if (uri.Host is "0.0.0.0" or "+" or "*") uri.Host = "127.0.0.1";
        if (uri.Host is "[::]" or "::") uri.Host = "[::1]";
        uri.Path = "";
        return uri.Uri;
    }

    private async Task ObserveFeedAsync()
    {
        try
        {
            await feed;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Replay feed failed");
        }
    }

    /// <summary>A host lifetime that neither listens for Ctrl-C nor prints status lines.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
