using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Ingestion.Sources.Feeds;

/// <summary>
/// Reads typed fields of one JSON event and keeps the first problem, so one message names what is
/// wrong (and the event is quarantined with it). Vendors disagree on types: Polygon sends numbers,
/// Unusual Whales sends many decimals as strings (sometimes empty), so both readers exist.
/// </summary>
public ref struct JsonFields(JsonElement element)
{
    public string? Error { get; private set; }

    public readonly bool Has(string name) => element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string? RequiredString(string name)
    {
        if (!element.TryGetProperty(name, out var value)) return Fail($"missing required field '{name}'");
        if (value.ValueKind != JsonValueKind.String) return Fail($"field '{name}' must be a string, got {Kind(value)}");
        var text = value.GetString();
        return string.IsNullOrWhiteSpace(text) ? Fail($"field '{name}' is empty") : text;
    }

    public string? OptionalString(string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) return Fail($"field '{name}' must be a string, got {Kind(value)}");
        return value.GetString();
    }

    public long RequiredEpochMs(string name)
    {
        if (!element.TryGetProperty(name, out var value)) { Fail($"missing required field '{name}'"); return 0; }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var ms))
        {
            Fail($"field '{name}' must be an integer epoch-ms timestamp, got {Kind(value)} {Truncate(value.GetRawText())}");
            return 0;
        }
        if (ms is < 0 or > 253402300799999)
        {
            Fail($"field '{name}' is out of range: {ms}");
            return 0;
        }
        return ms;
    }

    /// <summary>An ISO-8601 timestamp string, e.g. <c>2025-06-11T21:40:56Z</c>.</summary>
    public DateTimeOffset RequiredIsoTime(string name)
    {
        var text = RequiredString(name);
        if (text is null) return default;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)) return time;
        Fail($"field '{name}' must be an ISO-8601 timestamp, got \"{Truncate(text)}\"");
        return default;
    }

    /// <summary>A <c>YYYY-MM-DD</c> date string.</summary>
    public DateOnly? RequiredDate(string name)
    {
        var text = RequiredString(name);
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        Fail($"field '{name}' must be a YYYY-MM-DD date, got \"{Truncate(text)}\"");
        return null;
    }

    public decimal RequiredDecimal(string name)
    {
        if (!element.TryGetProperty(name, out var value)) { Fail($"missing required field '{name}'"); return 0; }
        return ReadNumber(name, value) ?? 0;
    }

    public decimal? OptionalDecimal(string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? ReadNumber(name, value) : null;

    /// <summary>A decimal sent as a JSON string (<c>"562.82"</c>); a number is accepted too.</summary>
    public decimal RequiredStringDecimal(string name)
    {
        if (!element.TryGetProperty(name, out var value)) { Fail($"missing required field '{name}'"); return 0; }
        var parsed = ReadStringDecimal(name, value);
        if (parsed is null && Error is null) Fail($"field '{name}' is empty");
        return parsed ?? 0;
    }

    /// <summary>A decimal sent as a JSON string; absent, null or <c>""</c> is null.</summary>
    public decimal? OptionalStringDecimal(string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? ReadStringDecimal(name, value) : null;

    public long RequiredLong(string name)
    {
        if (!element.TryGetProperty(name, out var value)) { Fail($"missing required field '{name}'"); return 0; }
        return ReadLong(name, value) ?? 0;
    }

    public long? OptionalLong(string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? ReadLong(name, value) : null;

    public bool? OptionalBool(string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Fail($"field '{name}' must be a boolean, got {Kind(value)}");
        return null;
    }

    public ImmutableArray<string> OptionalStrings(string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return [];
        if (value.ValueKind != JsonValueKind.Array) { Fail($"field '{name}' must be an array of strings, got {Kind(value)}"); return []; }
        var items = ImmutableArray.CreateBuilder<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) { Fail($"field '{name}' must be an array of strings, found {Kind(item)}"); return []; }
            items.Add(item.GetString()!);
        }
        return items.MoveToImmutable();
    }

    private decimal? ReadNumber(string name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number)) return number;
        Fail($"field '{name}' must be a number, got {Kind(value)} {Truncate(value.GetRawText())}");
        return null;
    }

    private decimal? ReadStringDecimal(string name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number)) return number;
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString();
            if (string.IsNullOrEmpty(text)) return null;
            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)) return parsed;
        }
        Fail($"field '{name}' must be a decimal string, got {Kind(value)} {Truncate(value.GetRawText())}");
        return null;
    }

    private long? ReadLong(string name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)) return number;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var whole) && whole == decimal.Truncate(whole) && whole is >= long.MinValue and <= long.MaxValue) return (long)whole;
        Fail($"field '{name}' must be an integer, got {Kind(value)} {Truncate(value.GetRawText())}");
        return null;
    }

    /// <summary>Records a problem found by the caller (a value of the right type but not an allowed one).</summary>
    public void Reject(string message) => Fail(message);

    private string? Fail(string message)
    {
        Error ??= message;
        return null;
    }

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();

    private static string Truncate(string raw) => raw.Length <= 40 ? raw : raw[..40] + "…";
}
