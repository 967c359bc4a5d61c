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
    [property: Id(4)] string Raw);
