namespace Ingestion.Sources.Feeds;

/// <summary>
/// The source-specific half of a feed connection: where to connect, how to log in and subscribe,
/// and what to do with each frame. <see cref="FeedConnection"/> supplies the resilient other half.
/// </summary>
public interface IFeedProtocol
{
    /// <summary>Where to connect. May carry a secret (a token in the query string): never log it.</summary>
    Uri Endpoint { get; }

    /// <summary>Called for every complete text frame, on the receive loop: must not block.</summary>
    ValueTask OnFrameAsync(FeedSession session, ReadOnlyMemory<byte> frame, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Called for a frame larger than the connection accepts; <paramref name="head"/> is its start.</summary>
    void OnOversizedFrame(ReadOnlySpan<byte> head, long totalBytes, DateTimeOffset receivedAt);
}

/// <summary>The server refused our credentials or our connection: reconnecting at once would not help.</summary>
public sealed class FeedAuthenticationException(string message) : Exception(message);
