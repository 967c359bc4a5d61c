using Ingestion.Replay.UnusualWhales.Socket;
using Microsoft.Extensions.Logging;

namespace Ingestion.Replay.UnusualWhales.Recorded;

/// <summary>
/// Plays the UW lines of a recorded dataset on a loop to every socket that joined each frame's channel; frames
/// recorded on option_trades:&lt;T&gt; also reach the option_trades firehose, relabelled. Frames go out at their
/// offsets scaled by Speed; at Speed 0 as fast as the slowest recipient reads.
/// </summary>
internal sealed class UwRecordedPlayer(
    UwRecordedDataset dataset,
    ReplayClock clock,
    ReplayConnections connections,
    ReplayFaults faults,
    UnusualWhalesStats stats,
    ILogger<UwRecordedPlayer> logger) : IUwFeed
{
    private const string TickerTradesPrefix = UwChannel.OptionTrades + ":";

    private readonly WakeSignal channelsChanged = new();

    public Task RunConnectionAsync(UwConnection connection, CancellationToken ct) => Task.CompletedTask;

    public void ChannelsChanged(UwConnection connection) => channelsChanged.Set();

    public async Task RunAsync(CancellationToken ct)
    {
        logger.LogInformation("Playing {Frames} recorded UW frames from {Path} on a loop", dataset.Frames.Count, dataset.Path);
        if (dataset.Frames.Count == 0) return;
        var passStart = clock.WallNow;
        for (long pass = 0; !ct.IsCancellationRequested; pass++)
        {
            if (clock.IsUnpaced) await WaitForListenerAsync(ct);
            var delivered = false;
            foreach (var frame in dataset.Frames)
            {
                var due = passStart + clock.ToWall(frame.OffsetMs) - clock.WallNow;
                if (due > TimeSpan.Zero) await Task.Delay(due, ct);
                for (var stall = faults.StallRemaining(); stall != TimeSpan.Zero; stall = faults.StallRemaining())
                    await faults.StallChanged.WaitAsync(stall, ct);
                delivered |= await BroadcastAsync(frame, pass, ct);
            }

            if (clock.IsUnpaced && !delivered) await channelsChanged.WaitAsync(Timeout.InfiniteTimeSpan, ct);
            passStart += clock.ToWall(dataset.LoopDurationMs);
        }
    }

    private async Task<bool> BroadcastAsync(UwRecordedFrame frame, long pass, CancellationToken ct)
    {
        var sends = new List<Task<bool>>();
        var payload = UwRecordedPayload.Encode(frame.Payload, pass, dataset.LoopTimeShiftMs);
        var ticker = UwRecordedPayload.Ticker(frame.Channel, frame.Payload);
        foreach (var connection in connections.OfType<UwConnection>().Where(c => !c.IsClosing))
        {
            if (connection.HasJoined(frame.Channel)) sends.Add(SendAsync(connection, frame.Channel, payload, ticker, ct));
            if (frame.Channel.StartsWith(TickerTradesPrefix, StringComparison.Ordinal) && connection.HasJoined(UwChannel.OptionTrades))
                sends.Add(SendAsync(connection, UwChannel.OptionTrades, payload, ticker, ct));
        }
        var sent = await Task.WhenAll(sends);
        return sent.Any(s => s);
    }

    private async Task<bool> SendAsync(UwConnection connection, string channel, byte[] payload, string ticker, CancellationToken ct)
    {
        try
        {
            if (!await connection.SendDataAsync(UwJson.Frame(channel, payload), ct)) return false;
        }
        catch (Exception ex) when (UwSocketHandler.IsDisconnect(ex) && !ct.IsCancellationRequested)
        {
            connection.Abort();
            return false;
        }
        stats.RecordFrameSent(channel, ticker);
        return true;
    }

    private async Task WaitForListenerAsync(CancellationToken ct)
    {
        while (!connections.OfType<UwConnection>().Any(c => c.Channels().Channels.Count > 0))
            await channelsChanged.WaitAsync(Timeout.InfiniteTimeSpan, ct);
    }
}
