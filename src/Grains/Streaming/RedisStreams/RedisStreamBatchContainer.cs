using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;

namespace Ingestion.Streaming.RedisStreams;

/// <summary>
/// One Redis stream entry: the events of one <c>OnNextBatchAsync</c>/<c>OnNextAsync</c> call on one stream, written with
/// the Orleans serializer so <c>[GenerateSerializer]</c> types travel as they do between grains. The token is not
/// stored; it is derived from the entry id when the entry is read (<see cref="RedisEntryId"/>).
/// </summary>
[GenerateSerializer, Alias("ingestion.redis-stream-batch")]
public sealed class RedisStreamBatchContainer : IBatchContainer
{
    public RedisStreamBatchContainer(StreamId streamId, List<object> events, Dictionary<string, object>? requestContext)
    {
        StreamId = streamId;
        Events = events;
        RequestContext = requestContext;
    }

    [Id(0)]
    public StreamId StreamId { get; }

    [Id(1)]
    public List<object> Events { get; }

    [Id(2)]
    public Dictionary<string, object>? RequestContext { get; }

    /// <summary>Set when read from Redis; null only in the payload written by the producer.</summary>
    [Id(3)]
    public EventSequenceTokenV2? Token { get; internal set; }

    /// <summary>The Redis entry this batch came from.</summary>
    public RedisEntryId EntryId => RedisEntryId.FromSequenceNumber(RequireToken().SequenceNumber);

    public StreamSequenceToken SequenceToken => RequireToken();

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        var token = RequireToken();
        for (var i = 0; i < Events.Count; i++)
        {
            if (Events[i] is T item)
            {
                yield return Tuple.Create<T, StreamSequenceToken>(item, token.CreateSequenceTokenForEvent(i));
            }
        }
    }

    public bool ImportRequestContext()
    {
        if (RequestContext is null)
        {
            return false;
        }
        RequestContextExtensions.Import(RequestContext);
        return true;
    }

    private EventSequenceTokenV2 RequireToken() =>
        Token ?? throw new InvalidOperationException("This batch was not read from Redis and has no sequence token yet.");

    public override string ToString() => $"RedisStreamBatch[{StreamId}, {Events.Count} events, {Token}]";
}
