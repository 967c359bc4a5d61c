using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Ingestion.Replay.UnusualWhales.Socket;

/// <summary>A client text frame, {"channel":C,"msg_type":"join"|"leave"}; key order does not matter (protocols.md §1.1).</summary>
internal readonly record struct UwClientMessage(string Channel, string MsgType)
{
    public const string Join = "join";
    public const string Leave = "leave";

    /// <summary>Parses a message; on failure <paramref name="channel"/> holds whatever channel could be read, for the error reply.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out UwClientMessage message, out string channel, [NotNullWhen(false)] out string? error)
    {
        message = default;
        channel = "";
        try
        {
            using var document = JsonDocument.Parse(utf8);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "invalid message: expected a JSON object";
                return false;
            }

            var root = document.RootElement;
            if (root.TryGetProperty("channel", out var c) && c.ValueKind == JsonValueKind.String) channel = c.GetString()!;
            if (channel.Length == 0)
            {
                error = "invalid message: \"channel\" must be a non-empty string";
                return false;
            }

            if (!root.TryGetProperty("msg_type", out var t) || t.ValueKind != JsonValueKind.String)
            {
                error = "invalid message: \"msg_type\" must be \"join\" or \"leave\"";
                return false;
            }

            message = new UwClientMessage(channel, t.GetString()!);
            error = null;
            return true;
        }
        catch (JsonException)
        {
            error = "invalid message: not JSON";
            return false;
        }
    }
}
