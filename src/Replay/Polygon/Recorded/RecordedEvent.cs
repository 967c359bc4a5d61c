using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ingestion.Replay.Polygon.Recorded;

/// <summary>One element of a recorded frame, encoded for one pass over the file.</summary>
internal sealed record RecordedEvent(string Ev, string? Symbol, byte[] Json)
{
    private static readonly JsonSerializerOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool IsStatus => Ev == "status";

    /// <summary>Encodes an element, moving its time fields forward by <paramref name="shiftMs"/> (zero on the first pass).</summary>
    public static RecordedEvent From(JsonObject element, long shiftMs)
    {
        var ev = Text(element, "ev") ?? "";
        var symbol = ev == "V" ? Text(element, "T") : Text(element, "sym");
        var json = shiftMs == 0 ? element : Shifted(element, ev, shiftMs);
        return new RecordedEvent(ev, symbol, Encoding.UTF8.GetBytes(json.ToJsonString(WriteOptions)));
    }

    /// <summary>Epoch-ms fields of an event: s and e for aggregates, t for trades, quotes and index values.</summary>
    public static IEnumerable<long> Times(JsonObject element) =>
        TimeKeys(Text(element, "ev")).Select(key => element[key] is JsonValue v && v.TryGetValue<long>(out var ms) ? ms : (long?)null)
            .Where(ms => ms is not null).Select(ms => ms!.Value);

    private static JsonObject Shifted(JsonObject element, string ev, long shiftMs)
    {
        var copy = element.DeepClone().AsObject();
        foreach (var key in TimeKeys(ev))
        {
            if (copy[key] is JsonValue value && value.TryGetValue<long>(out var ms)) copy[key] = ms + shiftMs;
        }
        return copy;
    }

    private static string[] TimeKeys(string? ev) => ev switch
    {
        "A" or "AM" => ["s", "e"],
        "T" => ["t", "trft"],
        "Q" or "V" => ["t"],
        _ => [],
    };

    private static string? Text(JsonObject element, string key) =>
        element[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
