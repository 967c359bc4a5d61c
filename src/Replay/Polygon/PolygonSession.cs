using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Ingestion.Replay.Polygon;

/// <summary>
/// The server side of one Polygon socket: connected status, auth (with timeout), subscribe and unsubscribe,
/// and the feed's send loop once authenticated.
/// </summary>
internal sealed class PolygonSession(
    PolygonConnection connection,
    PolygonServices services,
    ILogger logger)
{
    private const int MaxMessageBytes = 1024 * 1024;

    private readonly CancellationTokenSource feedStop = new();
    private Task feed = Task.CompletedTask;

    private string Market => connection.Market;

    public async Task RunAsync(CancellationToken ct)
    {
        using var authWatch = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var authTimeout = EnforceAuthTimeoutAsync(authWatch.Token);
        try
        {
            await connection.SendStatusAsync(PolygonStatus.Connected, ct);
            await ReceiveLoopAsync(ct);
        }
        finally
        {
            await authWatch.CancelAsync();
            await feedStop.CancelAsync();
            await Task.WhenAll(authTimeout, feed);
            feedStop.Dispose();
        }
    }

    private Task ReceiveLoopAsync(CancellationToken ct) =>
        connection.ReceiveMessagesAsync(MaxMessageBytes, HandleMessageAsync, ct => connection.CloseWithStatusAsync(PolygonStatus.Error("message too big"), WebSocketCloseStatus.MessageTooBig, ct), ct);

    private async Task HandleMessageAsync(WebSocketMessageType type, ReadOnlyMemory<byte> utf8, CancellationToken ct)
    {
        if (type != WebSocketMessageType.Text)
        {
            await connection.SendStatusAsync(PolygonStatus.Error("invalid message: expected a text frame"), ct);
            return;
        }

        if (!ClientCommand.TryParse(utf8, out var command, out var error))
        {
            await connection.SendStatusAsync(PolygonStatus.Error(error), ct);
            return;
        }

        var handled = command.Action switch
        {
            ClientCommand.Auth => AuthenticateAsync(command.Params, ct),
            ClientCommand.Subscribe => SubscribeAsync(command.Params, ct),
            ClientCommand.Unsubscribe => UnsubscribeAsync(command.Params, ct),
            _ => connection.SendStatusAsync(PolygonStatus.Error($"unknown action: {command.Action}"), ct),
        };
        await handled;
    }

    private async Task AuthenticateAsync(string key, CancellationToken ct)
    {
        services.Stats.RecordAuthAttempt(Market, services.Time.GetUtcNow());
        if (services.Faults.RefuseAuth || !string.Equals(key, services.Options.ApiKey, StringComparison.Ordinal))
        {
            logger.LogWarning("Polygon {Market} auth failed for {Remote}", Market, connection.RemoteEndpoint);
            await connection.CloseWithStatusAsync(PolygonStatus.AuthFailed, WebSocketCloseStatus.PolicyViolation, ct);
            return;
        }

        var first = !connection.IsAuthenticated;
        connection.MarkAuthenticated();
        services.Stats.RecordAuthSuccess(Market);
        await connection.SendStatusAsync(PolygonStatus.AuthSuccess, ct);
        if (!first) return;
        logger.LogInformation("Polygon {Market} client {Remote} authenticated", Market, connection.RemoteEndpoint);
        // The feed runs beside the receive loop for the life of the socket, so it needs its own task.
        feed = Task.Run(() => RunFeedAsync(feedStop.Token), CancellationToken.None);
        services.Feed.SubscriptionsChanged(connection);
    }

    private async Task SubscribeAsync(string topics, CancellationToken ct)
    {
        services.Stats.RecordSubscription(Market, topics);
        if (!await EnsureAuthenticatedAsync(ct)) return;
        var (valid, replies) = ParseTopics(topics, PolygonStatus.Subscribed);
        logger.LogDebug("Polygon {Market} client {Remote} subscribed to {Topics}", Market, connection.RemoteEndpoint, topics);
        // Acks first, then the topics go live: no data frame overtakes its subscribe ack.
        await connection.SendStatusAsync(replies, ct);
        foreach (var topic in valid) connection.Subscribe(topic);
        services.Feed.SubscriptionsChanged(connection);
    }

    private async Task UnsubscribeAsync(string topics, CancellationToken ct)
    {
        if (!await EnsureAuthenticatedAsync(ct)) return;
        var (valid, replies) = ParseTopics(topics, PolygonStatus.Unsubscribed);
        logger.LogDebug("Polygon {Market} client {Remote} unsubscribed from {Topics}", Market, connection.RemoteEndpoint, topics);
        // Topics stop before the acks: no frame started after the ack carries them.
        foreach (var topic in valid) connection.Unsubscribe(topic);
        await connection.SendStatusAsync(replies, ct);
        services.Feed.SubscriptionsChanged(connection);
    }

    /// <summary>Splits a params string into valid topics and one reply per entry (ack or error), in order.</summary>
    private (List<PolygonTopic> Valid, List<PolygonStatus> Replies) ParseTopics(string topics, Func<PolygonTopic, PolygonStatus> ack)
    {
        var valid = new List<PolygonTopic>();
        var replies = new List<PolygonStatus>();
        foreach (var text in topics.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (PolygonTopic.TryParse(Market, text, out var topic, out var error))
            {
                valid.Add(topic);
                replies.Add(ack(topic));
            }
            else
            {
                replies.Add(PolygonStatus.Error(error));
            }
        }
        if (replies.Count == 0) replies.Add(PolygonStatus.Error("no topics given"));
        return (valid, replies);
    }

    private async Task<bool> EnsureAuthenticatedAsync(CancellationToken ct)
    {
        if (connection.IsAuthenticated) return true;
        await connection.SendStatusAsync(PolygonStatus.NotAuthorized, ct);
        return false;
    }

    private async Task EnforceAuthTimeoutAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(services.Options.AuthTimeout, services.Time, ct);
            if (connection.IsAuthenticated) return;
            logger.LogWarning("Polygon {Market} client {Remote} sent no auth within {Timeout}", Market, connection.RemoteEndpoint, services.Options.AuthTimeout);
            await connection.CloseWithStatusAsync(PolygonStatus.AuthTimeout, WebSocketCloseStatus.PolicyViolation, ct);
        }
        catch (Exception ex) when (PolygonSocketHandler.IsDisconnect(ex))
        {
            // The socket ended first; nothing to time out.
        }
    }

    private async Task RunFeedAsync(CancellationToken ct)
    {
        try
        {
            await services.Feed.RunConnectionAsync(connection, ct);
        }
        catch (Exception ex) when (PolygonSocketHandler.IsDisconnect(ex))
        {
            if (!ct.IsCancellationRequested) connection.Abort();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Polygon {Market} feed failed for {Remote}; dropping the socket", Market, connection.RemoteEndpoint);
            connection.Abort();
        }
    }
}
