using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Ingestion.Sources.Feeds;

/// <summary>
/// The canonical form of a JSON value: object keys sorted ordinally, no insignificant whitespace,
/// numbers exactly as received. Two payloads that differ only in key order or spacing hash alike.
/// </summary>
public static class CanonicalJson
{
    /// <summary>SHA-256 of the canonical form of <paramref name="value"/>.</summary>
    public static byte[] Hash(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value);
        }
        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>The canonical form as text (for tests and diagnostics).</summary>
    public static string Format(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var properties = new List<JsonProperty>();
                foreach (var property in value.EnumerateObject())
                {
                    properties.Add(property);
                }
                properties.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                foreach (var property in properties)
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item);
                }
                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(value.GetRawText(), skipInputValidation: true);
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
