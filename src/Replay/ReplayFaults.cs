using Microsoft.Extensions.Logging;

namespace Ingestion.Replay;

/// <summary>Faults a test (or the HTTP endpoints) can inject into the running server. Thread-safe.</summary>
public sealed class ReplayFaults
{
    private readonly ReplayConnections connections;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Lock uwRestGate = new();
    private long stallUntilUtcTicks;
    private volatile bool refuseAuth;
    private int uwRestStatus;
    private int uwRestRemaining;

    internal ReplayFaults(ReplayConnections connections, TimeProvider time, ILogger logger)
    {
        this.connections = connections;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>
    /// When true, every Polygon auth gets auth_failed and the socket is closed with 1008; every Unusual Whales
    /// socket upgrade and REST request gets 401.
    /// </summary>
    public bool RefuseAuth
    {
        get => refuseAuth;
        set
        {
            refuseAuth = value;
            logger.LogInformation("Fault: refuse auth {RefuseAuth}", value);
        }
    }

    /// <summary>Signalled whenever a stall starts or ends, for the recorded player's single loop.</summary>
    internal WakeSignal StallChanged { get; } = new();

    /// <summary>
    /// Ends every open socket abruptly: no WebSocket close, no further frames. The TCP connection is shut down
    /// after the frame in flight, so every event counted in <see cref="ReplayStats.EventsSent(string)"/> reaches the client.
    /// </summary>
    public void DropAllConnections()
    {
        var open = connections.Snapshot();
        logger.LogInformation("Fault: dropping {Count} connections", open.Count);
        foreach (var connection in open) connection.Drop();
    }

    /// <summary>
    /// Every socket stops sending data frames for <paramref name="duration"/>; sockets stay open and pings are
    /// still answered. <see cref="TimeSpan.Zero"/> resumes at once; <see cref="Timeout.InfiniteTimeSpan"/> stalls until resumed.
    /// </summary>
    public void Stall(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero && duration != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A stall cannot be negative.");
        var until = duration == TimeSpan.Zero ? 0
            : duration == Timeout.InfiniteTimeSpan ? long.MaxValue
            : (time.GetUtcNow() + duration).UtcTicks;
        Volatile.Write(ref stallUntilUtcTicks, until);
        logger.LogInformation("Fault: stall for {Duration}", duration);
        foreach (var connection in connections.Snapshot()) connection.Wake();
        StallChanged.Set();
    }

    /// <summary>
    /// The next data frame on every open socket of <paramref name="market"/> is preceded by <paramref name="rawText"/>, sent as-is
    /// as its own text frame. A synthetic socket whose topics have all reached MaxEventsPerSymbol gets it at once.
    /// </summary>
    public void SendGarbage(string market, string rawText)
    {
        ArgumentException.ThrowIfNullOrEmpty(market);
        ArgumentNullException.ThrowIfNull(rawText);
        var count = 0;
        foreach (var connection in connections.Snapshot().Where(c => c.Market == market))
        {
            connection.QueueGarbage(rawText);
            count++;
        }
        logger.LogInformation("Fault: garbage frame queued on {Count} {Market} sockets", count, market);
    }

    /// <summary>
    /// The next <paramref name="count"/> authorised Unusual Whales REST requests get <paramref name="status"/>
    /// (429 with UW's body and Retry-After, or 500 text/plain) instead of data. Replaces any earlier such fault; count 0 clears it.
    /// </summary>
    public void FailNextUnusualWhalesRequests(int status, int count)
    {
        if (status is not (429 or 500)) throw new ArgumentOutOfRangeException(nameof(status), status, "Only 429 and 500 can be forced.");
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (uwRestGate)
        {
            uwRestStatus = status;
            uwRestRemaining = count;
        }
        logger.LogInformation("Fault: next {Count} Unusual Whales REST responses will be {Status}", count, status);
    }

    /// <summary>Takes one forced REST failure, if any are left.</summary>
    internal bool TryTakeUnusualWhalesRestFault(out int status)
    {
        lock (uwRestGate)
        {
            status = uwRestStatus;
            if (uwRestRemaining == 0) return false;
            uwRestRemaining--;
            return true;
        }
    }

    /// <summary>How much longer data frames are held back; zero when not stalled.</summary>
    internal TimeSpan StallRemaining()
    {
        var until = Volatile.Read(ref stallUntilUtcTicks);
        if (until == 0) return TimeSpan.Zero;
        if (until == long.MaxValue) return Timeout.InfiniteTimeSpan;
        var remaining = TimeSpan.FromTicks(until - time.GetUtcNow().UtcTicks);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    internal bool IsStalled => StallRemaining() != TimeSpan.Zero;
}
