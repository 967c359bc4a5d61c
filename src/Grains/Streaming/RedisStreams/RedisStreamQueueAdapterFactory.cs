using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Serialization;
using Orleans.Streams;
using StackExchange.Redis;

namespace Ingestion.Streaming.RedisStreams;

/// <summary>
/// Builds the pieces of a Redis Streams queue provider: one Redis stream key per queue
/// (<c>{prefix}:{provider}:{serviceId}:q{n}</c>), a consumer group named after the provider, a hash-ring queue mapper
/// (so the consistent-ring balancer can spread queues across silos), a <see cref="SimpleQueueCache"/> per queue and a
/// failure handler that leaves failed entries unacknowledged.
/// </summary>
public sealed class RedisStreamQueueAdapterFactory : IQueueAdapterFactory, IQueueAdapterCache, IDisposable
{
    private readonly string _name;
    private readonly RedisQueueStreamOptions _options;
    private readonly string _serviceId;
    private readonly Serializer<RedisStreamBatchContainer> _serializer;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IServiceProvider _services;
    private readonly HashRingBasedStreamQueueMapper _mapper;
    private readonly ConcurrentDictionary<QueueId, SimpleQueueCache> _caches = new();
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection;
    private RedisStreamQueueAdapter? _adapter;

    public RedisStreamQueueAdapterFactory(
        string name,
        RedisQueueStreamOptions options,
        IOptions<ClusterOptions> cluster,
        Serializer<RedisStreamBatchContainer> serializer,
        ILoggerFactory loggerFactory,
        IServiceProvider services)
    {
        _name = name;
        _options = options;
        _serviceId = cluster.Value.ServiceId;
        _serializer = serializer;
        _loggerFactory = loggerFactory;
        _services = services;
        _mapper = new HashRingBasedStreamQueueMapper(new HashRingStreamQueueMapperOptions { TotalQueueCount = options.QueueCount }, name);
        _connection = new(ConnectAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The factory delegate <c>AddPersistentStreams</c> takes.</summary>
    public static RedisStreamQueueAdapterFactory Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<RedisQueueStreamOptions>>().Get(name);
        return ActivatorUtilities.CreateInstance<RedisStreamQueueAdapterFactory>(services, name, options);
    }

    /// <summary>The Redis key that holds one queue.</summary>
    public static string QueueKey(RedisQueueStreamOptions options, string provider, string serviceId, QueueId queue) =>
        $"{options.KeyPrefix}:{provider}:{serviceId}:q{queue.GetNumericId()}";

    /// <summary>The consumer group every silo of the service reads a queue with.</summary>
    public static string GroupName(string provider) => provider;

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IQueueAdapter> CreateAdapter() => CreateAdapter(CancellationToken.None);

    public async Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken)
    {
        if (_adapter is null)
        {
            var connection = await _connection.Value.WaitAsync(cancellationToken);
            _adapter = new RedisStreamQueueAdapter(_name, _options, _mapper, connection, _serializer,
                queue => QueueKey(_options, _name, _serviceId, queue),
                ConsumerName(),
                IsLiveConsumer,
                queue => _caches.TryGetValue(queue, out var cache) ? cache.Size == 0 : true,
                _loggerFactory);
        }
        return _adapter;
    }

    public IQueueAdapterCache GetQueueAdapterCache() => this;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new RedisStreamDeliveryFailureHandler(
            QueueKey(_options, _name, _serviceId, queueId), _loggerFactory.CreateLogger<RedisStreamDeliveryFailureHandler>()));

    /// <summary>A <see cref="SimpleQueueCache"/> per queue, remembered so the receiver can tell when it has drained.</summary>
    public IQueueCache CreateQueueCache(QueueId queueId)
    {
        var cache = new SimpleQueueCache(_options.CacheSize, _loggerFactory.CreateLogger($"{typeof(SimpleQueueCache).FullName}.{_name}.{queueId}"));
        _caches[queueId] = cache;
        return cache;
    }

    public void Dispose()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            _connection.Value.Result.Dispose();
        }
    }

    private Task<ConnectionMultiplexer> ConnectAsync()
    {
        var configuration = _options.ConfigurationOptions?.Clone() ?? ConfigurationOptions.Parse(_options.ConnectionString!);
        configuration.AbortOnConnectFail = false;
        return ConnectionMultiplexer.ConnectAsync(configuration);
    }

    /// <summary>One consumer per silo incarnation, so a consumer name says which silo holds an entry.</summary>
    private string ConsumerName() =>
        _services.GetService<ILocalSiloDetails>()?.SiloAddress.ToParsableString() ?? $"client-{Environment.MachineName}-{Guid.NewGuid():N}";

    /// <summary>
    /// Whether a consumer is a silo the membership still counts as active. Entries pending at a consumer that is not are
    /// taken over at once when a queue starts; entries at a live one only after <see cref="RedisQueueStreamOptions.ClaimIdleTime"/>.
    /// </summary>
    private bool IsLiveConsumer(string consumer)
    {
        var membership = _services.GetService<IClusterMembershipService>();
        if (membership is null)
        {
            return false;
        }
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && member.SiloAddress.ToParsableString() == consumer)
            {
                return true;
            }
        }
        return false;
    }
}
