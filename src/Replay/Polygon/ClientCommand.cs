using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Ingestion.Replay.Polygon;

/// <summary>A client message: {"action":"auth|subscribe|unsubscribe","params":"..."}.</summary>
internal sealed record ClientCommand(string Action, string Params)
{
    public const string Auth = "auth";
    public const string Subscribe = "subscribe";
    public const string Unsubscribe = "unsubscribe";

    public static bool TryParse(ReadOnlyMemory<byte> utf8, [NotNullWhen(true)] out ClientCommand? command, [NotNullWhen(false)] out string? error)
    {
        command = null;
        try
        {
            using var document = JsonDocument.Parse(utf8);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.String)
            {
                error = "invalid message: expected {\"action\":...,\"params\":...}";
                return false;
            }

            var parameters = root.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "";
            command = new ClientCommand(action.GetString()!, parameters);
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
