using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Ingestion.Replay.UnusualWhales.Recorded;

/// <summary>
/// Re-encodes a recorded payload for one pass over the file: epoch-ms fields and the news ISO timestamp move
/// forward by the pass's shift, and ids (id, trade_ids) are replaced by UUIDs derived from the recorded id and
/// the pass, so repeats are new events and an alert's trade_ids still name the repeated trades.
/// </summary>
internal static class UwRecordedPayload
{
    private static readonly string[] EpochMsKeys = ["executed_at", "created_at", "start_time", "end_time", "timestamp", "time"];

    public static byte[] Encode(JsonObject payload, long pass, long shiftMs)
    {
        var json = pass == 0 ? payload : Shifted(payload, pass, shiftMs);
        return Encoding.UTF8.GetBytes(json.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    /// <summary>The ticker a payload is about, for per-ticker counters: ticker, underlying_symbol or the channel suffix.</summary>
    public static string Ticker(string channel, JsonObject payload)
    {
        if (Text(payload, "ticker") is { } ticker) return ticker;
        if (Text(payload, "underlying_symbol") is { } underlying) return underlying;
        var colon = channel.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? "" : channel[(colon + 1)..];
    }

    public static IEnumerable<long> Times(JsonObject payload)
    {
        foreach (var key in EpochMsKeys)
        {
            if (payload[key] is JsonValue value && value.TryGetValue<long>(out var ms)) yield return ms;
        }
    }

    private static JsonObject Shifted(JsonObject payload, long pass, long shiftMs)
    {
        var copy = payload.DeepClone().AsObject();
        foreach (var key in EpochMsKeys)
        {
            if (copy[key] is JsonValue value && value.TryGetValue<long>(out var ms)) copy[key] = ms + pass * shiftMs;
        }
        if (Text(copy, "timestamp") is { } iso && DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            copy["timestamp"] = UwFormat.IsoUtc(at.ToUnixTimeMilliseconds() + pass * shiftMs);
        if (Text(copy, "id") is { } id) copy["id"] = Repeat(id, pass);
        if (copy["trade_ids"] is JsonArray tradeIds)
            copy["trade_ids"] = new JsonArray([.. tradeIds.Select(t => (JsonNode?)JsonValue.Create(Repeat(t?.GetValue<string>() ?? "", pass)))]);
        return copy;
    }

    private static string Repeat(string id, long pass)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}#{pass}")))[..16];
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("D");
    }

    private static string? Text(JsonObject payload, string key) =>
        payload[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
