using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Ingestion.Replay.Polygon;

/// <summary>
/// One client socket on /stocks, /options or /indices: its auth state, its topics and its outgoing frames.
/// Sends are serialised (WebSocket allows one at a time) between the receive loop's acks and the feed's data.
/// </summary>
internal sealed class PolygonConnection(string market, HttpContext context, WebSocket socket) : IReplayConnection, IDisposable
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DropDrainTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DropGrace = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly ConcurrentQueue<string> garbage = new();
    private readonly Lock gate = new();
    private readonly HashSet<PolygonTopic> topics = [];
    private readonly CancellationTokenSource abortAfterClose = new();
    private int topicsVersion;
    private bool finished;
    private volatile bool authenticated;
    private volatile bool closing;
    private volatile bool dropped;

    public string Market => market;

    public string RemoteEndpoint { get; } = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";

    public bool IsAuthenticated => authenticated;

    /// <summary>True once the server has started a close handshake or dropped the socket; nothing more is sent or handled.</summary>
    public bool IsClosing => closing || dropped;

    /// <summary>Woken on subscription changes and stall changes.</summary>
    public WakeSignal WakeSignal { get; } = new();

    public void MarkAuthenticated() => authenticated = true;

    public void Wake() => WakeSignal.Set();

    public void QueueGarbage(string rawText)
    {
        garbage.Enqueue(rawText);
        Wake();
    }

    public void Abort()
    {
        lock (gate)
        {
            if (!finished) context.Abort();
        }
    }

    /// <summary>
    /// Ends the connection with no WebSocket close: no frame is sent after this, the frame in flight (if any)
    /// completes, then TCP is shut down for sending. Unlike <see cref="Abort"/> (RST), the FIN arrives after every
    /// frame already counted as sent, so the client reads them all before it sees the connection end.
    /// </summary>
    public void Drop()
    {
        lock (gate)
        {
            if (finished || dropped) return;
            dropped = true;
        }
        _ = ShutdownAfterInFlightSendAsync();
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

    /// <summary>Changes whenever the topics do.</summary>
    public int TopicsVersion => Volatile.Read(ref topicsVersion);

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
            if (IsClosing) return;
            await socket.SendAsync(PolygonStatus.Frame(statuses), WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>
    /// Sends one data frame, preceded by any queued garbage frames. Completes when the kernel has the bytes.
    /// </summary>
    /// <returns>False when the socket was dropped or is closing and nothing was sent.</returns>
    public async Task<bool> SendDataAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            if (IsClosing) return false;
            await SendQueuedGarbageAsync(ct);
            await socket.SendAsync(frame, WebSocketMessageType.Text, true, ct);
            return true;
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Sends queued garbage now, for a feed that has no data frame left to put it in front of.</summary>
    public async Task FlushGarbageAsync(CancellationToken ct)
    {
        if (garbage.IsEmpty) return;
        await sendLock.WaitAsync(ct);
        try
        {
            if (!IsClosing) await SendQueuedGarbageAsync(ct);
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
            if (IsClosing) return;
            closing = true;
            AbortAfter(CloseGrace);
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

    // The send lock is not disposed: a drop may still be waiting on it, and it holds no unmanaged handle.
    public void Dispose() => abortAfterClose.Dispose();

    private async Task ShutdownAfterInFlightSendAsync()
    {
        var acquired = await sendLock.WaitAsync(DropDrainTimeout);
        try
        {
            if (acquired && TryShutdownSend()) AbortAfter(DropGrace);
            else Abort();
        }
        finally
        {
            if (acquired) sendLock.Release();
        }
    }

    private bool TryShutdownSend()
    {
        lock (gate)
        {
            if (finished) return true;
            if (context.Features.Get<IConnectionSocketFeature>()?.Socket is not { } tcp) return false;
            try
            {
                tcp.Shutdown(SocketShutdown.Send);
                return true;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>Hard-aborts if the client has not finished the connection within <paramref name="grace"/>.</summary>
    private void AbortAfter(TimeSpan grace)
    {
        try
        {
            abortAfterClose.Token.Register(Abort);
            abortAfterClose.CancelAfter(grace);
        }
        catch (ObjectDisposedException)
        {
            // The handler already finished.
        }
    }

    private async Task SendQueuedGarbageAsync(CancellationToken ct)
    {
        while (garbage.TryDequeue(out var raw))
            await socket.SendAsync(Encoding.UTF8.GetBytes(raw), WebSocketMessageType.Text, true, ct);
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
