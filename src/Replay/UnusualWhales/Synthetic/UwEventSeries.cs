namespace Ingestion.Replay.UnusualWhales.Synthetic;

/// <summary>What a synthetic series streams; each maps to one or more socket channels.</summary>
internal enum UwStream
{
    OptionTrades,
    FlowAlerts,
    Price,
    Gex,
    GexStrike,
    GexStrikeExpiry,
    News,
}

/// <summary>Identifies a server-wide series: one stream of one ticker ("" for news, which is not per ticker).</summary>
internal readonly record struct UwSeriesKey(UwStream Stream, string Ticker);

/// <summary>One payload due at a synthetic time.</summary>
internal sealed record UwEvent(long AtMs, byte[] Payload);

/// <summary>Produces a series' events in time order, forever.</summary>
internal interface IUwEventSource
{
    UwEvent Next();
}

/// <summary>
/// The server-wide events of one series, generated once, in order, and kept until every attached socket has sent
/// them. <see cref="Capacity"/> is MaxEventsPerSymbol. A socket that attaches later starts at the first event no
/// socket has sent, so a reconnecting client neither repeats nor skips one (as Polygon's bar series do).
/// </summary>
internal sealed class UwEventSeries(UwSeriesKey key, long capacity, IUwEventSource source)
{
    private readonly Lock gate = new();
    private readonly List<UwEvent> buffer = [];
    private readonly List<UwCursor> cursors = [];
    private long bufferStart;
    private long committed;

    public UwSeriesKey Key => key;

    public long Capacity => capacity;

    public UwCursor Attach(string channel)
    {
        lock (gate)
        {
            var cursor = new UwCursor(this, channel, committed);
            cursors.Add(cursor);
            return cursor;
        }
    }

    public void Detach(UwCursor cursor)
    {
        lock (gate)
        {
            cursors.Remove(cursor);
            Trim();
        }
    }

    /// <summary>The event at <paramref name="index"/>, generating up to it if needed.</summary>
    public UwEvent Get(long index)
    {
        lock (gate)
        {
            while (bufferStart + buffer.Count <= index) buffer.Add(source.Next());
            return buffer[checked((int)(index - bufferStart))];
        }
    }

    /// <summary>Records that a socket sent the event at its position.</summary>
    public void Advance(UwCursor cursor)
    {
        lock (gate)
        {
            cursor.Position++;
            committed = Math.Max(committed, cursor.Position);
            Trim();
        }
    }

    private void Trim()
    {
        var keepFrom = committed;
        foreach (var cursor in cursors) keepFrom = Math.Min(keepFrom, cursor.Position);
        var drop = keepFrom - bufferStart;
        if (drop <= 0) return;
        buffer.RemoveRange(0, (int)Math.Min(drop, buffer.Count));
        bufferStart = keepFrom;
    }
}

/// <summary>One joined channel's read position in a <see cref="UwEventSeries"/>; written only under the series' lock.</summary>
internal sealed class UwCursor(UwEventSeries series, string channel, long position)
{
    public UwEventSeries Series => series;

    /// <summary>The full channel name the frames go out on.</summary>
    public string Channel => channel;

    public long Position { get; set; } = position;

    public bool Exhausted => Position >= series.Capacity;

    public UwEvent Peek() => series.Get(Position);
}
