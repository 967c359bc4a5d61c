using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Ingestion.Replay.UnusualWhales.Socket;

/// <summary>
/// The server side of one UW socket: joins and leaves from the client, and the feed's send loop beside them.
/// There is no auth message: the token was checked before the upgrade. Protocol pings are answered by the
/// WebSocket implementation while the receive loop runs.
/// </summary>
internal sealed class UwSession(UwConnection connection, UwServices services, ILogger logger)
{
    private const int MaxMessageBytes = 64 * 1024;

    public async Task RunAsync(CancellationToken ct)
    {
        using var feedStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The feed runs beside the receive loop for the life of the socket, so it needs its own task.
        var feed = Task.Run(() => RunFeedAsync(feedStop.Token), CancellationToken.None);
        try
        {
            await ReceiveLoopAsync(ct);
        }
        finally
        {
            await feedStop.CancelAsync();
            await feed;
        }
    }

    private Task ReceiveLoopAsync(CancellationToken ct) =>
        connection.ReceiveMessagesAsync(MaxMessageBytes, HandleMessageAsync, ct => connection.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", ct), ct);

    private async Task HandleMessageAsync(WebSocketMessageType type, ReadOnlyMemory<byte> utf8, CancellationToken ct)
    {
        if (type != WebSocketMessageType.Text)
        {
            await connection.SendReplyAsync(UwJson.Error("", "invalid message: expected a text frame"), ct);
            return;
        }

        if (!UwClientMessage.TryParse(utf8, out var message, out var channel, out var error))
        {
            await connection.SendReplyAsync(UwJson.Error(channel, error), ct);
            return;
        }

        var handled = message.MsgType switch
        {
            UwClientMessage.Join => JoinAsync(message.Channel, ct),
            UwClientMessage.Leave => LeaveAsync(message.Channel, ct),
            _ => connection.SendReplyAsync(UwJson.Error(message.Channel, $"unknown msg_type: {message.MsgType}"), ct),
        };
        await handled;
    }

    private async Task JoinAsync(string name, CancellationToken ct)
    {
        services.Stats.RecordJoin(name);
        if (!UwChannel.TryParse(name, out var channel, out var error))
        {
            logger.LogDebug("UW client {Remote} join refused for {Channel}: {Error}", connection.RemoteEndpoint, name, error);
            await connection.SendReplyAsync(UwJson.Error(name, error), ct);
            return;
        }

        // Live and acknowledged in one step: no data frame overtakes the ack, and a client that has the ack is subscribed.
        await connection.JoinAsync(channel, UwJson.Ok(name), ct);
        logger.LogDebug("UW client {Remote} joined {Channel}", connection.RemoteEndpoint, name);
        services.Feed.ChannelsChanged(connection);
    }

    /// <summary>
    /// The reply to a leave is undocumented (only community code sends one). Phoenix answers phx_leave with an ok
    /// reply, so the replay sends the join ack's shape, after the channel has stopped: no frame of it follows the reply.
    /// </summary>
    private async Task LeaveAsync(string name, CancellationToken ct)
    {
        connection.Leave(name);
        services.Feed.ChannelsChanged(connection);
        await connection.SendReplyAsync(UwJson.Ok(name), ct);
        logger.LogDebug("UW client {Remote} left {Channel}", connection.RemoteEndpoint, name);
    }

    private async Task RunFeedAsync(CancellationToken ct)
    {
        try
        {
            await services.Feed.RunConnectionAsync(connection, ct);
        }
        catch (Exception ex) when (UwSocketHandler.IsDisconnect(ex))
        {
            if (!ct.IsCancellationRequested) connection.Abort();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "UW feed failed for {Remote}; dropping the socket", connection.RemoteEndpoint);
            connection.Abort();
        }
    }
}
