using System.Text.Json;
using Ingestion.Calendar;
using Ingestion.Events;
using Ingestion.Observability;
using Ingestion.Sources.Feeds;
using Microsoft.Extensions.Logging;

namespace Ingestion.Sources.UnusualWhales;

/// <summary>
/// The Unusual Whales socket (protocols.md §1.1): the token rides in the URL, nothing is said on
/// connect, so every channel is joined as soon as the socket opens (and again after every
/// reconnect); each join must be acknowledged with <c>status: ok</c>. Data frames are parsed and
/// handed on without waiting; the full tape is filtered to the watchlist here.
/// </summary>
public sealed class UwFeedProtocol(
    UwConnectionSpec spec,
    UnusualWhalesOptions options,
    IReadOnlySet<string> watchlist,
    MarketCalendar calendar,
    UwSchemaDrift drift,
    IngestionMetrics metrics,
    Action<ReadFrame<UwEvent>> onFrame,
    ILogger logger) : IFeedProtocol
{
    /// <summary>Outside market hours a quiet socket is normal; it is restarted only after this long.</summary>
    private static readonly TimeSpan ClosedMarketSilence = TimeSpan.FromMinutes(5);

    private readonly UwFrameParser _parser = new(spec.Id);
    private readonly HashSet<string> _acknowledged = [];

    public Uri Endpoint { get; } = options.SocketUri();

    public async ValueTask OnOpenedAsync(FeedSession session, CancellationToken cancellationToken)
    {
        _acknowledged.Clear();
        foreach (var channel in spec.Channels)
        {
            await session.SendTextAsync(JsonSerializer.Serialize(new { channel, msg_type = "join" }), cancellationToken);
        }
    }

    public ValueTask OnFrameAsync(FeedSession session, ReadOnlyMemory<byte> frame, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var parsed = _parser.Parse(frame, receivedAt);
        if (parsed.Reply is { } reply)
        {
            OnReply(session, reply);
        }
        else if (parsed.Refused is { } refused)
        {
            onFrame(new ReadFrame<UwEvent>([], [refused], refused.Raw.Length + 160));
        }
        else if (parsed.Event is { } item)
        {
            session.MarkStreaming();
            if (parsed.UnknownFields.Count > 0)
            {
                drift.Report(UwFrameParser.Split(parsed.Channel).Family, parsed.UnknownFields);
            }
            if (parsed.Channel == "option_trades" && !watchlist.Contains(item.Ticker))
            {
                metrics.EventsFiltered.Add(1, new KeyValuePair<string, object?>("connection", spec.Id));
            }
            else
            {
                onFrame(new ReadFrame<UwEvent>([item], [], item.Ingress.RawJson.Length + 200));
            }
        }
        return ValueTask.CompletedTask;
    }

    public void OnOversizedFrame(ReadOnlySpan<byte> head, long totalBytes, DateTimeOffset receivedAt) =>
        onFrame(new ReadFrame<UwEvent>([], [_parser.Refuse(head, receivedAt, $"oversized frame: {totalBytes} bytes (first bytes kept)")], head.Length + 160));

    public TimeSpan SilenceTimeout(TimeSpan configured) =>
        calendar.IsOpenNow() ? configured : (configured > ClosedMarketSilence ? configured : ClosedMarketSilence);

    public string Redact(string text) => options.Redact(text);

    private void OnReply(FeedSession session, UwJoinReply reply)
    {
        if (reply.Status != "ok")
        {
            metrics.JoinsRefused.Add(1, new KeyValuePair<string, object?>("connection", spec.Id));
            logger.LogWarning("Connection {Connection}: join of {Channel} was not acknowledged ({Status}: {Response})", spec.Id, reply.Channel, reply.Status, reply.Response);
            return;
        }
        if (_acknowledged.Add(reply.Channel) && _acknowledged.Count == spec.Channels.Count)
        {
            logger.LogInformation("Connection {Connection} joined {Channels} channels", spec.Id, spec.Channels.Count);
            session.MarkStreaming();
        }
    }
}
