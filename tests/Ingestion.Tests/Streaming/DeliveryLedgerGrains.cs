using Orleans.Streams;
using Orleans.Streams.Core;

namespace Ingestion.Tests.Streaming;

/// <summary>One numbered event; the id is what consumers dedup by.</summary>
[GenerateSerializer, Immutable, Alias("tests.numbered")]
public sealed record Numbered([property: Id(0)] int Id);

public static class LedgerStreams
{
    public const string Namespace = "tests.redis-queue";
}

/// <summary>Publishes numbered events in batches on one stream of the provider under test.</summary>
public interface INumberedProducerGrain : IGrainWithStringKey
{
    Task PublishAsync(string provider, int first, int count, int batchSize);
}

/// <summary>Implicit subscriber of <see cref="LedgerStreams.Namespace"/>; writes what it gets to the shared ledger.</summary>
public interface ILedgerConsumerGrain : IGrainWithStringKey;

public sealed class NumberedProducerGrain : Grain, INumberedProducerGrain
{
    public async Task PublishAsync(string provider, int first, int count, int batchSize)
    {
        var stream = this.GetStreamProvider(provider).GetStream<Numbered>(StreamId.Create(LedgerStreams.Namespace, this.GetPrimaryKeyString()));
        for (var start = first; start < first + count; start += batchSize)
        {
            var size = Math.Min(batchSize, first + count - start);
            await stream.OnNextBatchAsync(Enumerable.Range(start, size).Select(i => new Numbered(i)).ToList());
        }
    }
}

[ImplicitStreamSubscription(LedgerStreams.Namespace)]
public sealed class LedgerConsumerGrain(DeliveryLedger ledger) : Grain, ILedgerConsumerGrain, IStreamSubscriptionObserver, IAsyncObserver<Numbered>
{
    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<Numbered>().ResumeAsync(this);

    public Task OnNextAsync(Numbered item, StreamSequenceToken? token = null)
    {
        ledger.Receive(this.GetPrimaryKeyString(), item.Id, token);
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}

/// <summary>
/// What every consumer activation on every in-process silo received, shared through DI so it survives a silo's death.
/// While <see cref="Failing"/> is set, deliveries throw, after being recorded as failed attempts.
/// </summary>
public sealed class DeliveryLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<int, (long Sequence, int Index)>> _first = [];
    private readonly Dictionary<string, int> _highest = [];
    private readonly List<(int Id, long Sequence, int Index)> _failed = [];

    public volatile bool Failing;

    public int Deliveries { get; private set; }

    public int Duplicates { get; private set; }

    /// <summary>First-time arrivals with an id below one already seen on the same stream.</summary>
    public int OutOfOrder { get; private set; }

    public void Receive(string stream, int id, StreamSequenceToken? token)
    {
        var position = (token?.SequenceNumber ?? -1, token?.EventIndex ?? -1);
        lock (_lock)
        {
            if (Failing)
            {
                _failed.Add((id, position.Item1, position.Item2));
                throw new InvalidOperationException($"Consumer of {stream} refuses event {id} (test failure injection).");
            }
            Deliveries++;
            var seen = _first.TryGetValue(stream, out var ids) ? ids : _first[stream] = [];
            if (!seen.TryAdd(id, position))
            {
                Duplicates++;
                return;
            }
            if (_highest.TryGetValue(stream, out var highest) && id < highest)
            {
                OutOfOrder++;
            }
            _highest[stream] = Math.Max(id, highest);
        }
    }

    public int Distinct()
    {
        lock (_lock)
        {
            return _first.Values.Sum(ids => ids.Count);
        }
    }

    public int Distinct(string stream)
    {
        lock (_lock)
        {
            return _first.TryGetValue(stream, out var ids) ? ids.Count : 0;
        }
    }

    public IReadOnlyList<(int Id, long Sequence, int Index)> FailedAttempts()
    {
        lock (_lock)
        {
            return [.. _failed];
        }
    }

    /// <summary>The token an id was first delivered with, on a stream.</summary>
    public (long Sequence, int Index)? DeliveredAt(string stream, int id)
    {
        lock (_lock)
        {
            return _first.TryGetValue(stream, out var ids) && ids.TryGetValue(id, out var at) ? at : null;
        }
    }
}
