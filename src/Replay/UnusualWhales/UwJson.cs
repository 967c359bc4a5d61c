using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ingestion.Replay.UnusualWhales;

/// <summary>The socket's frame shapes: [channel, payload] for data and join/leave replies (protocols.md §1.1).</summary>
internal static class UwJson
{
    /// <summary>Writes tickers, headlines and symbols unescaped, as the vendor does.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly byte[] OkReply = """{"response":{},"status":"ok"}"""u8.ToArray();

    /// <summary>[channel,payload] with the payload bytes as encoded.</summary>
    public static byte[] Frame(string channel, ReadOnlySpan<byte> payload)
    {
        var buffer = new ArrayBufferWriter<byte>(payload.Length + channel.Length + 8);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(channel);
            writer.WriteRawValue(payload, skipInputValidation: true);
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The documented join ack, [C,{"response":{},"status":"ok"}]; also the reply to a leave.</summary>
    public static byte[] Ok(string channel) => Frame(channel, OkReply);

    /// <summary>
    /// No error frame is documented. The ok reply follows Elixir Phoenix's channel reply convention
    /// ({"response":…,"status":"ok"}), so a refused join gets Phoenix's error form, [C,{"response":{"reason":…},"status":"error"}].
    /// </summary>
    public static byte[] Error(string channel, string reason)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("response");
            writer.WriteString("reason", reason);
            writer.WriteEndObject();
            writer.WriteString("status", "error");
            writer.WriteEndObject();
        }
        return Frame(channel, buffer.WrittenSpan);
    }

    /// <summary>Encodes one payload object written by <paramref name="write"/>.</summary>
    public static byte[] Object(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
