using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Streams;
using StackExchange.Redis;

namespace Ingestion.Streaming.RedisStreams;

/// <summary>
/// Reads one queue (one Redis stream key) for the pulling agent that owns it, as consumer <c>{silo}</c> of the
/// provider's consumer group.
/// <para>
/// Semantics: at-least-once. An entry is acknowledged (<c>XACK</c>) only when the agent's cache releases it, that is
/// after every subscriber has had it; a batch whose delivery failed (the agent gave up after
/// <c>MaxEventDeliveryTime</c>) is never released, so it stays pending in Redis. Pending entries are delivered again
/// (same entry id, hence the same sequence token): at start-up of the queue on a new owner, those of consumers that are
/// no longer active silos (or of this silo's earlier agent, or handed over by a silo that released the queue) at once,
/// before anything newer, waiting up to 10 s for a live previous owner to hand its entries over; afterwards, whenever this agent's cache is empty,
/// any entry pending longer than <see cref="RedisQueueStreamOptions.ClaimIdleTime"/>. Consumers must therefore be
/// idempotent (dedup by a business key), and order per stream holds except for such redeliveries.
/// </para>
/// <para>
/// Trimming: after each acknowledgement the stream is cut with <c>XTRIM MINID</c> to the lowest id still pending (or,
/// when nothing is pending, to just past the group's last-delivered id). One range trim keeps the key a contiguous
/// log of "not yet read or not yet acknowledged", also removes entries a crashed owner acknowledged but never
/// trimmed, and never removes an entry that has not been read or is still pending.
/// </para>
/// </summary>
public sealed partial class RedisStreamQueueReceiver : IQueueAdapterReceiver
{
    private readonly IDatabase _db;
    private readonly RedisKey _key;
    private readonly RedisKey _deadLetterKey;
    private readonly RedisValue _group;
    private readonly string _consumer;
    private readonly RedisQueueStreamOptions _options;
    private readonly Serializer<RedisStreamBatchContainer> _serializer;
    private readonly Func<string, bool> _isLiveConsumer;
    private readonly Func<bool> _cacheIsEmpty;
    private readonly ILogger _logger;
    private readonly Queue<StreamEntry> _backlog = new();
    private RedisValue _claimCursor = "0-0";
    private DateTime _nextClaimAt;
    private Task? _initializing;
    private bool _initialized;
    private bool _shutDown;
    private DateTime? _handOverDeadline;

    /// <summary>
    /// The consumer a receiver gives its unacknowledged entries to when its queue moves to another silo: no silo
    /// has this name, so the next owner takes them over at once, before reading anything newer.
    /// </summary>
    public const string ReleasedConsumer = "released";

    internal RedisStreamQueueReceiver(
        IDatabase db,
        string key,
        string group,
        string consumer,
        RedisQueueStreamOptions options,
        Serializer<RedisStreamBatchContainer> serializer,
        Func<string, bool> isLiveConsumer,
        Func<bool> cacheIsEmpty,
        ILogger logger)
    {
        _db = db;
        _key = key;
        _deadLetterKey = key + ":dead";
        _group = group;
        _consumer = consumer;
        _options = options;
        _serializer = serializer;
        _isLiveConsumer = isLiveConsumer;
        _cacheIsEmpty = cacheIsEmpty;
        _logger = logger;
    }

    /// <summary>Creates the group (and the key) if needed and takes over what earlier owners left pending.</summary>
    public async Task Initialize(TimeSpan timeout)
    {
        // The agent starts pumping even if this fails; GetQueueMessagesAsync then retries it.
        await EnsureInitializedAsync().WaitAsync(timeout);
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        if (_shutDown)
        {
            return [];
        }
        if (!_initialized)
        {
            await EnsureInitializedAsync();
        }

        if (_handOverDeadline is { } deadline && _backlog.Count == 0)
        {
            // The previous owner is alive and still holds entries of this queue: read nothing newer until it hands
            // them over (or dies, or the wait ends), so that older entries are not delivered behind newer ones.
            if (await TakeOverAsync() && DateTime.UtcNow < deadline)
            {
                return [];
            }
            _handOverDeadline = null;
        }

        var count = maxCount > 0 ? Math.Min(maxCount, _options.ReadCount) : _options.ReadCount;
        var entries = new List<StreamEntry>();
        while (entries.Count < count && _backlog.TryDequeue(out var claimed))
        {
            entries.Add(claimed);
        }
        if (entries.Count == 0 && DateTime.UtcNow >= _nextClaimAt && _cacheIsEmpty())
        {
            // Only with an empty cache: a redelivered entry is older than anything read since, and the cache
            // (like the agent's cursors) expects tokens to grow.
            _nextClaimAt = DateTime.UtcNow + _options.ClaimIdleTime / 2;
            entries.AddRange(await ClaimIdleAsync(count));
        }
        if (entries.Count == 0)
        {
            entries.AddRange(await _db.StreamReadGroupAsync(_key, _group, _consumer, StackExchange.Redis.StreamPosition.NewMessages, count));
        }
        return entries.Count == 0 ? [] : await ToBatchesAsync(entries);
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    /// <summary>Acknowledges what every subscriber has had, then trims acknowledged entries off the key.</summary>
    public async Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        var ids = messages.OfType<RedisStreamBatchContainer>().Select(m => (RedisValue)m.EntryId.ToString()).ToArray();
        if (ids.Length == 0)
        {
            return;
        }
        await _db.StreamAcknowledgeAsync(_key, _group, ids);
        await TrimAsync();
    }

