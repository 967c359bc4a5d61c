using Ingestion.Storage;
using Ingestion.Streaming.RedisStreams;
using Ingestion.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Streams;
using Orleans.TestingHost;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Ingestion.Tests.Streaming;

/// <summary>The Redis Streams queue provider on a real Redis and a real in-process cluster of two silos.</summary>
[Collection(ServersCollection.Name)]
public sealed class RedisQueueStreamTests(ServersFixture servers, ITestOutputHelper output)
{
    private const string Provider = "redis-queue-tests";
    private const int QueueCount = 8;

    [Fact]
    public async Task Batches_published_by_a_grain_arrive_once_per_id_and_in_order_per_stream()
    {
        var ledger = new DeliveryLedger();
        var prefix = NewPrefix();
        await using var cluster = await StartAsync(prefix, ledger);
        string[] streams = ["a", "b", "c", "d"];

        await Task.WhenAll(streams.Select(s => cluster.Client.GetGrain<INumberedProducerGrain>(s).PublishAsync(Provider, 0, 1250, 50)));

        await Eventually.MatchesAsync(() => Task.FromResult(ledger.Distinct()), n => n == 5000, "5,000 distinct events at the consumers");
        foreach (var stream in streams)
        {
            Assert.Equal(1250, ledger.Distinct(stream));
        }
        Assert.Equal(0, ledger.OutOfOrder);
        output.WriteLine($"distinct={ledger.Distinct()} deliveries={ledger.Deliveries} duplicates={ledger.Duplicates} outOfOrder={ledger.OutOfOrder}");
    }

    [Fact]
    public async Task Acknowledged_entries_are_trimmed_and_nothing_stays_pending()
    {
        var ledger = new DeliveryLedger();
        var prefix = NewPrefix();
        await using var cluster = await StartAsync(prefix, ledger);

        await Task.WhenAll(new[] { "t1", "t2" }.Select(s => cluster.Client.GetGrain<INumberedProducerGrain>(s).PublishAsync(Provider, 0, 1000, 50)));
        await Eventually.MatchesAsync(() => Task.FromResult(ledger.Distinct()), n => n == 2000, "2,000 distinct events at the consumers");

        var queues = await Eventually.MatchesAsync(() => QueuesAsync(prefix), q => q.Length == 0 && q.Pending == 0,
            "every queue key to be trimmed to length 0 with nothing pending");
        Assert.Equal(QueueCount, queues.Keys);
        Assert.Equal(40, queues.EntriesRead); // 2 streams × 1,000 events / 50 per entry: all were in Redis and read once
        output.WriteLine($"distinct={ledger.Distinct()} keys={queues.Keys} entriesRead={queues.EntriesRead} length={queues.Length} pending={queues.Pending}");
    }

    [Fact]
    public async Task A_batch_whose_delivery_failed_stays_pending_and_is_delivered_again_with_the_same_token()
    {
        var ledger = new DeliveryLedger { Failing = true };
        var prefix = NewPrefix();
        // The agent gives up on a batch after its first failed attempt; only Redis redelivery can bring it back.
        await using var cluster = await StartAsync(prefix, ledger,
            streams => streams.ConfigurePullingAgent(agent => agent.Configure(o => o.MaxEventDeliveryTime = TimeSpan.FromMilliseconds(300))));

        await cluster.Client.GetGrain<INumberedProducerGrain>("r").PublishAsync(Provider, 0, 100, 10);
        await Eventually.TrueAsync(() => ledger.FailedAttempts().Any(f => f.Id == 10),
            "a delivery attempt of the second batch, so the agent has given up on the first");
        var pendingWhileFailing = await QueuesAsync(prefix);
        ledger.Failing = false;

        await Eventually.MatchesAsync(() => Task.FromResult(ledger.Distinct("r")), n => n == 100, "all 100 events, the abandoned batch included");
        var failedFirst = ledger.FailedAttempts().First(f => f.Id == 0);
        Assert.Equal((failedFirst.Sequence, failedFirst.Index), ledger.DeliveredAt("r", 0));
        Assert.True(pendingWhileFailing.Pending >= 1, $"the failed batch was pending while the consumer failed ({pendingWhileFailing.Pending})");
        await Eventually.MatchesAsync(() => QueuesAsync(prefix), q => q.Length == 0 && q.Pending == 0, "the redelivered entry to be acknowledged and trimmed");
        output.WriteLine($"failedAttempts={ledger.FailedAttempts().Count} distinct={ledger.Distinct("r")} deliveries={ledger.Deliveries} duplicates={ledger.Duplicates} pendingWhileFailing={pendingWhileFailing.Pending}");
    }

