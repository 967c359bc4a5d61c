using System.Threading.Channels;
using Ingestion.Calendar;
using Ingestion.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ingestion.Tests.Calendar;

/// <summary>Seed 003: stream 09:30–16:00 New York on trading days only; stop at the close; no stream on holidays.</summary>
public sealed class MarketHoursGateTests
{
    private static DateTimeOffset NewYork(string local) =>
        MarketCalendar.AtNewYork(DateOnly.FromDateTime(DateTime.Parse(local)), TimeOnly.FromDateTime(DateTime.Parse(local)));

    [Fact]
    public async Task Streams_until_the_close_then_waits_over_the_weekend_and_the_holiday_for_the_next_open()
    {
        // Thursday 2 July 2026, 15:00; Friday 3 July is the observed Independence Day.
        var time = new FakeTimeProvider(NewYork("2026-07-02T15:00:00"));
        var calendar = new MarketCalendar(new UpcomingMarketDays(), time);
        var gate = new MarketHoursGate(calendar, time, NullLogger.Instance);
        var starts = Channel.CreateUnbounded<DateTimeOffset>();
        var stops = Channel.CreateUnbounded<DateTimeOffset>();
        using var stopping = new CancellationTokenSource();

        var running = gate.RunDuringSessionsAsync("test", async ct =>
        {
            starts.Writer.TryWrite(time.GetUtcNow());
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
            catch (OperationCanceledException)
            {
                stops.Writer.TryWrite(time.GetUtcNow());
            }
        }, stopping.Token);

        Assert.Equal(NewYork("2026-07-02T15:00:00"), await Next(starts));
        Assert.False(gate.IsWaitingForOpen);

        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(NewYork("2026-07-02T16:00:00"), await Next(stops));
        await Eventually.TrueAsync(() => gate.IsWaitingForOpen, "the gate to wait for the next open");

        time.SetUtcNow(NewYork("2026-07-06T09:29:59"));
        Assert.False(starts.Reader.TryRead(out _));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(NewYork("2026-07-06T09:30:00"), await Next(starts));
        Assert.False(gate.IsWaitingForOpen);

        stopping.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(NewYork("2026-07-06T09:30:00"), await Next(stops));
    }

    [Fact]
    public async Task Does_not_start_a_feed_on_a_weekend()
    {
        var time = new FakeTimeProvider(NewYork("2026-11-21T11:00:00"));   // a Saturday
        var gate = new MarketHoursGate(new MarketCalendar(new UpcomingMarketDays(), time), time, NullLogger.Instance);
        var started = 0;
        using var stopping = new CancellationTokenSource();

        var running = gate.RunDuringSessionsAsync("test", _ => { Interlocked.Increment(ref started); return Task.CompletedTask; }, stopping.Token);

        await Eventually.TrueAsync(() => gate.IsWaitingForOpen, "the gate to wait for Monday's open");
        Assert.Equal(0, started);
        stopping.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, started);
    }

    private static async Task<DateTimeOffset> Next(Channel<DateTimeOffset> channel) =>
        await channel.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
}
