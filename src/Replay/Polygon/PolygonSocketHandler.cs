using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Ingestion.Replay.Polygon;

/// <summary>What every Polygon socket shares.</summary>
internal sealed record PolygonServices(
    ReplayServerOptions Options,
    ReplayStats Stats,
    ReplayFaults Faults,
    ReplayConnections Connections,
    IPolygonFeed Feed,
    TimeProvider Time);

/// <summary>Accepts WebSockets on /stocks, /options and /indices and runs a <see cref="PolygonSession"/> for each.</summary>
internal sealed class PolygonSocketHandler(PolygonServices services, ILoggerFactory loggerFactory, CancellationToken serverStopping)
{
    private readonly ILogger logger = loggerFactory.CreateLogger<PolygonSocketHandler>();

    public void Map(IEndpointRouteBuilder endpoints)
    {
        foreach (var market in PolygonMarkets.All)
            endpoints.Map("/" + market, context => HandleAsync(context, market));
    }

    /// <summary>Exceptions that only mean the socket went away (client left, server dropped it, shutdown).</summary>
    public static bool IsDisconnect(Exception ex) =>
        ex is WebSocketException or OperationCanceledException or ConnectionAbortedException or IOException or ObjectDisposedException;

    private async Task HandleAsync(HttpContext context, string market)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"/{market} is a WebSocket endpoint.");
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero });
        using var connection = new PolygonConnection(market, context, socket);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping);
        services.Stats.RecordConnectionOpened(market);
        services.Connections.Add(connection);
        logger.LogInformation("Polygon {Market} client {Remote} connected", market, connection.RemoteEndpoint);
        try
        {
            await new PolygonSession(connection, services, logger).RunAsync(stop.Token);
        }
        catch (Exception ex) when (IsDisconnect(ex))
        {
            logger.LogDebug("Polygon {Market} client {Remote} socket ended: {Reason}", market, connection.RemoteEndpoint, ex.Message);
        }
        finally
        {
            services.Connections.Remove(connection);
            services.Stats.RecordConnectionClosed(market);
            connection.MarkFinished();
            logger.LogInformation("Polygon {Market} client {Remote} disconnected", market, connection.RemoteEndpoint);
        }
    }
}