    /// <summary>
    /// Gives everything this owner read but did not acknowledge to <see cref="ReleasedConsumer"/>, so that the next owner
    /// of the queue delivers it at once and in entry order. Left with this (live) silo, it would come back only after
    /// <see cref="RedisQueueStreamOptions.ClaimIdleTime"/>, behind newer entries: a consumer that keeps only the newest
    /// (such as a Redis stream keyed by event time) would then refuse it.
    /// </summary>
    public async Task Shutdown(TimeSpan timeout)
    {
        _shutDown = true;
        _backlog.Clear();
        try
        {
            var moved = await HandOverPendingAsync().WaitAsync(timeout);
            if (moved > 0)
            {
                LogHandedOver(_logger, moved, _key.ToString());
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogLeftPending(_logger, e, _key.ToString());
        }
    }

    private async Task<int> HandOverPendingAsync()
    {
        var moved = 0;
        RedisValue from = "-";
        while (true)
        {
            var pending = await _db.StreamPendingMessagesAsync(_key, _group, _options.ReadCount, _consumer, minId: from);
            if (pending.Length == 0)
            {
                return moved;
            }
            await _db.StreamClaimIdsOnlyAsync(_key, _group, ReleasedConsumer, 0, pending.Select(p => p.MessageId).ToArray());
            moved += pending.Length;
            from = "(" + pending[^1].MessageId;
        }
    }

    /// <summary>One initialization at a time; a failed or timed-out one is started again by the next read.</summary>
    private Task EnsureInitializedAsync()
    {
        if (_initializing is null || _initializing.IsFaulted || _initializing.IsCanceled)
        {
            _initializing = InitializeCoreAsync();
        }
        return _initializing;
    }

    private async Task InitializeCoreAsync()
    {
        try
        {
            // From 0: entries written before any silo created the group are read too.
            await _db.StreamCreateConsumerGroupAsync(_key, _group, "0-0", createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }

        if (await TakeOverAsync())
        {
            _handOverDeadline = DateTime.UtcNow + (_options.ClaimIdleTime < HandOverWait ? _options.ClaimIdleTime : HandOverWait);
        }
        _nextClaimAt = DateTime.UtcNow + _options.ClaimIdleTime;
        _initialized = true;
    }

    /// <summary>Longest a new owner waits for a live previous owner to hand its pending entries over.</summary>
    private static readonly TimeSpan HandOverWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Takes over, into the backlog and in entry order, what consumers that are not active silos (a dead silo, this
    /// silo's earlier agent, <see cref="ReleasedConsumer"/>) left pending. Returns true while another live silo still
    /// holds pending entries of this queue.
    /// </summary>
    private async Task<bool> TakeOverAsync()
    {
        var claimed = new List<StreamEntry>();
        var liveOwnerHoldsEntries = false;
        foreach (var consumer in await _db.StreamConsumerInfoAsync(_key, _group))
        {
            if (consumer.PendingMessageCount > 0 && (consumer.Name == _consumer || !_isLiveConsumer(consumer.Name)))
            {
                claimed.AddRange(await ClaimAllFromAsync(consumer.Name));
            }
            else if (consumer.PendingMessageCount > 0)
            {
                liveOwnerHoldsEntries = true;
            }
            else if (consumer.Name != _consumer && consumer.IdleTimeInMilliseconds > _options.ClaimIdleTime.TotalMilliseconds)
            {
                await _db.StreamDeleteConsumerAsync(_key, _group, consumer.Name);
            }
        }
        // Different consumers' entries interleave; deliver in entry order.
        foreach (var entry in claimed.OrderBy(e => RedisEntryId.Parse(e.Id)))
        {
            _backlog.Enqueue(entry);
        }
        if (claimed.Count > 0)
        {
            LogTookOver(_logger, claimed.Count, _key.ToString());
        }
        return liveOwnerHoldsEntries;
    }

    private async Task<List<StreamEntry>> ClaimAllFromAsync(string consumer)
    {
        var claimed = new List<StreamEntry>();
        RedisValue from = "-";
        while (true)
        {
            var pending = await _db.StreamPendingMessagesAsync(_key, _group, _options.ReadCount, consumer, minId: from);
            if (pending.Length == 0)
            {
                return claimed;
            }
            // Entries trimmed meanwhile leave the pending list when claimed and are not returned.
            var entries = await _db.StreamClaimAsync(_key, _group, _consumer, 0, pending.Select(p => p.MessageId).ToArray());
            claimed.AddRange(entries.Where(e => !e.IsNull));
            from = "(" + pending[^1].MessageId;
        }
    }

    private async Task<StreamEntry[]> ClaimIdleAsync(int count)
    {
        var result = await _db.StreamAutoClaimAsync(_key, _group, _consumer, (long)_options.ClaimIdleTime.TotalMilliseconds, _claimCursor, count);
        _claimCursor = result.IsNull ? "0-0" : result.NextStartId;
        var entries = result.IsNull ? [] : result.ClaimedEntries.Where(e => !e.IsNull).ToArray();
        if (entries.Length > 0)
        {
            LogRedelivering(_logger, entries.Length, _key.ToString(), _options.ClaimIdleTime);
        }
        return entries;
    }

    private async Task<IList<IBatchContainer>> ToBatchesAsync(List<StreamEntry> entries)
    {
        var batches = new List<IBatchContainer>(entries.Count);
        foreach (var entry in entries)
        {
            RedisStreamBatchContainer batch;
            try
            {
                byte[]? payload = entry[RedisStreamQueueAdapter.PayloadField];
                batch = _serializer.Deserialize(payload ?? throw new InvalidDataException($"entry has no '{RedisStreamQueueAdapter.PayloadField}' field"))
                    ?? throw new InvalidDataException("payload is a null batch");
                batch.Token = RedisEntryId.Parse(entry.Id).ToToken();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A payload that cannot be read never will be: park it beside the queue instead of blocking trimming.
                LogDeadLetter(_logger, e, entry.Id.ToString(), _key.ToString(), _deadLetterKey.ToString());
                await _db.StreamAddAsync(_deadLetterKey, [.. entry.Values, new NameValueEntry("source-id", entry.Id)],
                    maxLength: _options.MaxStreamLength, useApproximateMaxLength: _options.MaxStreamLength is not null);
                await _db.StreamAcknowledgeAsync(_key, _group, entry.Id);
                continue;
            }
            batches.Add(batch);
        }
        return batches;
    }

    private async Task TrimAsync()
    {
        // Group info before pending: an entry read in between has an id above last-delivered and is kept.
        var groupsTask = _db.StreamGroupInfoAsync(_key);
        var pendingTask = _db.StreamPendingAsync(_key, _group);
        var group = (await groupsTask).FirstOrDefault(g => g.Name == _group);
        var pending = await pendingTask;
        if (group.Name is null || group.LastDeliveredId is null)
        {
            return;
        }
        var minId = RedisEntryId.Parse(group.LastDeliveredId).Next();
        if (pending.PendingMessageCount > 0)
        {
            var lowest = RedisEntryId.Parse(pending.LowestPendingMessageId);
            if (lowest.CompareTo(minId) < 0)
            {
                minId = lowest;
            }
        }
        await _db.StreamTrimByMinIdAsync(_key, minId.ToString());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over {Count} pending entries of {Key} from earlier owners")]
    private static partial void LogTookOver(ILogger logger, int count, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redelivering {Count} entries of {Key} pending longer than {ClaimIdleTime}")]
    private static partial void LogRedelivering(ILogger logger, int count, string key, TimeSpan claimIdleTime);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue released: handed {Count} unacknowledged entries of {Key} over to the next owner")]
    private static partial void LogHandedOver(ILogger logger, int count, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue released without handing its unacknowledged entries over; they stay pending in {Key} until claimed")]
    private static partial void LogLeftPending(ILogger logger, Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Entry {Id} of {Key} cannot be read; moved to {DeadLetterKey}")]
    private static partial void LogDeadLetter(ILogger logger, Exception exception, string id, string key, string deadLetterKey);
}
