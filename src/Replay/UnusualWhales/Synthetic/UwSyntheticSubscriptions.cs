using Ingestion.Replay.UnusualWhales.Socket;

namespace Ingestion.Replay.UnusualWhales.Synthetic;

/// <summary>
/// One socket's cursors into the server-wide series of the channels it joined. Owned by that socket's feed loop
/// alone; follows the connection's channel set whenever its version changes.
/// </summary>
internal sealed class UwSyntheticSubscriptions(UwSyntheticFeed feed) : IDisposable
{
    private readonly Dictionary<string, List<UwCursor>> byChannel = new(StringComparer.Ordinal);
    private int seenVersion = -1;

    public bool IsEmpty => byChannel.Count == 0;

    /// <summary>True when some channel has series and every one of them has produced its last event.</summary>
    public bool AllExhausted => Cursors.Any() && Cursors.All(c => c.Exhausted);

    private IEnumerable<UwCursor> Cursors => byChannel.Values.SelectMany(c => c);

    public void Sync(UwConnection connection)
    {
        if (connection.ChannelsVersion == seenVersion) return;
        var (version, channels) = connection.Channels();
        seenVersion = version;

        var wanted = channels.Where(c => !c.IsSilent).ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var gone in byChannel.Keys.Where(name => !wanted.ContainsKey(name)).ToList()) Detach(gone);
        foreach (var channel in wanted.Values.Where(c => !byChannel.ContainsKey(c.Name)))
            byChannel.Add(channel.Name, [.. feed.SeriesOf(channel).Select(key => feed.Series(key).Attach(channel.Name))]);
    }

    /// <summary>The earliest event due by <paramref name="syntheticNowMs"/> across every channel; null when none is.</summary>
    public (UwCursor Cursor, UwEvent Event)? NextDue(long syntheticNowMs)
    {
        (UwCursor, UwEvent)? best = null;
        foreach (var cursor in Cursors)
        {
            if (cursor.Exhausted) continue;
            var next = cursor.Peek();
            if (next.AtMs > syntheticNowMs) continue;
            if (best is null || next.AtMs < best.Value.Item2.AtMs) best = (cursor, next);
        }
        return best;
    }

    /// <summary>Wall time until the next event of any channel is due; null when all are exhausted or none is joined.</summary>
    public TimeSpan? UntilNextDue(ReplayClock clock)
    {
        TimeSpan? next = null;
        foreach (var cursor in Cursors.Where(c => !c.Exhausted))
        {
            var delay = clock.WallDelayUntil(cursor.Peek().AtMs);
            if (next is null || delay < next) next = delay;
        }
        return next;
    }

    public void Dispose()
    {
        foreach (var name in byChannel.Keys.ToList()) Detach(name);
    }

    private void Detach(string channel)
    {
        foreach (var cursor in byChannel[channel]) cursor.Series.Detach(cursor);
        byChannel.Remove(channel);
    }
}
