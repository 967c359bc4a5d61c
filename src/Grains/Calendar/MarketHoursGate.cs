using Microsoft.Extensions.Logging;

namespace Ingestion.Calendar;

/// <summary>
/// Runs a feed only inside regular sessions (seed 003: no stream while the market is closed,
/// shut down at the close, weekends and holidays from the shared <see cref="MarketCalendar"/>).
/// Outside a session it waits for the next open; at the close it cancels the feed and waits again.
/// </summary>
public sealed class MarketHoursGate(MarketCalendar calendar, TimeProvider time, ILogger logger)
{
    /// <summary>True while the gate is waiting for the market to open.</summary>
    public bool IsWaitingForOpen { get; private set; }

    /// <summary>Runs <paramref name="feed"/> during each session until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunDuringSessionsAsync(string name, Func<CancellationToken, Task> feed, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var session = calendar.CurrentOrNextSession(now);
            if (session.Open is not { } open || session.Close is not { } close)
            {
                throw new InvalidOperationException($"The calendar returned no session times for {session.Day}.");
            }
            if (now < open)
            {
                IsWaitingForOpen = true;
                logger.LogInformation("Market closed: {Feed} waits for the open at {Open}", name, open);
                try
                {
                    await Task.Delay(open - now, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }

            IsWaitingForOpen = false;
            using var untilClose = new CancellationTokenSource(close - now, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, untilClose.Token);
            logger.LogInformation("Market open: {Feed} streams until the close at {Close}", name, close);
            await feed(linked.Token);
        }
    }
}
