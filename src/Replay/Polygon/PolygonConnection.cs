using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace Ingestion.Replay.Polygon;

/// <summary>One client socket on /stocks, /options or /indices: its auth state and its topics.</summary>
internal sealed class PolygonConnection(string market, HttpContext context, WebSocket socket) : ReplayConnection(context, socket)
{
    private readonly HashSet<PolygonTopic> topics = [];
    private volatile bool authenticated;

    public override string Market => market;

    public bool IsAuthenticated => authenticated;

    public void MarkAuthenticated() => authenticated = true;

    public bool Subscribe(PolygonTopic topic) => ChangeSubscriptions(() => topics.Add(topic));

    public bool Unsubscribe(PolygonTopic topic) => ChangeSubscriptions(() => topics.Remove(topic));

    /// <summary>True when the event's topic, or its ev wildcard, is subscribed.</summary>
    public bool IsSubscribed(string ev, string symbol)
    {
        lock (Gate) return topics.Contains(new PolygonTopic(ev, symbol)) || topics.Contains(new PolygonTopic(ev, PolygonTopic.Wildcard));
    }

    /// <summary>Changes whenever the topics do.</summary>
    public int TopicsVersion => SubscriptionsVersion;

    /// <summary>The current topics and a version that changes whenever they do.</summary>
    public (int Version, IReadOnlyList<PolygonTopic> Topics) Subscriptions()
    {
        lock (Gate) return (SubscriptionsVersion, [.. topics]);
    }

    public Task SendStatusAsync(PolygonStatus status, CancellationToken ct) => SendStatusAsync([status], ct);

    public Task SendStatusAsync(IReadOnlyList<PolygonStatus> statuses, CancellationToken ct) => SendAsync(PolygonStatus.Frame(statuses), ct);

    /// <summary>Sends a final status, starts the close handshake, and aborts if the client has not answered within a grace period.</summary>
    public Task CloseWithStatusAsync(PolygonStatus status, WebSocketCloseStatus code, CancellationToken ct) =>
        CloseAsync(PolygonStatus.Frame([status]), code, status.Message, ct);
}
