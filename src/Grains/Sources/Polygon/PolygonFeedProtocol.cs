using System.Text.Json;
using Ingestion.Events;
using Ingestion.Sources.Feeds;
using Microsoft.Extensions.Logging;

namespace Ingestion.Sources.Polygon;

/// <summary>
/// The Polygon/Massive handshake (protocols.md §2.1): wait for <c>connected</c>, send <c>auth</c>,
/// on <c>auth_success</c> subscribe every topic in one comma-separated message, count the acks.
/// Data frames are parsed and handed to <paramref name="onFrame"/> without waiting for anything.
/// </summary>
public sealed class PolygonFeedProtocol(
    PolygonConnectionSpec spec,
    Uri endpoint,
    string apiKey,
    Action<PolygonFrame> onFrame,
    ILogger logger) : IFeedProtocol
{
    private readonly PolygonFrameParser _parser = new(spec.Market, spec.Id);
    private int _acks;

    public Uri Endpoint { get; } = endpoint;

    public async ValueTask OnFrameAsync(FeedSession session, ReadOnlyMemory<byte> frame, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var parsed = _parser.Parse(frame, receivedAt);
        foreach (var status in parsed.Statuses)
        {
            await OnStatusAsync(session, status, cancellationToken);
        }
        if (parsed.Aggregates.Count > 0)
        {
            session.MarkStreaming();
        }
        if (parsed.Aggregates.Count > 0 || parsed.Quarantined.Count > 0)
        {
            onFrame(parsed);
        }
    }

    public void OnOversizedFrame(ReadOnlySpan<byte> head, long totalBytes, DateTimeOffset receivedAt) =>
        onFrame(new PolygonFrame([], [], [_parser.Refuse(head, receivedAt, $"oversized frame: {totalBytes} bytes (first bytes kept)")]));

    private async Task OnStatusAsync(FeedSession session, PolygonStatus status, CancellationToken cancellationToken)
    {
        switch (status.Status)
        {
            case "connected":
                _acks = 0;
                await session.SendTextAsync(Command("auth", apiKey), cancellationToken);
                break;
            case "auth_success":
                await session.SendTextAsync(Command("subscribe", string.Join(',', spec.Topics)), cancellationToken);
                break;
            case "auth_failed" or "auth_timeout" or "max_connections":
                throw new FeedAuthenticationException($"{status.Status}: {status.Message}");
            case "success":
                if (++_acks == spec.Topics.Count)
                {
                    logger.LogInformation("Connection {Connection} subscribed to {Topics} topics", spec.Id, spec.Topics.Count);
                    session.MarkStreaming();
                }
                break;
            default:
                logger.LogWarning("Connection {Connection} got status {Status}: {Message}", spec.Id, status.Status, status.Message);
                break;
        }
    }

    private static string Command(string action, string parameters) =>
        JsonSerializer.Serialize(new { action, @params = parameters });
}
