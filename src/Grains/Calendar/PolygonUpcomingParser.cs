using System.Globalization;
using System.Text.Json;

namespace Ingestion.Calendar;

/// <summary>One entry of <c>GET /v1/marketstatus/upcoming</c>: <c>date, exchange, name, status, open?, close?</c>.</summary>
public sealed record PolygonMarketHoliday(
    DateOnly Date,
    string Exchange,
    string Name,
    string Status,
    DateTimeOffset? Open,
    DateTimeOffset? Close);

/// <summary>
/// Reads Polygon's upcoming market holidays (protocols.md §2.2): a bare JSON array of objects. Anything that is not
/// that shape throws <see cref="FormatException"/> with a message saying what was wrong, so one bad answer can never
/// half-replace a good one.
/// </summary>
public static class PolygonUpcomingParser
{
    public const string StatusClosed = "closed";
    public const string StatusEarlyClose = "early-close";

    /// <summary>Every entry, in the order served.</summary>
    public static IReadOnlyList<PolygonMarketHoliday> Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"the body is not JSON ({ex.Message}); it starts with '{Preview(json)}'", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                throw new FormatException($"expected a JSON array of market holidays, got a JSON {root.ValueKind}: '{Preview(json)}'");

            var entries = new List<PolygonMarketHoliday>(root.GetArrayLength());
            var index = 0;
            foreach (var item in root.EnumerateArray())
            {
                entries.Add(ParseEntry(item, index++));
            }
            return entries;
        }
    }

    /// <summary>
    /// The sessions of one exchange's entries (<c>closed</c> and <c>early-close</c>); entries with another status are
    /// skipped, since the endpoint lists only days that differ from a regular session.
    /// </summary>
    public static IReadOnlyList<MarketSession> ToSessions(IEnumerable<PolygonMarketHoliday> entries, string exchange)
    {
        var sessions = new List<MarketSession>();
        foreach (var entry in entries)
        {
            if (!string.Equals(entry.Exchange, exchange, StringComparison.OrdinalIgnoreCase)) continue;
            switch (entry.Status)
            {
                case StatusClosed:
                    sessions.Add(new MarketSession(entry.Date, MarketDayKind.Holiday, null, null, entry.Name, MarketCalendarSource.Polygon));
                    break;
                case StatusEarlyClose:
                    sessions.Add(new MarketSession(entry.Date, MarketDayKind.EarlyClose, MarketCalendar.InNewYork(entry.Open!.Value),
                        MarketCalendar.InNewYork(entry.Close!.Value), entry.Name, MarketCalendarSource.Polygon));
                    break;
            }
        }
        return sessions;
    }

    private static PolygonMarketHoliday ParseEntry(JsonElement item, int index)
    {
        if (item.ValueKind != JsonValueKind.Object)
            throw new FormatException($"entry {index} is a JSON {item.ValueKind}, not an object");

        var dateText = RequiredString(item, "date", index);
        if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            throw new FormatException($"entry {index} has date '{dateText}', not yyyy-MM-dd");
        var exchange = RequiredString(item, "exchange", index);
        var status = RequiredString(item, "status", index);
        var name = OptionalString(item, "name", index) ?? status;
        var open = OptionalInstant(item, "open", index);
        var close = OptionalInstant(item, "close", index);

        if (status == StatusEarlyClose)
        {
            if (open is null || close is null)
                throw new FormatException($"entry {index} ({exchange} {dateText}) is an early close without open and close times");
            if (close <= open)
                throw new FormatException($"entry {index} ({exchange} {dateText}) closes at {close:O}, not after its open at {open:O}");
            if (DateOnly.FromDateTime(MarketCalendar.InNewYork(open.Value).DateTime) != date)
                throw new FormatException($"entry {index} ({exchange} {dateText}) opens at {open:O}, which is not on its date in New York");
        }
        return new PolygonMarketHoliday(date, exchange, name, status, open, close);
    }

    private static string RequiredString(JsonElement item, string property, int index) =>
        OptionalString(item, property, index) is { Length: > 0 } value
            ? value
            : throw new FormatException($"entry {index} has no '{property}'");

    private static string? OptionalString(JsonElement item, string property, int index)
    {
        if (!item.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new FormatException($"entry {index} has '{property}' as a JSON {value.ValueKind}, not a string");
    }

    private static DateTimeOffset? OptionalInstant(JsonElement item, string property, int index)
    {
        var text = OptionalString(item, property, index);
        if (text is null) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new FormatException($"entry {index} has '{property}' = '{text}', not an RFC 3339 timestamp");
    }

    private static string Preview(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
