namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>
/// One socket's cursors into the server-wide series of the topics it subscribed to. Owned by that socket's
/// feed loop alone; follows the connection's topic set whenever its version changes.
/// </summary>
internal sealed class SyntheticSubscriptions(SyntheticFeed feed, string market) : IDisposable
{
    private readonly Dictionary<PolygonTopic, SeriesCursor> byTopic = [];
    private readonly List<SeriesCursor> cursors = [];
    private int seenVersion = -1;
    private int rotation;

    public void Sync(PolygonConnection connection)
    {
        if (connection.TopicsVersion == seenVersion) return;
        var (version, topics) = connection.Subscriptions();
        seenVersion = version;

        var wanted = topics.Where(SyntheticFeed.Produces).ToHashSet();
        foreach (var gone in byTopic.Keys.Where(t => !wanted.Contains(t)).ToList()) Detach(gone);
        foreach (var topic in wanted.Where(t => !byTopic.ContainsKey(t)))
        {
            var cursor = feed.Series(market, topic).Attach();
            byTopic.Add(topic, cursor);
            cursors.Add(cursor);
        }
    }

    /// <summary>
    /// Takes due bars round-robin across topics (one per topic per round, oldest first) up to
    /// <paramref name="maxEvents"/>; null when nothing is due.
    /// </summary>
    public SyntheticBatch? CollectDue(long syntheticNowMs, int maxEvents)
    {
        if (cursors.Count == 0) return null;
        var taken = new int[cursors.Count];
        var elements = new List<ReadOnlyMemory<byte>>();
        var limit = Math.Max(maxEvents, cursors.Count);
        for (var progressed = true; progressed && elements.Count < limit;)
        {
            progressed = false;
            for (var i = 0; i < cursors.Count && elements.Count < limit; i++)
            {
                var slot = (rotation + i) % cursors.Count;
                var cursor = cursors[slot];
                var index = cursor.Position + taken[slot];
                if (index >= cursor.Series.Capacity || cursor.Series.EndMs(index) > syntheticNowMs) continue;
                elements.Add(cursor.Series.Get(index));
                taken[slot]++;
                progressed = true;
            }
        }
        // A frame cut short by the limit starts the next one with the topics it had to leave out.
        if (elements.Count >= limit) rotation = (rotation + 1) % cursors.Count;
        return elements.Count == 0 ? null : new SyntheticBatch(PolygonJson.ArrayFrame(elements), [.. cursors.Select((c, i) => (c, taken[i])).Where(t => t.Item2 > 0)]);
    }

    /// <summary>Wall time until the next bar of any topic is due; null when every topic is exhausted or none is subscribed.</summary>
    public TimeSpan? UntilNextDue(ReplayClock clock)
    {
        TimeSpan? next = null;
        foreach (var cursor in cursors.Where(c => !c.Exhausted))
        {
            var delay = clock.WallDelayUntil(cursor.Series.EndMs(cursor.Position));
            if (next is null || delay < next) next = delay;
        }
        return next;
    }

    /// <summary>True when there are topics and every one has produced its last bar.</summary>
    public bool AllExhausted => cursors.Count > 0 && cursors.TrueForAll(c => c.Exhausted);

    public void Dispose()
    {
        foreach (var topic in byTopic.Keys.ToList()) Detach(topic);
    }

    private void Detach(PolygonTopic topic)
    {
        var cursor = byTopic[topic];
        byTopic.Remove(topic);
        cursors.Remove(cursor);
        cursor.Series.Detach(cursor);
    }
}

/// <summary>A frame ready to send and the bars it holds per cursor, committed only after the send completes.</summary>
internal sealed record SyntheticBatch(byte[] Frame, IReadOnlyList<(SeriesCursor Cursor, int Count)> Parts)
{
    public void Commit(ReplayStats stats)
    {
        foreach (var (cursor, count) in Parts)
        {
            cursor.Series.Advance(cursor, cursor.Position + count);
            stats.RecordEventsSent(cursor.Series.Key.Market, cursor.Series.Key.Symbol, count);
        }
    }
}
