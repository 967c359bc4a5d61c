using System.Collections.Immutable;

namespace Ingestion.Events;

/// <summary>
/// The unit that travels on Orleans streams: one message per batch keeps queue pressure and
/// per-message overhead low when a socket delivers thousands of events a second. A producer that
/// stops sends a last batch with a <see cref="Fence"/> so consumers can say they have everything.
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.event-batch`1")]
public sealed record EventBatch<T>(
    [property: Id(0)] ImmutableArray<T> Items,
    [property: Id(1)] Guid? Fence = null);