    [Fact]
    public async Task Queues_move_to_the_surviving_silo_and_every_event_is_delivered_when_a_silo_dies_under_load()
    {
        var ledger = new DeliveryLedger();
        var prefix = NewPrefix();
        await using var cluster = await StartAsync(prefix, ledger);
        var producer = cluster.Client.GetStreamProvider(Provider);
        string[] streams = [.. Enumerable.Range(0, 8).Select(i => $"f{i}")];
        const int rounds = 120, perBatch = 5;
        var published = 0;
        var halfway = new TaskCompletionSource();

        var publishing = Task.Run(async () =>
        {
            for (var round = 0; round < rounds; round++)
            {
                await Task.WhenAll(streams.Select(s => producer.GetStream<Numbered>(StreamId.Create(LedgerStreams.Namespace, s))
                    .OnNextBatchAsync(Enumerable.Range(round * perBatch, perBatch).Select(i => new Numbered(i)).ToList())));
                Interlocked.Add(ref published, streams.Length * perBatch);
                if (round == rounds / 3)
                {
                    halfway.TrySetResult();
                }
                await Task.Delay(25); // pacing of the load, not synchronisation
            }
        });

        await halfway.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.MatchesAsync(() => Task.FromResult(ledger.Distinct()), n => n >= 200, "deliveries under way before the kill");
        var owners = await ConsumersAsync(prefix);
        var doomed = cluster.Silos.First(s => owners.Values.Any(c => c.Contains(s.SiloAddress.ToParsableString())));
        var survivor = cluster.Silos.Single(s => s != doomed);
        var doomedQueues = owners.Count(q => q.Value.Contains(doomed.SiloAddress.ToParsableString()));
        await cluster.KillSiloAsync(doomed);
        var deliveredAtKill = ledger.Distinct();

        await publishing;
        Assert.Equal(rounds * perBatch * streams.Length, published);
        await Eventually.MatchesAsync(() => Task.FromResult(ledger.Distinct()), n => n == published,
            $"all {published} events after the failover", TimeSpan.FromSeconds(40));
        foreach (var stream in streams)
        {
            Assert.Equal(rounds * perBatch, ledger.Distinct(stream));
        }
        var queues = await Eventually.MatchesAsync(() => QueuesAsync(prefix), q => q.Length == 0 && q.Pending == 0, "queues drained after the failover");
        var after = await ConsumersAsync(prefix);
        // Every queue the dead silo read (a consumer appears in a group once it has read or claimed) is now read by the survivor.
        Assert.True(doomedQueues >= 1);
        foreach (var (key, _) in owners.Where(o => o.Value.Contains(doomed.SiloAddress.ToParsableString())))
        {
            Assert.Contains(survivor.SiloAddress.ToParsableString(), after[key]);
        }
        output.WriteLine($"published={published} distinct={ledger.Distinct()} deliveredAtKill={deliveredAtKill} doomedQueues={doomedQueues} " +
            $"deliveries={ledger.Deliveries} duplicates={ledger.Duplicates} length={queues.Length} pending={queues.Pending}");
    }

    private static string NewPrefix() => $"test-streams-{Guid.NewGuid():N}"[..22];

    private async Task<InProcessTestCluster> StartAsync(string prefix, DeliveryLedger ledger, Action<ISiloPersistentStreamConfigurator>? tune = null)
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureHost(host => host.Services.AddSingleton(ledger));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.PubSub);
            silo.AddRedisQueueStreams(Provider, o => Configure(o, prefix), tune);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
        builder.ConfigureClient(client => client.AddRedisQueueStreams(Provider, o => Configure(o, prefix)));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private void Configure(RedisQueueStreamOptions options, string prefix)
    {
        options.ConnectionString = servers.Redis.ConnectionString;
        options.KeyPrefix = prefix;
        options.QueueCount = QueueCount;
        options.ClaimIdleTime = TimeSpan.FromSeconds(1);
    }

    private async Task<List<RedisKey>> QueueKeysAsync(string prefix)
    {
        var keys = new List<RedisKey>();
        await foreach (var key in servers.Cache.GetServers().Single().KeysAsync(pattern: $"{prefix}:*"))
        {
            if (!key.ToString().EndsWith(":dead", StringComparison.Ordinal))
            {
                keys.Add(key);
            }
        }
        return keys;
    }

    private async Task<QueueState> QueuesAsync(string prefix)
    {
        var db = servers.Cache.GetDatabase();
        long length = 0, pending = 0, read = 0;
        var keys = await QueueKeysAsync(prefix);
        foreach (var key in keys)
        {
            length += await db.StreamLengthAsync(key);
            var groups = await db.StreamGroupInfoAsync(key);
            if (groups.Any(g => g.Name == Provider))
            {
                pending += (await db.StreamPendingAsync(key, Provider)).PendingMessageCount;
                read += groups.Single(g => g.Name == Provider).EntriesRead ?? 0;
            }
        }
        return new QueueState(keys.Count, length, pending, read);
    }

    /// <summary>Consumer names (silo addresses) in each queue's group.</summary>
    private async Task<Dictionary<string, HashSet<string>>> ConsumersAsync(string prefix)
    {
        var db = servers.Cache.GetDatabase();
        var result = new Dictionary<string, HashSet<string>>();
        foreach (var key in await QueueKeysAsync(prefix))
        {
            result[key.ToString()] = [.. (await db.StreamConsumerInfoAsync(key, Provider)).Select(c => c.Name.ToString())];
        }
        return result;
    }

    private sealed record QueueState(int Keys, long Length, long Pending, long EntriesRead);
}
