using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ingestion.Replay.Polygon;

/// <summary>One {"ev":"status",...} element. Texts follow protocols.md §2.1.</summary>
internal readonly record struct PolygonStatus(string Status, string Message)
{
    public static readonly PolygonStatus Connected = new("connected", "Connected Successfully");
    public static readonly PolygonStatus AuthSuccess = new("auth_success", "authenticated");
    public static readonly PolygonStatus AuthFailed = new("auth_failed", "authentication failed");
    public static readonly PolygonStatus AuthTimeout = new("auth_timeout", "No authentication request received.");
    public static readonly PolygonStatus NotAuthorized = new("error", "not authorized");

    public static PolygonStatus Subscribed(PolygonTopic topic) => new("success", $"subscribed to: {topic}");

    public static PolygonStatus Unsubscribed(PolygonTopic topic) => new("success", $"unsubscribed to: {topic}");

    public static PolygonStatus Error(string message) => new("error", message);

    /// <summary>A server frame: always a JSON array, even for one status.</summary>
    public static byte[] Frame(IReadOnlyList<PolygonStatus> statuses)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, PolygonJson.WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var status in statuses)
            {
                writer.WriteStartObject();
                writer.WriteString("ev", "status");
                writer.WriteString("status", status.Status);
                writer.WriteString("message", status.Message);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

internal static class PolygonJson
{
    /// <summary>Writes symbols and messages unescaped, as the vendor does.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Joins encoded elements into one array frame: [e1,e2,...].</summary>
    public static byte[] ArrayFrame(IReadOnlyList<ReadOnlyMemory<byte>> elements)
    {
        var length = 2 + elements.Sum(e => e.Length) + Math.Max(0, elements.Count - 1);
        var frame = new byte[length];
        var span = frame.AsSpan();
        span[0] = (byte)'[';
        var at = 1;
        for (var i = 0; i < elements.Count; i++)
        {
            if (i > 0) span[at++] = (byte)',';
            elements[i].Span.CopyTo(span[at..]);
            at += elements[i].Length;
        }
        span[at] = (byte)']';
        return frame;
    }
}
