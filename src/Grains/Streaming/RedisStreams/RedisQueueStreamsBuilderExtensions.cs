using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Ingestion.Streaming.RedisStreams;

/// <summary>Registers a durable stream provider on Redis Streams for silos and clients.</summary>
public static class RedisQueueStreamsBuilderExtensions
{
    /// <summary>
    /// A persistent stream provider named <paramref name="name"/> whose queues are Redis streams. Queues are spread over
    /// the silos by the consistent-ring balancer (from membership, no lease store needed) and move as soon as a silo
    /// leaves or is declared dead; the new owner takes over what the old one left unacknowledged. Delivery is
    /// at-least-once (see <see cref="RedisStreamQueueReceiver"/>). Also registers <c>PubSubStore</c>-backed explicit
    /// subscriptions and implicit ones, as memory streams do.
    /// </summary>
    /// <param name="configureStreams">Further pulling-agent or pub-sub tuning, after the defaults set here.</param>
    public static ISiloBuilder AddRedisQueueStreams(this ISiloBuilder silo, string name, Action<RedisQueueStreamOptions> configure,
        Action<ISiloPersistentStreamConfigurator>? configureStreams = null)
    {
        var options = AddOptions(silo.Services, name, configure);
        silo.AddPersistentStreams(name, RedisStreamQueueAdapterFactory.Create, streams =>
        {
            streams.ConfigureStreamPubSub(StreamPubSubType.ExplicitGrainBasedAndImplicit);
            streams.UseConsistentRingQueueBalancer();
            streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = options.PollPeriod));
            configureStreams?.Invoke(streams);
        });
        return silo;
    }

    /// <summary>The same provider for an external client that produces to (or subscribes to) these streams.</summary>
    public static IClientBuilder AddRedisQueueStreams(this IClientBuilder client, string name, Action<RedisQueueStreamOptions> configure)
    {
        AddOptions(client.Services, name, configure);
        client.AddPersistentStreams(name, RedisStreamQueueAdapterFactory.Create,
            streams => streams.ConfigureStreamPubSub(StreamPubSubType.ExplicitGrainBasedAndImplicit));
        return client;
    }

    private static RedisQueueStreamOptions AddOptions(IServiceCollection services, string name, Action<RedisQueueStreamOptions> configure)
    {
        services.AddOptions<RedisQueueStreamOptions>(name).Configure(configure).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedisQueueStreamOptions>>(new RedisQueueStreamOptionsValidator(name));
        // Registration-time settings (the polling period) come from the same delegate.
        var snapshot = new RedisQueueStreamOptions();
        configure(snapshot);
        return snapshot;
    }
}
