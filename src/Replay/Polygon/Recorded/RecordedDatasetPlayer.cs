using Microsoft.Extensions.Logging;

namespace Ingestion.Replay.Polygon.Recorded;

/// <summary>
/// Plays a <see cref="RecordedDataset"/> on a loop to every authenticated socket of each frame's path. Each socket
/// gets the elements whose topic it subscribed to (ev.sym, ev.* or, for V, ev.T) plus status elements. Frames go
/// out at their offsets scaled by Speed; at Speed 0 they go as fast as the slowest recipient reads. Every repeat
/// of the file moves event times forward, so repeats are new bars rather than duplicates.
/// </summary>
internal sealed class RecordedDatasetPlayer(
    RecordedDataset dataset,
    ReplayClock clock,
    ReplayConnections connections,
    ReplayFaults faults,
    ReplayStats stats,
    ILogger<RecordedDatasetPlayer> logger) : IPolygonFeed
{
    private readonly WakeSignal subscriptionsChanged = new();

    public Task RunConnectionAsync(PolygonConnection connection, CancellationToken ct) => Task.CompletedTask;

    public void SubscriptionsChanged(PolygonConnection connection) => subscriptionsChanged.Set();

    public async Task RunAsync(CancellationToken ct)
    {
        logger.LogInformation("Playing {Frames} recorded frames from {Path} on a loop", dataset.Frames.Count, dataset.Path);
        if (dataset.Frames.Count == 0) return;
        var passStart = clock.WallNow;
        for (long pass = 0; !ct.IsCancellationRequested; pass++)
        {
            // Unpaced, a pass nobody hears would be gone in microseconds: start each one only when someone listens.
            if (clock.IsUnpaced) await WaitForListenerAsync(ct);
            var delivered = false;
            foreach (var frame in dataset.Frames)
            {
                await WaitUntilAsync(passStart + clock.ToWall(frame.OffsetMs), ct);
                await WaitWhileStalledAsync(ct);
                delivered |= await BroadcastAsync(frame, pass * dataset.LoopTimeShiftMs, ct);
            }

            // Unpaced with nobody listening, another pass would only spin: wait for a subscriber instead.
            if (clock.IsUnpaced && !delivered) await subscriptionsChanged.WaitAsync(Timeout.InfiniteTimeSpan, ct);
            passStart += clock.ToWall(dataset.LoopDurationMs);
        }
    }

    private async Task<bool> BroadcastAsync(RecordedFrame frame, long shiftMs, CancellationToken ct)
    {
        var recipients = connections.OfType<PolygonConnection>().Where(c => c.Market == frame.Market && c.IsAuthenticated && !c.IsClosing).ToList();
        if (recipients.Count == 0) return false;
        var events = frame.Elements.Select(e => RecordedEvent.From(e, shiftMs)).ToList();
        var sends = recipients.Select(c => SendAsync(c, events, ct)).ToList();
        var sent = await Task.WhenAll(sends);
        return sent.Any(s => s);
    }

    private async Task<bool> SendAsync(PolygonConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
    {
        var allStatus = events.All(e => e.IsStatus);
        var selected = events.Where(e => e.IsStatus || (e.Symbol is not null && connection.IsSubscribed(e.Ev, e.Symbol))).ToList();
        if (selected.Count == 0 || (!allStatus && selected.All(e => e.IsStatus))) return false;
        try
        {
            if (!await connection.SendDataAsync(PolygonJson.ArrayFrame([.. selected.Select(e => (ReadOnlyMemory<byte>)e.Json)]), ct)) return false;
        }
        catch (Exception ex) when (PolygonSocketHandler.IsDisconnect(ex) && !ct.IsCancellationRequested)
        {
            connection.Abort();
            return false;
        }

        foreach (var group in selected.Where(e => !e.IsStatus).GroupBy(e => e.Symbol!))
            stats.RecordEventsSent(connection.Market, group.Key, group.Count());
        return true;
    }

    private async Task WaitForListenerAsync(CancellationToken ct)
    {
        while (!connections.OfType<PolygonConnection>().Any(c => c.IsAuthenticated && c.Subscriptions().Topics.Count > 0))
            await subscriptionsChanged.WaitAsync(Timeout.InfiniteTimeSpan, ct);
    }

    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken ct)
    {
        var delay = due - clock.WallNow;
        if (delay > TimeSpan.Zero) await Task.Delay(delay, ct);
    }

    private async Task WaitWhileStalledAsync(CancellationToken ct)
    {
        for (var stall = faults.StallRemaining(); stall != TimeSpan.Zero; stall = faults.StallRemaining())
            await faults.StallChanged.WaitAsync(stall, ct);
    }
}
