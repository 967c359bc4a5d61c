using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>
/// Generated A and AM bars for any symbol a client subscribes to. Series are server-wide, so a client that
/// reconnects continues where the last one stopped. Each authenticated socket runs its own send loop,
/// paced by <see cref="ReplayClock"/>: bars are sent once their window has closed in synthetic time.
/// </summary>
internal sealed class SyntheticFeed(ReplayServerOptions options, ReplayClock clock, ReplayFaults faults, ReplayStats stats, ILogger<SyntheticFeed> logger)
    : IPolygonFeed
{
    private const long SecondMs = 1000;
    private const long MinuteMs = 60_000;

    private readonly ConcurrentDictionary<SeriesKey, Lazy<BarSeries>> series = new();

    /// <summary>Topics this feed generates: A and AM on a concrete symbol (T, Q, V and wildcards are acked but silent).</summary>
    public static bool Produces(PolygonTopic topic) => !topic.IsWildcard && topic.Ev is "A" or "AM";

    public Task RunAsync(CancellationToken ct) => Task.CompletedTask;

    public void SubscriptionsChanged(PolygonConnection connection) => connection.Wake();

    public async Task RunConnectionAsync(PolygonConnection connection, CancellationToken ct)
    {
        using var subscriptions = new SyntheticSubscriptions(this, connection.Market);
        while (!ct.IsCancellationRequested)
        {
            subscriptions.Sync(connection);
            var stall = faults.StallRemaining();
            if (stall != TimeSpan.Zero)
            {
                await connection.WakeSignal.WaitAsync(stall, ct);
                continue;
            }

            var batch = subscriptions.CollectDue(clock.SyntheticNowMs(), options.MaxEventsPerFrame);
            if (batch is null)
            {
                if (subscriptions.AllExhausted) await connection.FlushGarbageAsync(ct);
                await connection.WakeSignal.WaitAsync(subscriptions.UntilNextDue(clock) ?? Timeout.InfiniteTimeSpan, ct);
                continue;
            }

            if (!await connection.SendDataAsync(batch.Frame, ct)) return;
            batch.Commit(stats);
        }
    }

    public BarSeries Series(string market, PolygonTopic topic) =>
        series.GetOrAdd(new SeriesKey(market, topic.Ev, topic.Symbol), key => new Lazy<BarSeries>(() => Create(key))).Value;

    private BarSeries Create(SeriesKey key)
    {
        var intervalMs = key.Ev == "AM" ? MinuteMs : SecondMs;
        var firstStartMs = FirstWindowStart(intervalMs);
        var windowSeconds = intervalMs / 1000.0;
        IBarGenerator generator = key.Market == PolygonMarkets.Options
            ? new OptionBarGenerator(OccSymbol.TryParse(key.Symbol, out var occ) ? occ : throw new ArgumentException($"Not an option ticker: {key.Symbol}"), windowSeconds, options.Seed)
            : new EquityBarGenerator(key.Symbol, windowSeconds, options.Seed);
        var encoder = new BarEncoder(key.Ev, key.Symbol, hasVolume: key.Market != PolygonMarkets.Indices);
        logger.LogDebug("Synthetic series {Market} {Ev}.{Symbol} starts at {Start}", key.Market, key.Ev, key.Symbol,
            DateTimeOffset.FromUnixTimeMilliseconds(firstStartMs));
        return new BarSeries(key, firstStartMs, intervalMs, options.MaxEventsPerSymbol ?? long.MaxValue, generator, encoder);
    }

    /// <summary>
    /// The clock start aligned down to the window; when paced, moved forward to the window in progress now,
    /// so a symbol first subscribed late does not start with a backlog.
    /// </summary>
    private long FirstWindowStart(long intervalMs)
    {
        var startMs = clock.SyntheticStart.ToUnixTimeMilliseconds();
        var aligned = startMs - (startMs % intervalMs + intervalMs) % intervalMs;
        if (clock.IsUnpaced) return aligned;
        var windowsElapsed = Math.Max(0, (clock.SyntheticNowMs() - aligned) / intervalMs);
        return aligned + windowsElapsed * intervalMs;
    }
}
