using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace Ingestion.Replay.UnusualWhales.Socket;

/// <summary>One client socket on /socket: its joined channels.</summary>
internal sealed class UwConnection(HttpContext context, WebSocket socket) : ReplayConnection(context, socket)
{
    /// <summary>The <see cref="IReplayConnection.Market"/> of UW sockets, and the garbage fault's market=uw.</summary>
    public const string MarketName = "uw";

    private readonly Dictionary<string, UwChannel> channels = new(StringComparer.Ordinal);

    public override string Market => MarketName;

    public int ChannelsVersion => SubscriptionsVersion;

    /// <summary>
    /// Joins <paramref name="channel"/> and sends <paramref name="ack"/> while holding the send lock: the channel is live
    /// before the client can read the ack (as on UW, an ok means subscribed), and none of its data frames can precede the ack.
    /// </summary>
    public Task JoinAsync(UwChannel channel, byte[] ack, CancellationToken ct) =>
        SendAsync(ack, ct, beforeSend: () => ChangeSubscriptions(() => channels.TryAdd(channel.Name, channel)));

    public bool Leave(string channel) => ChangeSubscriptions(() => channels.Remove(channel));

    public bool HasJoined(string channel)
    {
        lock (Gate) return channels.ContainsKey(channel);
    }

    /// <summary>The joined channels and a version that changes whenever they do.</summary>
    public (int Version, IReadOnlyList<UwChannel> Channels) Channels()
    {
        lock (Gate) return (SubscriptionsVersion, [.. channels.Values]);
    }

    /// <summary>Sends a reply (join ack, leave ack, error) at once.</summary>
    public Task SendReplyAsync(byte[] frame, CancellationToken ct) => SendAsync(frame, ct);

    /// <summary>Starts the close handshake and aborts if the client has not answered within a grace period.</summary>
    public Task CloseAsync(WebSocketCloseStatus code, string reason, CancellationToken ct) => CloseAsync(null, code, reason, ct);
}
