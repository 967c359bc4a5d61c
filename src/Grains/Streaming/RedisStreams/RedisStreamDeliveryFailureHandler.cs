using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace Ingestion.Streaming.RedisStreams;

/// <summary>
/// Called when the pulling agent gives up delivering a batch (after <c>MaxEventDeliveryTime</c> of retries). The agent's
/// cache then never releases that batch, so <see cref="RedisStreamQueueReceiver"/> never acknowledges it: it stays
/// pending in Redis and is delivered again later. Subscriptions are not faulted, so the consumer keeps receiving.
/// </summary>
public sealed partial class RedisStreamDeliveryFailureHandler(string key, ILogger<RedisStreamDeliveryFailureHandler> logger) : IStreamFailureHandler
{
    public bool ShouldFaultSubsriptionOnError => false;

    public Task OnDeliveryFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        LogDeliveryFailed(logger, streamIdentity, EntryOf(sequenceToken), key);
        return Task.CompletedTask;
    }

    public Task OnSubscriptionFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        LogSubscriptionFailed(logger, streamIdentity, EntryOf(sequenceToken), key);
        return Task.CompletedTask;
    }

    private static string EntryOf(StreamSequenceToken? token) =>
        token is null ? "?" : RedisEntryId.FromSequenceNumber(token.SequenceNumber).ToString();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery on {StreamId} failed at entry {EntryId}; it stays pending in {Key} and will be delivered again")]
    private static partial void LogDeliveryFailed(ILogger logger, StreamId streamId, string entryId, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription on {StreamId} failed at entry {EntryId} of {Key}")]
    private static partial void LogSubscriptionFailed(ILogger logger, StreamId streamId, string entryId, string key);
}
