using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using Ingestion.Connections;
using Ingestion.Observability;
using Microsoft.Extensions.Logging;

namespace Ingestion.Sources.Feeds;

/// <summary>
/// A WebSocket that stays connected: connect, let the protocol log in and subscribe, read frames
/// on a loop that never waits for anything downstream, restart on silence, and reconnect with
/// exponential backoff and jitter. Credentials refused by the server wait the long auth back-off.
/// </summary>
public sealed class FeedConnection(
    string name,
    IFeedProtocol protocol,
    FeedConnectionOptions options,
    IngestionMetrics metrics,
    ILogger logger,
    TimeProvider time)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private volatile ConnectionState _state = ConnectionState.Connecting;
    private volatile string? _lastError;
    private long _lastMessageTicks;
    private long _reconnects;
    private int _consecutiveFailures;

    public ConnectionState State => _state;
    public string? LastError => _lastError;
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    public DateTimeOffset? LastMessageAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastMessageTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                _state = ConnectionState.Connecting;
                await RunSessionAsync(cancellationToken);
                delay = options.InitialBackoff;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (FeedAuthenticationException ex)
            {
                _state = ConnectionState.AuthFailed;
                delay = options.AuthFailureBackoff;
                RecordFailure(ex.Message, authFailure: true);
            }
            catch (Exception ex)
            {
                _state = ConnectionState.Backoff;
                delay = Backoff(++attempt);
                RecordFailure(Describe(ex), authFailure: false);
            }

            if (ConsecutiveFailures == 0)
            {
                attempt = 0;
            }
            Interlocked.Increment(ref _reconnects);
            metrics.Reconnects.Add(1, new KeyValuePair<string, object?>("connection", name));
            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        _state = ConnectionState.Stopped;
    }

    private async Task RunSessionAsync(CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = options.PingInterval;
        socket.Options.KeepAliveTimeout = options.PingInterval;
        socket.Options.CollectHttpResponseDetails = true;
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectTimeout.CancelAfter(ConnectTimeout);
            try
            {
                await socket.ConnectAsync(protocol.Endpoint, connectTimeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"connect timed out after {ConnectTimeout.TotalSeconds:0} s");
            }
            catch (WebSocketException) when (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new FeedAuthenticationException($"the server refused the upgrade with HTTP {(int)socket.HttpStatusCode}");
            }
        }

        _state = ConnectionState.Authenticating;
        var session = new FeedSession(socket, MarkStreaming);
        try
        {
            await protocol.OnOpenedAsync(session, cancellationToken);
            await ReceiveLoopAsync(socket, session, cancellationToken);
        }
        finally
        {
            if (socket.State == WebSocketState.Open && cancellationToken.IsCancellationRequested)
            {
                using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "shutting down", closeTimeout.Token);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
                {
                    // The peer is gone or slow; the socket is disposed either way.
                }
            }
        }
    }

    private async Task ReceiveLoopAsync(ClientWebSocket socket, FeedSession session, CancellationToken cancellationToken)
    {
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var length = 0;
            long frameBytes = 0;
            var oversized = false;
            while (true)
            {
                if (length == buffer.Length && !oversized)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var silenceTimeout = protocol.SilenceTimeout(options.SilenceTimeout);
                silence.CancelAfter(silenceTimeout);
                ValueWebSocketReceiveResult result;
                try
                {
                    // Once a frame is oversized, `length` stops growing: the rest is drained over the spare end and forgotten.
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), silence.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"no data for {silenceTimeout.TotalSeconds:0.#} s");
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely,
                        $"server closed the connection ({socket.CloseStatus}: {socket.CloseStatusDescription})");
                }

                var receivedAt = time.GetUtcNow();
                Interlocked.Exchange(ref _lastMessageTicks, receivedAt.UtcTicks);
                frameBytes += result.Count;
                if (!oversized)
                {
                    length += result.Count;
                    if (length > options.MaxFrameBytes)
                    {
                        oversized = true;
                        length = Math.Min(length, 4096);
                    }
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }
                if (oversized)
                {
                    protocol.OnOversizedFrame(buffer.AsSpan(0, length), frameBytes, receivedAt);
                }
                else if (result.MessageType == WebSocketMessageType.Text)
                {
                    await protocol.OnFrameAsync(session, buffer.AsMemory(0, length), receivedAt, cancellationToken);
                }
                else
                {
                    protocol.OnOversizedFrame(buffer.AsSpan(0, Math.Min(length, 4096)), frameBytes, receivedAt);
                }
                length = 0;
                frameBytes = 0;
                oversized = false;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void MarkStreaming()
    {
        _state = ConnectionState.Streaming;
        if (Interlocked.Exchange(ref _consecutiveFailures, 0) > 0)
        {
            logger.LogInformation("Connection {Connection} is streaming again", name);
        }
    }

    private void RecordFailure(string error, bool authFailure)
    {
        error = protocol.Redact(error);
        _lastError = error;
        var failures = Interlocked.Increment(ref _consecutiveFailures);
        metrics.ConnectionFailures.Add(1, new KeyValuePair<string, object?>("connection", name));
        if (failures == options.AlertAfterFailures)
        {
            metrics.ConnectionAlerts.Add(1, new KeyValuePair<string, object?>("connection", name));
            logger.LogError("ALERT: connection {Connection} failed {Failures} times in a row; last error: {Error}", name, failures, error);
        }
        else if (authFailure && failures == 1)
        {
            logger.LogError("Connection {Connection} was refused by the server: {Error}; retrying every {Delay}", name, error, options.AuthFailureBackoff);
        }
        else
        {
            logger.LogWarning("Connection {Connection} failed ({Failures} in a row): {Error}", name, failures, error);
        }
    }

    /// <summary>Exponential back-off with "equal jitter": half fixed, half random, so reconnects spread out.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var exponential = options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 16));
        var capped = Math.Min(exponential, options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }

    private static string Describe(Exception ex) => ex switch
    {
        WebSocketException { InnerException: { } inner } => $"{ex.Message} ({inner.Message})",
        _ => ex.Message,
    };
}
