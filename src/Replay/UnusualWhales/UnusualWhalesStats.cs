using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Ingestion.Replay.UnusualWhales;

/// <summary>Live, thread-safe counters of the Unusual Whales socket and REST surface. Unknown keys read as zero.</summary>
public sealed class UnusualWhalesStats
{
    private readonly Lock gate = new();
    private readonly List<string> joins = [];
    private readonly ConcurrentDictionary<string, StrongBox<long>> framesByChannel = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Channel, string Ticker), StrongBox<long>> framesByChannelTicker = new();
    private readonly ConcurrentDictionary<string, StrongBox<long>> requestsByTemplate = new(StringComparer.Ordinal);
    private int connectionsAccepted;
    private int connectionsRejected;
    private int openConnections;
    private long framesSent;
    private long restRequests;
    private long rateLimited;
    private long serverErrors;

    /// <summary>Sockets upgraded on /socket (a token refused with 401 is not one).</summary>
    public int ConnectionsAccepted => Volatile.Read(ref connectionsAccepted);

    /// <summary>Upgrade requests refused with 401.</summary>
    public int ConnectionsRejected => Volatile.Read(ref connectionsRejected);

    public int OpenConnections => Volatile.Read(ref openConnections);

    /// <summary>Every channel name a client sent a join for (accepted or not), in order.</summary>
    public IReadOnlyList<string> Joins()
    {
        lock (gate) return [.. joins];
    }

    /// <summary>Data frames whose SendAsync completed, on every channel.</summary>
    public long FramesSent() => Interlocked.Read(ref framesSent);

    /// <summary>Data frames sent on one full channel name, e.g. "option_trades:SPY" or "flow-alerts".</summary>
    public long FramesSent(string channel) => Read(framesByChannel, channel);

    /// <summary>
    /// Data frames sent on <paramref name="channel"/> whose payload is about <paramref name="ticker"/>
    /// ("" for news, whose stream is not per ticker).
    /// </summary>
    public long FramesSent(string channel, string ticker) => Read(framesByChannelTicker, (channel, ticker));

    /// <summary>REST requests answered (any status) for one route template of <see cref="Rest.UwRestCatalog"/>.</summary>
    public long RestRequests(string template) => Read(requestsByTemplate, template);

    public long RestRequests() => Interlocked.Read(ref restRequests);

    /// <summary>429 responses sent, over budget or forced by a fault.</summary>
    public long RateLimitedResponses => Interlocked.Read(ref rateLimited);

    /// <summary>500 responses sent (forced by a fault).</summary>
    public long ServerErrorResponses => Interlocked.Read(ref serverErrors);

    public UnusualWhalesSnapshot Snapshot() => new(
        ConnectionsAccepted,
        ConnectionsRejected,
        OpenConnections,
        Joins(),
        FramesSent(),
        Ordered(framesByChannel),
        framesByChannelTicker.OrderBy(e => e.Key.Channel, StringComparer.Ordinal).ThenBy(e => e.Key.Ticker, StringComparer.Ordinal)
            .ToDictionary(e => $"{e.Key.Channel}|{e.Key.Ticker}", e => Interlocked.Read(ref e.Value.Value), StringComparer.Ordinal),
        RestRequests(),
        Ordered(requestsByTemplate),
        RateLimitedResponses,
        ServerErrorResponses);

    internal void RecordConnectionOpened()
    {
        Interlocked.Increment(ref connectionsAccepted);
        Interlocked.Increment(ref openConnections);
    }

    internal void RecordConnectionClosed() => Interlocked.Decrement(ref openConnections);

    internal void RecordConnectionRejected() => Interlocked.Increment(ref connectionsRejected);

    internal void RecordJoin(string channel)
    {
        lock (gate) joins.Add(channel);
    }

    internal void RecordFrameSent(string channel, string ticker)
    {
        Increment(framesByChannel, channel);
        Increment(framesByChannelTicker, (channel, ticker));
        Interlocked.Increment(ref framesSent);
    }

    internal void RecordRestResponse(string template, int status)
    {
        Increment(requestsByTemplate, template);
        Interlocked.Increment(ref restRequests);
        if (status == 429) Interlocked.Increment(ref rateLimited);
        if (status == 500) Interlocked.Increment(ref serverErrors);
    }

    private static void Increment<TKey>(ConcurrentDictionary<TKey, StrongBox<long>> counters, TKey key) where TKey : notnull =>
        Interlocked.Increment(ref counters.GetOrAdd(key, static _ => new StrongBox<long>()).Value);

    private static long Read<TKey>(ConcurrentDictionary<TKey, StrongBox<long>> counters, TKey key) where TKey : notnull =>
        counters.TryGetValue(key, out var box) ? Interlocked.Read(ref box.Value) : 0;

    private static Dictionary<string, long> Ordered(ConcurrentDictionary<string, StrongBox<long>> counters) =>
        counters.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => Interlocked.Read(ref e.Value.Value), StringComparer.Ordinal);
}

/// <summary>Everything <see cref="UnusualWhalesStats"/> knows at one moment; part of GET /replay/stats.</summary>
public sealed record UnusualWhalesSnapshot(
    int ConnectionsAccepted,
    int ConnectionsRejected,
    int OpenConnections,
    IReadOnlyList<string> Joins,
    long FramesSent,
    IReadOnlyDictionary<string, long> FramesSentByChannel,
    IReadOnlyDictionary<string, long> FramesSentByChannelAndTicker,
    long RestRequests,
    IReadOnlyDictionary<string, long> RestRequestsByTemplate,
    long RateLimitedResponses,
    long ServerErrorResponses);
