using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Ingestion.Replay;

/// <summary>
/// What every replay socket shares, whatever protocol it speaks: serialised sends (WebSocket allows one at a time,
/// between the receive loop's replies and the feed's data), the faults (garbage frames, drops), the close handshake
/// with a grace period, and a version of its subscriptions that changes whenever they do.
/// </summary>
internal abstract class ReplayConnection(HttpContext context, WebSocket socket) : IReplayConnection, IDisposable
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DropDrainTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DropGrace = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly ConcurrentQueue<string> garbage = new();
    private readonly CancellationTokenSource abortAfterClose = new();
    private int subscriptionsVersion;
    private bool finished;
    private volatile bool closing;
    private volatile bool dropped;

    public abstract string Market { get; }

    public string RemoteEndpoint { get; } = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";

    /// <summary>True once the server has started a close handshake or dropped the socket; nothing more is sent or handled.</summary>
    public bool IsClosing => closing || dropped;

    /// <summary>Woken on subscription changes and stall changes.</summary>
    public WakeSignal WakeSignal { get; } = new();

    /// <summary>Guards the subscriptions of the subclass and the connection's lifecycle flags.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>Changes whenever the subscriptions do (read it under <see cref="Gate"/> together with them).</summary>
    protected int SubscriptionsVersion => Volatile.Read(ref subscriptionsVersion);

    public void Wake() => WakeSignal.Set();

    public void QueueGarbage(string rawText)
    {
        garbage.Enqueue(rawText);
        Wake();
    }

    public void Abort()
    {
        lock (Gate)
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
        lock (Gate)
        {
            if (finished || dropped) return;
            dropped = true;
        }
        _ = ShutdownAfterInFlightSendAsync();
    }

    /// <summary>Called when the request handler returns; the pooled HttpContext must not be touched after that.</summary>
    public void MarkFinished()
    {
        lock (Gate) finished = true;
    }

    /// <summary>Sends one data frame, preceded by any queued garbage frames. Completes when the kernel has the bytes.</summary>
    /// <returns>False when the socket was dropped or is closing and nothing was sent.</returns>
    public Task<bool> SendDataAsync(ReadOnlyMemory<byte> frame, CancellationToken ct) => SendAsync(frame, ct, withGarbage: true);

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

    /// <summary>
    /// Reads whole messages until the client closes (the close is answered), handing each to <paramref name="onMessage"/>
    /// unless the socket is closing; a message over <paramref name="maxMessageBytes"/> goes to <paramref name="onTooBig"/> instead.
    /// </summary>
    public async Task ReceiveMessagesAsync(int maxMessageBytes, Func<WebSocketMessageType, ReadOnlyMemory<byte>, CancellationToken, Task> onMessage,
        Func<CancellationToken, Task> onTooBig, CancellationToken ct)
    {
        var chunk = new byte[16 * 1024];
        var message = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            var result = await socket.ReceiveAsync(chunk.AsMemory(), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await AcknowledgeCloseAsync(ct);
                return;
            }

            if (message.WrittenCount + result.Count > maxMessageBytes)
            {
                await onTooBig(ct);
                message.ResetWrittenCount();
                continue;
            }

            message.Write(chunk.AsSpan(0, result.Count));
            if (!result.EndOfMessage) continue;
            if (!IsClosing) await onMessage(result.MessageType, message.WrittenMemory, ct);
            message.ResetWrittenCount();
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

    /// <summary>
    /// Sends <paramref name="frame"/> unless the socket is closing; <paramref name="beforeSend"/> runs under the send
    /// lock first, so what it changes is in effect before the client can read the frame and before any later frame.
    /// </summary>
    protected async Task<bool> SendAsync(ReadOnlyMemory<byte> frame, CancellationToken ct, bool withGarbage = false, Action? beforeSend = null)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            if (IsClosing) return false;
            beforeSend?.Invoke();
            if (withGarbage) await SendQueuedGarbageAsync(ct);
            await socket.SendAsync(frame, WebSocketMessageType.Text, true, ct);
            return true;
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Sends <paramref name="lastFrame"/> if any, starts the close handshake, and aborts if the client has not answered within a grace period.</summary>
    protected async Task CloseAsync(byte[]? lastFrame, WebSocketCloseStatus code, string? reason, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            if (IsClosing) return;
            closing = true;
            AbortAfter(CloseGrace);
            if (lastFrame is not null) await socket.SendAsync(lastFrame, WebSocketMessageType.Text, true, ct);
            await socket.CloseOutputAsync(code, reason, ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Applies a subscription change under <see cref="Gate"/>; when it changed anything, bumps the version and wakes the sender.</summary>
    protected bool ChangeSubscriptions(Func<bool> change)
    {
        bool changed;
        lock (Gate)
        {
            changed = change();
            if (changed) subscriptionsVersion++;
        }
        if (changed) Wake();
        return changed;
    }

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
        lock (Gate)
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
}
