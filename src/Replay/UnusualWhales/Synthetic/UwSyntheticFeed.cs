using System.Collections.Concurrent;
using Ingestion.Replay.UnusualWhales.Socket;
using Microsoft.Extensions.Logging;

namespace Ingestion.Replay.UnusualWhales.Synthetic;

/// <summary>
/// Generated UW data for every channel a client joins. Series are server-wide, one per stream and ticker, so a
/// client that reconnects continues where the last one stopped. Each socket runs its own send loop, paced by
/// <see cref="ReplayClock"/>: an event goes out once synthetic time reaches it, earliest first across the
/// socket's channels, one payload per frame. MaxEventsPerSymbol caps each channel per ticker.
/// </summary>
internal sealed class UwSyntheticFeed(ReplayServerOptions options, ReplayClock clock, ReplayFaults faults, UnusualWhalesStats stats,
    ILogger<UwSyntheticFeed> logger) : IUwFeed
{
    private readonly ConcurrentDictionary<UwSeriesKey, Lazy<UwEventSeries>> series = new();
    private readonly ConcurrentDictionary<string, Lazy<UnderlyingPath>> underlyings = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> universe = options.UnusualWhalesTickerList;

    public Task RunAsync(CancellationToken ct) => Task.CompletedTask;

    public void ChannelsChanged(UwConnection connection) => connection.Wake();

    public async Task RunConnectionAsync(UwConnection connection, CancellationToken ct)
    {
        using var subscriptions = new UwSyntheticSubscriptions(this);
        while (!ct.IsCancellationRequested)
        {
            subscriptions.Sync(connection);
            var stall = faults.StallRemaining();
            if (stall != TimeSpan.Zero)
            {
                await connection.WakeSignal.WaitAsync(stall, ct);
                continue;
            }

            var due = subscriptions.NextDue(clock.SyntheticNowMs());
            if (due is null)
            {
                if (subscriptions.AllExhausted || subscriptions.IsEmpty) await connection.FlushGarbageAsync(ct);
                await connection.WakeSignal.WaitAsync(subscriptions.UntilNextDue(clock) ?? Timeout.InfiniteTimeSpan, ct);
                continue;
            }

            var (cursor, payload) = due.Value;
            if (!await connection.SendDataAsync(UwJson.Frame(cursor.Channel, payload.Payload), ct)) return;
            cursor.Series.Advance(cursor);
            stats.RecordFrameSent(cursor.Channel, cursor.Series.Key.Ticker);
        }
    }

    /// <summary>The series a channel reads: one per ticker it covers (the configured universe for the firehoses).</summary>
    public IEnumerable<UwSeriesKey> SeriesOf(UwChannel channel) => channel.Kind switch
    {
        UwChannelKind.FlowAlerts => universe.Select(t => new UwSeriesKey(UwStream.FlowAlerts, t)),
        UwChannelKind.OptionTrades => universe.Select(t => new UwSeriesKey(UwStream.OptionTrades, t)),
        UwChannelKind.OptionTradesTicker => [new(UwStream.OptionTrades, channel.Ticker!)],
        UwChannelKind.Gex => [new(UwStream.Gex, channel.Ticker!)],
        UwChannelKind.GexStrike => [new(UwStream.GexStrike, channel.Ticker!)],
        UwChannelKind.GexStrikeExpiry => [new(UwStream.GexStrikeExpiry, channel.Ticker!)],
        UwChannelKind.Price => [new(UwStream.Price, channel.Ticker!)],
        UwChannelKind.News => [new(UwStream.News, "")],
        _ => [],
    };

    public UwEventSeries Series(UwSeriesKey key) =>
        series.GetOrAdd(key, k => new Lazy<UwEventSeries>(() => Create(k))).Value;

    private UwEventSeries Create(UwSeriesKey key)
    {
        var startMs = FirstEventMs();
        var seed = options.Seed;
        var originMs = clock.SyntheticStart.ToUnixTimeMilliseconds();
        IUwEventSource source = key.Stream switch
        {
            UwStream.OptionTrades => new OptionTradeSource(new OptionTape(Underlying(key.Ticker), originMs, seed), startMs),
            UwStream.FlowAlerts => new FlowAlertSource(new OptionTape(Underlying(key.Ticker), originMs, seed), startMs, seed),
            UwStream.Price => new PriceSource(Underlying(key.Ticker), startMs),
            UwStream.Gex => new GexSource(Underlying(key.Ticker), startMs, seed),
            UwStream.GexStrike => new GexStrikeSource(Underlying(key.Ticker), startMs, seed, perExpiry: false),
            UwStream.GexStrikeExpiry => new GexStrikeSource(Underlying(key.Ticker), startMs, seed, perExpiry: true),
            UwStream.News => new NewsSource(universe, startMs, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(key), key.Stream, "Unknown stream"),
        };
        logger.LogDebug("Synthetic UW series {Stream} {Ticker} starts at {Start}", key.Stream, key.Ticker, DateTimeOffset.FromUnixTimeMilliseconds(startMs));
        return new UwEventSeries(key, options.MaxEventsPerSymbol ?? long.MaxValue, source);
    }

    private UnderlyingPath Underlying(string ticker) =>
        underlyings.GetOrAdd(ticker, t => new Lazy<UnderlyingPath>(() => new UnderlyingPath(t, clock.SyntheticStart.ToUnixTimeMilliseconds(), options.Seed))).Value;

    /// <summary>The clock start; when paced, now, so a channel first joined late does not start with a backlog.</summary>
    private long FirstEventMs()
    {
        var startMs = clock.SyntheticStart.ToUnixTimeMilliseconds();
        return clock.IsUnpaced ? startMs : Math.Max(startMs, clock.SyntheticNowMs());
    }
}
