namespace Ingestion.Events;

/// <summary>
/// Input that could not be turned into an event: malformed JSON, a missing or mistyped field, an
/// unknown event type, an oversized frame. It is stored with the reason instead of being dropped.
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.quarantined-frame")]
public sealed record QuarantinedFrame(
    [property: Id(0)] string Source,
    [property: Id(1)] string Connection,
    [property: Id(2)] DateTimeOffset ReceivedAt,
    [property: Id(3)] string Reason,
    [property: Id(4)] string Raw)
{
    /// <summary>Raw text kept per refused frame; a longer one keeps its head and says how long it was.</summary>
    public const int MaxRawLength = 256 * 1024;

    public static QuarantinedFrame Create(string source, string connection, DateTimeOffset receivedAt, string reason, string raw) =>
        raw.Length <= MaxRawLength
            ? new(source, connection, receivedAt, reason, raw)
            : new(source, connection, receivedAt, $"{reason} (raw text truncated from {raw.Length} characters)", raw[..MaxRawLength]);
}
