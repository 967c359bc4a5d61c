using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;
using StackExchange.Redis;

namespace Ingestion.Streaming.RedisStreams;

/// <summary>
/// Writes: one <c>XADD</c> per batch of events a producer hands over, to the queue the hash ring maps the stream to.
/// When the call returns, Redis holds the entry; it stays there until every consumer has had it (see
/// <see cref="RedisStreamQueueReceiver"/>).
/// </summary>
public sealed class RedisStreamQueueAdapter : IQueueAdapter
{
    /// <summary>The one field of every entry: the Orleans-serialized <see cref="RedisStreamBatchContainer"/>.</summary>
    public const string PayloadField = "payload";

    private readonly RedisQueueStreamOptions _options;
    private readonly IStreamQueueMapper _mapper;
    private readonly IConnectionMultiplexer _connection;
    private readonly Serializer<RedisStreamBatchContainer> _serializer;
    private readonly Func<QueueId, string> _keyOf;
    private readonly string _consumer;
    private readonly Func<string, bool> _isLiveConsumer;
    private readonly Func<QueueId, bool> _cacheIsEmpty;
    private readonly ILoggerFactory _loggerFactory;

    internal RedisStreamQueueAdapter(
        string name,
        RedisQueueStreamOptions options,
        IStreamQueueMapper mapper,
        IConnectionMultiplexer connection,
        Serializer<RedisStreamBatchContainer> serializer,
        Func<QueueId, string> keyOf,
        string consumer,
        Func<string, bool> isLiveConsumer,
        Func<QueueId, bool> cacheIsEmpty,
        ILoggerFactory loggerFactory)
    {
        Name = name;
        _options = options;
        _mapper = mapper;
        _connection = connection;
        _serializer = serializer;
        _keyOf = keyOf;
        _consumer = consumer;
        _isLiveConsumer = isLiveConsumer;
        _cacheIsEmpty = cacheIsEmpty;
        _loggerFactory = loggerFactory;
    }

    public string Name { get; }

    /// <summary>False: entries are gone once acknowledged, so consumers cannot rewind to an older token.</summary>
    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
        {
            throw new ArgumentException("Redis queue streams assign sequence tokens from Redis entry ids; a producer cannot supply one.", nameof(token));
        }
        var batch = new RedisStreamBatchContainer(streamId, events.Cast<object>().ToList(), requestContext);
        var payload = _serializer.SerializeToArray(batch);
        var key = _keyOf(_mapper.GetQueueForStream(streamId));
        await _connection.GetDatabase().StreamAddAsync(key, PayloadField, payload,
            maxLength: _options.MaxStreamLength, useApproximateMaxLength: _options.MaxStreamLength is not null);
    }

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) =>
        new RedisStreamQueueReceiver(
            _connection.GetDatabase(),
            _keyOf(queueId),
            RedisStreamQueueAdapterFactory.GroupName(Name),
            _consumer,
            _options,
            _serializer,
            _isLiveConsumer,
            () => _cacheIsEmpty(queueId),
            _loggerFactory.CreateLogger($"{typeof(RedisStreamQueueReceiver).FullName}.{Name}.{queueId}"));
}
