namespace Ingestion.Sources.Feeds;

/// <summary>
/// The source-specific half of a feed connection: where to connect, how to log in and subscribe,
/// and what to do with each frame. <see cref="FeedConnection"/> supplies the resilient other half.
/// </summary>
public interface IFeedProtocol
{
    /// <summary>Where to connect. May carry a secret (a token in the query string): never log it.</summary>
    Uri Endpoint { get; }

    /// <summary>Called once the socket is open, before any frame: protocols that speak first (joins) send here.</summary>
    ValueTask OnOpenedAsync(FeedSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>How long the socket may stay silent before it is restarted, asked before every read.</summary>
    TimeSpan SilenceTimeout(TimeSpan configured) => configured;

    /// <summary>Removes secrets from text about this connection (errors are logged and shown on the status page).</summary>
    string Redact(string text) => text;

    /// <summary>Called for every complete text frame, on the receive loop: must not block.</summary>
    ValueTask OnFrameAsync(FeedSession session, ReadOnlyMemory<byte> frame, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Called for a frame larger than the connection accepts; <paramref name="head"/> is its start.</summary>
    void OnOversizedFrame(ReadOnlySpan<byte> head, long totalBytes, DateTimeOffset receivedAt);
}

/// <summary>The server refused our credentials or our connection: reconnecting at once would not help.</summary>
public sealed class FeedAuthenticationException(string message) : Exception(message);
