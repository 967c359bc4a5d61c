namespace Ingestion.Connections;

/// <summary>
/// Owns one WebSocket connection to a market-data feed (key: connection id such as
/// <c>polygon/stocks/0</c>). It holds no durable state: wherever it is activated, it connects,
/// authenticates, subscribes and publishes what it reads.
/// </summary>
public interface ISocketReaderGrain : IGrainWithStringKey
{
    /// <summary>Activates the grain (and so its connection) if it is not running; cheap when it is.</summary>
    Task EnsureRunningAsync();

    /// <summary>The connection's health as seen by its reader.</summary>
    Task<ConnectionStatus> GetStatusAsync();

    /// <summary>
    /// Closes the socket, publishes everything read so far and a last batch after it, then
    /// deactivates. Returns this activation's producer id: a writer that has drained that producer
    /// (<c>IStorageWriterGrain.HasDrainedAsync</c>) has received every event it read.
    /// </summary>
    Task<Guid> StopAsync();
}

/// <summary>Lifecycle of a feed connection.</summary>
public enum ConnectionState
{
    Connecting = 0,
    Authenticating = 1,
    Streaming = 2,
    Backoff = 3,
    AuthFailed = 4,
    Stopped = 5,

    /// <summary>Idle on purpose: the feed streams only during market hours and the market is closed.</summary>
    MarketClosed = 6,
}

/// <summary>A connection's health, as shown on <c>/api/status</c>.</summary>
[GenerateSerializer, Immutable, Alias("ingestion.connection-status")]
public sealed record ConnectionStatus(
    [property: Id(0)] string Connection,
    [property: Id(1)] ConnectionState State,
    [property: Id(2)] string Silo,
    [property: Id(3)] int Subscriptions,
    [property: Id(4)] long EventsReceived,
    [property: Id(5)] long FramesQuarantined,
    [property: Id(6)] long Reconnects,
    [property: Id(7)] int ConsecutiveFailures,
    [property: Id(8)] DateTimeOffset? LastMessageAt,
    [property: Id(9)] string? LastError,
    [property: Id(10)] long PendingPublish,
    [property: Id(11)] long PendingOnDisk = 0);

/// <summary>A Polygon/Massive WebSocket connection (key such as <c>polygon/options/1</c>).</summary>
public interface IPolygonSocketReaderGrain : ISocketReaderGrain;

/// <summary>An Unusual Whales WebSocket connection, one per channel family (key such as <c>uw/trades</c>).</summary>
public interface IUnusualWhalesSocketReaderGrain : ISocketReaderGrain;
