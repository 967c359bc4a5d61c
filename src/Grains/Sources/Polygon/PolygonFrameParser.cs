using System.Text;
using System.Text.Json;
using Ingestion.Events;
using Ingestion.Sources.Feeds;

namespace Ingestion.Sources.Polygon;

/// <summary>A status element (<c>{"ev":"status",…}</c>): handshake steps, acks and errors.</summary>
public readonly record struct PolygonStatus(string Status, string Message);

/// <summary>Everything one frame held, sorted into what to publish, what to act on and what to refuse.</summary>
public sealed record PolygonFrame(
    IReadOnlyList<PolygonAggregate> Aggregates,
    IReadOnlyList<PolygonStatus> Statuses,
    IReadOnlyList<QuarantinedFrame> Quarantined)
{
    /// <summary>About how many bytes the frame's events take on a stream: their raw JSON plus the parsed fields.</summary>
    public int EstimatedBytes =>
        Aggregates.Sum(a => a.Ingress.RawJson.Length + 160) + Quarantined.Sum(q => q.Raw.Length + 160);
}

/// <summary>
/// Parses Polygon/Massive WebSocket frames: a JSON array of events of mixed types, status events
/// included (protocols.md §2.1). A bad element is quarantined on its own; the rest of the frame stands.
/// </summary>
public sealed class PolygonFrameParser(PolygonMarket market, string connection)
{
    public const string Source = "polygon";

    private static readonly PolygonFrame Empty = new([], [], []);

    public PolygonFrame Parse(ReadOnlyMemory<byte> frame, DateTimeOffset receivedAt)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame);
        }
        catch (JsonException ex)
        {
            return Refused(frame, receivedAt, $"malformed JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                return Refused(frame, receivedAt, $"frame is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, expected an array of events");
            }

            List<PolygonAggregate>? aggregates = null;
            List<PolygonStatus>? statuses = null;
            List<QuarantinedFrame>? quarantined = null;
            foreach (var element in root.EnumerateArray())
            {
                switch (ParseElement(element, receivedAt, out var aggregate, out var status, out var reason))
                {
                    case ElementKind.Aggregate:
                        (aggregates ??= []).Add(aggregate!);
                        break;
                    case ElementKind.Status:
                        (statuses ??= []).Add(status);
                        break;
                    default:
                        (quarantined ??= []).Add(QuarantinedFrame.Create(Source, connection, receivedAt, reason!, element.GetRawText()));
                        break;
                }
            }
            return aggregates is null && statuses is null && quarantined is null
                ? Empty
                : new PolygonFrame(aggregates ?? [], statuses ?? [], quarantined ?? []);
        }
    }

    /// <summary>Refuses a frame whole, e.g. one larger than the connection accepts.</summary>
    public QuarantinedFrame Refuse(ReadOnlySpan<byte> raw, DateTimeOffset receivedAt, string reason) =>
        QuarantinedFrame.Create(Source, connection, receivedAt, reason, Encoding.UTF8.GetString(raw));

    private PolygonFrame Refused(ReadOnlyMemory<byte> frame, DateTimeOffset receivedAt, string reason) =>
        new([], [], [Refuse(frame.Span, receivedAt, reason)]);

    private enum ElementKind { Aggregate, Status, Refused }

    private ElementKind ParseElement(JsonElement element, DateTimeOffset receivedAt,
        out PolygonAggregate? aggregate, out PolygonStatus status, out string? reason)
    {
        aggregate = null;
        status = default;
        reason = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            reason = $"event is a JSON {element.ValueKind.ToString().ToLowerInvariant()}, expected an object";
            return ElementKind.Refused;
        }
        if (!element.TryGetProperty("ev", out var ev) || ev.ValueKind != JsonValueKind.String)
        {
            reason = "missing required field 'ev' (string)";
            return ElementKind.Refused;
        }

        switch (ev.GetString())
        {
            case "status":
                status = new PolygonStatus(
                    OptionalString(element, "status") ?? "",
                    OptionalString(element, "message") ?? "");
                return ElementKind.Status;
            case "A":
                return ParseAggregate(element, AggregateTimespan.Second, receivedAt, out aggregate, out reason);
            case "AM":
                return ParseAggregate(element, AggregateTimespan.Minute, receivedAt, out aggregate, out reason);
            default:
                reason = $"unsupported event type '{ev.GetString()}'";
                return ElementKind.Refused;
        }
    }

    private ElementKind ParseAggregate(JsonElement e, AggregateTimespan timespan, DateTimeOffset receivedAt,
        out PolygonAggregate? aggregate, out string? reason)
    {
        aggregate = null;
        var fields = new JsonFields(e);
        var symbol = fields.RequiredString("sym");
        var start = fields.RequiredEpochMs("s");
        var end = fields.RequiredEpochMs("e");
        var open = fields.RequiredDecimal("o");
        var high = fields.RequiredDecimal("h");
        var low = fields.RequiredDecimal("l");
        var close = fields.RequiredDecimal("c");
        var volume = fields.OptionalDecimal("v");
        var accumulated = fields.OptionalDecimal("av");
        var vwap = fields.OptionalDecimal("vw");
        var dayVwap = fields.OptionalDecimal("a");
        var officialOpen = fields.OptionalDecimal("op");
        var averageSize = fields.OptionalDecimal("z");
        var otc = fields.OptionalBool("otc") ?? false;
        reason = fields.Error;
        if (reason is not null)
        {
            return ElementKind.Refused;
        }
        if (string.IsNullOrWhiteSpace(symbol))
        {
            reason = "field 'sym' is empty";
            return ElementKind.Refused;
        }
        if (end < start)
        {
            reason = $"window ends ({end}) before it starts ({start})";
            return ElementKind.Refused;
        }

        aggregate = new PolygonAggregate(
            symbol!, market, timespan,
            DateTimeOffset.FromUnixTimeMilliseconds(start), DateTimeOffset.FromUnixTimeMilliseconds(end),
            open, high, low, close, volume, accumulated, vwap, dayVwap, officialOpen, averageSize, otc,
            new IngressStamp(Source, receivedAt, e.GetRawText(), CanonicalJson.Hash(e)));
        return ElementKind.Aggregate;
    }

    private static string? OptionalString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
