using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Ingestion.Replay.Polygon;

/// <summary>
/// One client socket on /stocks, /options or /indices: its auth state, its topics and its outgoing frames.
/// Sends are serialised (WebSocket allows one at a time) between the receive loop's acks and the feed's data.
/// </summary>
internal sealed class PolygonConnection(string market, HttpContext context, WebSocket socket) : IReplayConnection, IDisposable
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly ConcurrentQueue<string> garbage = new();
    private readonly Lock gate = new();
    private readonly HashSet<PolygonTopic> topics = [];
    private readonly CancellationTokenSource abortAfterClose = new();
    private int topicsVersion;
    private bool finished;
    private volatile bool authenticated;
    private volatile bool closing;

    public string Market => market;

    public string RemoteEndpoint { get; } = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";

    public bool IsAuthenticated => authenticated;

    /// <summary>True once the server has started a close handshake; nothing more is sent or handled.</summary>
    public bool IsClosing => closing;

    /// <summary>Woken on subscription changes and stall changes.</summary>
    public WakeSignal WakeSignal { get; } = new();

    public void MarkAuthenticated() => authenticated = true;

    public void Wake() => WakeSignal.Set();

    public void QueueGarbage(string rawText) => garbage.Enqueue(rawText);

    public void Abort()
    {
        lock (gate)
        {
            if (!finished) context.Abort();
        }
    }

    /// <summary>Called when the request handler returns; the pooled HttpContext must not be touched after that.</summary>
    public void MarkFinished()
    {
        lock (gate) finished = true;
    }

    public bool Subscribe(PolygonTopic topic) => ChangeTopics(() => topics.Add(topic));

    public bool Unsubscribe(PolygonTopic topic) => ChangeTopics(() => topics.Remove(topic));

    /// <summary>True when the event's topic, or its ev wildcard, is subscribed.</summary>
    public bool IsSubscribed(string ev, string symbol)
    {
        lock (gate) return topics.Contains(new PolygonTopic(ev, symbol)) || topics.Contains(new PolygonTopic(ev, PolygonTopic.Wildcard));
    }

    /// <summary>The current topics and a version that changes whenever they do.</summary>
    public (int Version, IReadOnlyList<PolygonTopic> Topics) Subscriptions()
    {
        lock (gate) return (topicsVersion, [.. topics]);
    }

    public Task SendStatusAsync(PolygonStatus status, CancellationToken ct) => SendStatusAsync([status], ct);

    public async Task SendStatusAsync(IReadOnlyList<PolygonStatus> statuses, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            await socket.SendAsync(PolygonStatus.Frame(statuses), WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Sends one data frame, preceded by any queued garbage frames. Completes when the frame is handed to the transport.</summary>
    public async Task SendDataAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            while (garbage.TryDequeue(out var raw))
                await socket.SendAsync(Encoding.UTF8.GetBytes(raw), WebSocketMessageType.Text, true, ct);
            await socket.SendAsync(frame, WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Sends a final status, starts the close handshake, and aborts if the client has not answered within a grace period.</summary>
    public async Task CloseWithStatusAsync(PolygonStatus status, WebSocketCloseStatus code, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            if (closing) return;
            closing = true;
            abortAfterClose.Token.Register(Abort);
            abortAfterClose.CancelAfter(CloseGrace);
            await socket.SendAsync(PolygonStatus.Frame([status]), WebSocketMessageType.Text, true, ct);
            await socket.CloseOutputAsync(code, status.Message, ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Answers a close the client started.</summary>
    public async Task AcknowledgeCloseAsync(CancellationToken ct)
    {
        if (socket.State != WebSocketState.CloseReceived) return;
        await sendLock.WaitAsync(ct);
        try
        {
            closing = true;
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    public void Dispose()
    {
        abortAfterClose.Dispose();
        sendLock.Dispose();
    }

    private bool ChangeTopics(Func<bool> change)
    {
        bool changed;
        lock (gate)
        {
            changed = change();
            if (changed) topicsVersion++;
        }
        if (changed) Wake();
        return changed;
    }
}
