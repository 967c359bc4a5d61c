using System.Collections.Concurrent;

namespace Ingestion.Replay;

/// <summary>What the fault injector can do to any open socket, whatever protocol it speaks.</summary>
internal interface IReplayConnection
{
    /// <summary>Market path the socket was opened on ("stocks", "options", "indices").</summary>
    string Market { get; }

    /// <summary>Ends the socket with no close handshake, after the frames already counted as sent (fault injection).</summary>
    void Drop();

    /// <summary>Kills the TCP connection at once (server shutdown).</summary>
    void Abort();

    /// <summary>Sends <paramref name="rawText"/> as its own text frame just before the next data frame (at once if the feed has none left).</summary>
    void QueueGarbage(string rawText);

    /// <summary>Makes the socket's send loop re-check its state now.</summary>
    void Wake();
}

/// <summary>Every open socket of the server, for faults, broadcasting and shutdown.</summary>
internal sealed class ReplayConnections
{
    private readonly ConcurrentDictionary<IReplayConnection, byte> open = new();

    public void Add(IReplayConnection connection) => open.TryAdd(connection, 0);

    public void Remove(IReplayConnection connection) => open.TryRemove(connection, out _);

    public IReadOnlyList<IReplayConnection> Snapshot() => [.. open.Keys];

    public IEnumerable<T> OfType<T>() where T : IReplayConnection => open.Keys.OfType<T>();
}
