using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Ingestion.Replay.UnusualWhales.Socket;

/// <summary>What every UW socket shares.</summary>
internal sealed record UwServices(
    ReplayServerOptions Options,
    UnusualWhalesStats Stats,
    ReplayFaults Faults,
    ReplayConnections Connections,
    IUwFeed Feed);

/// <summary>Accepts WebSockets on /socket?token=… (protocols.md §1.1) and runs a <see cref="UwSession"/> for each.</summary>
internal sealed class UwSocketHandler(UwServices services, ILoggerFactory loggerFactory, CancellationToken serverStopping)
{
    public const string Path = "/socket";

    private readonly ILogger logger = loggerFactory.CreateLogger<UwSocketHandler>();

    public void Map(IEndpointRouteBuilder endpoints) => endpoints.Map(Path, HandleAsync);

    /// <summary>Exceptions that only mean the socket went away (client left, server dropped it, shutdown).</summary>
    public static bool IsDisconnect(Exception ex) =>
        ex is WebSocketException or OperationCanceledException or ConnectionAbortedException or IOException or ObjectDisposedException;

    private async Task HandleAsync(HttpContext context)
    {
        // The token is checked before the upgrade: a bad one is an HTTP 401, not a WebSocket frame.
        var token = context.Request.Query["token"].ToString();
        if (services.Faults.RefuseAuth || !string.Equals(token, services.Options.UnusualWhalesToken, StringComparison.Ordinal))
        {
            services.Stats.RecordConnectionRejected();
            logger.LogWarning("UW socket token refused for {Remote}", context.Connection.RemoteIpAddress);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("Unauthorized");
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"{Path} is a WebSocket endpoint.");
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero });
        using var connection = new UwConnection(context, socket);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping);
        services.Stats.RecordConnectionOpened();
        services.Connections.Add(connection);
        logger.LogInformation("UW client {Remote} connected", connection.RemoteEndpoint);
        try
        {
            await new UwSession(connection, services, logger).RunAsync(stop.Token);
        }
        catch (Exception ex) when (IsDisconnect(ex))
        {
            logger.LogDebug("UW client {Remote} socket ended: {Reason}", connection.RemoteEndpoint, ex.Message);
        }
        finally
        {
            services.Connections.Remove(connection);
            services.Stats.RecordConnectionClosed();
            connection.MarkFinished();
            logger.LogInformation("UW client {Remote} disconnected", connection.RemoteEndpoint);
        }
    }
}
