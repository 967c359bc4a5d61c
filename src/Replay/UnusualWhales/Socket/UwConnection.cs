using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Ingestion.Replay.UnusualWhales.Socket;

/// <summary>
/// One client socket on /socket: its joined channels and its outgoing frames. Sends are serialised (WebSocket
/// allows one at a time) between the receive loop's replies and the feed's data frames.
/// </summary>
internal sealed class UwConnection(HttpContext context, WebSocket socket) : IReplayConnection, IDisposable
{
    /// <summary>The <see cref="IReplayConnection.Market"/> of UW sockets, and the garbage fault's market=uw.</summary>
    public const string MarketName = "uw";

    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DropDrainTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DropGrace = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly ConcurrentQueue<string> garbage = new();
    private readonly Lock gate = new();
    private readonly Dictionary<string, UwChannel> channels = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource abortAfterClose = new();
    private int channelsVersion;
    private bool finished;
    private volatile bool closing;
    private volatile bool dropped;

    public string Market => MarketName;

    public string RemoteEndpoint { get; } = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";

    /// <summary>True once the server has started a close handshake or dropped the socket; nothing more is sent.</summary>
    public bool IsClosing => closing || dropped;

    /// <summary>Woken on joins, leaves and stall changes.</summary>
    public WakeSignal WakeSignal { get; } = new();

    public int ChannelsVersion => Volatile.Read(ref channelsVersion);

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

    /// <summary>Ends the connection with no WebSocket close, after the frame in flight: every counted frame reaches the client.</summary>
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

    /// <summary>
    /// Joins <paramref name="channel"/> and sends <paramref name="ack"/> while holding the send lock: the channel is live
    /// before the client can read the ack (as on UW, an ok means subscribed), and none of its data frames can precede the ack.
    /// </summary>
    public async Task JoinAsync(UwChannel channel, byte[] ack, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            if (IsClosing) return;
            ChangeChannels(() => channels.TryAdd(channel.Name, channel));
            await socket.SendAsync(ack, WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    public bool Leave(string channel) => ChangeChannels(() => channels.Remove(channel));

    public bool HasJoined(string channel)
    {
        lock (gate) return channels.ContainsKey(channel);
    }

    /// <summary>The joined channels and a version that changes whenever they do.</summary>
    public (int Version, IReadOnlyList<UwChannel> Channels) Channels()
    {
        lock (gate) return (channelsVersion, [.. channels.Values]);
    }

    /// <summary>Sends a reply (join ack, leave ack, error) at once.</summary>
    public async Task SendReplyAsync(byte[] frame, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            if (IsClosing) return;
            await socket.SendAsync(frame, WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Sends one data frame, preceded by any queued garbage frames. Completes when the kernel has the bytes.</summary>
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

    /// <summary>Starts the close handshake and aborts if the client has not answered within a grace period.</summary>
    public async Task CloseAsync(WebSocketCloseStatus code, string reason, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            if (IsClosing) return;
            closing = true;
            AbortAfter(CloseGrace);
            await socket.CloseOutputAsync(code, reason, ct);
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

    private bool ChangeChannels(Func<bool> change)
    {
        bool changed;
        lock (gate)
        {
            changed = change();
            if (changed) channelsVersion++;
        }
        if (changed) Wake();
        return changed;
    }
}
