using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ingestion.Replay.UnusualWhales;

namespace Ingestion.Replay;

/// <summary>
/// Live, thread-safe counters per Polygon market path ("stocks", "options", "indices"), and the Unusual Whales
/// counters under <see cref="UnusualWhales"/>. Unknown markets read as zero.
/// </summary>
public sealed class ReplayStats
{
    private readonly ConcurrentDictionary<string, MarketStats> markets = new(StringComparer.Ordinal);

    /// <summary>Unusual Whales socket and REST counters.</summary>
    public UnusualWhalesStats UnusualWhales { get; } = new();

    public int ConnectionsAccepted(string market) => Find(market)?.ConnectionsAccepted ?? 0;

    /// <summary>Time of every auth message received, in order.</summary>
    public IReadOnlyList<DateTimeOffset> AuthAttempts(string market) => Find(market)?.AuthAttempts() ?? [];

    public int AuthSuccesses(string market) => Find(market)?.AuthSuccesses ?? 0;

    /// <summary>Every subscribe params string received, in order.</summary>
    public IReadOnlyList<string> Subscriptions(string market) => Find(market)?.Subscriptions() ?? [];

    /// <summary>Data events (every element but status) in frames whose SendAsync completed.</summary>
    public long EventsSent(string market) => Find(market)?.EventsSent ?? 0;

    public long EventsSent(string market, string symbol) => Find(market)?.EventsSentFor(symbol) ?? 0;

    public int OpenConnections(string market) => Find(market)?.OpenConnections ?? 0;

    public ReplaySnapshot Snapshot() => new(
        DateTimeOffset.UtcNow,
        markets.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(m => m.Key, m => m.Value.Snapshot(), StringComparer.Ordinal),
        UnusualWhales.Snapshot());

    internal void RecordConnectionOpened(string market) => For(market).ConnectionOpened();

    internal void RecordConnectionClosed(string market) => For(market).ConnectionClosed();

    internal void RecordAuthAttempt(string market, DateTimeOffset at) => For(market).AuthAttempted(at);

    internal void RecordAuthSuccess(string market) => For(market).AuthSucceeded();

    internal void RecordSubscription(string market, string topics) => For(market).Subscribed(topics);

    internal void RecordEventsSent(string market, string symbol, long count) => For(market).Sent(symbol, count);

    private MarketStats For(string market) => markets.GetOrAdd(market, static _ => new MarketStats());

    private MarketStats? Find(string market) => markets.GetValueOrDefault(market);

    private sealed class MarketStats
    {
        private readonly Lock gate = new();
        private readonly List<DateTimeOffset> authAttempts = [];
        private readonly List<string> subscriptions = [];
        private readonly ConcurrentDictionary<string, StrongBox<long>> eventsBySymbol = new(StringComparer.Ordinal);
        private int connectionsAccepted;
        private int openConnections;
        private int authSuccesses;
        private long eventsSent;

        public int ConnectionsAccepted => Volatile.Read(ref connectionsAccepted);

        public int OpenConnections => Volatile.Read(ref openConnections);

        public int AuthSuccesses => Volatile.Read(ref authSuccesses);

        public long EventsSent => Interlocked.Read(ref eventsSent);

        public long EventsSentFor(string symbol) =>
            eventsBySymbol.TryGetValue(symbol, out var box) ? Interlocked.Read(ref box.Value) : 0;

        public void ConnectionOpened()
        {
            Interlocked.Increment(ref connectionsAccepted);
            Interlocked.Increment(ref openConnections);
        }

        public void ConnectionClosed() => Interlocked.Decrement(ref openConnections);

        public void AuthSucceeded() => Interlocked.Increment(ref authSuccesses);

        public void AuthAttempted(DateTimeOffset at)
        {
            lock (gate) authAttempts.Add(at);
        }

        public void Subscribed(string topics)
        {
            lock (gate) subscriptions.Add(topics);
        }

        public void Sent(string symbol, long count)
        {
            var box = eventsBySymbol.GetOrAdd(symbol, static _ => new StrongBox<long>());
            Interlocked.Add(ref box.Value, count);
            Interlocked.Add(ref eventsSent, count);
        }

        public IReadOnlyList<DateTimeOffset> AuthAttempts()
        {
            lock (gate) return [.. authAttempts];
        }

        public IReadOnlyList<string> Subscriptions()
        {
            lock (gate) return [.. subscriptions];
        }

        public ReplayMarketSnapshot Snapshot() => new(
            ConnectionsAccepted,
            OpenConnections,
            AuthAttempts(),
            AuthSuccesses,
            Subscriptions(),
            EventsSent,
            eventsBySymbol.OrderBy(e => e.Key, StringComparer.Ordinal)
                .ToDictionary(e => e.Key, e => Interlocked.Read(ref e.Value.Value), StringComparer.Ordinal));
    }
}

/// <summary>Everything <see cref="ReplayStats"/> knows at one moment, keyed by market path; served by GET /replay/stats.</summary>
public sealed record ReplaySnapshot(DateTimeOffset TakenAt, IReadOnlyDictionary<string, ReplayMarketSnapshot> Markets, UnusualWhalesSnapshot UnusualWhales);

/// <summary>One market path's counters.</summary>
public sealed record ReplayMarketSnapshot(
    int ConnectionsAccepted,
    int OpenConnections,
    IReadOnlyList<DateTimeOffset> AuthAttempts,
    int AuthSuccesses,
    IReadOnlyList<string> Subscriptions,
    long EventsSent,
    IReadOnlyDictionary<string, long> EventsSentBySymbol);
