using System.Collections.Immutable;

namespace Ingestion.Events;

/// <summary>
/// The unit that travels on Orleans streams: one message per batch keeps queue pressure and
/// per-message overhead low when a socket delivers thousands of events a second.
/// <see cref="Producer"/> names one activation of the publishing grain, so a consumer can tell each
/// producer how much of its output it has taken (flow control); a producer that stops sends a last,
/// possibly empty, batch with <see cref="IsLast"/> so consumers can say they have everything.
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.event-batch`1")]
public sealed record EventBatch<T>(
    [property: Id(0)] ImmutableArray<T> Items,
    [property: Id(1)] Guid Producer,
    [property: Id(2)] bool IsLast = false);
