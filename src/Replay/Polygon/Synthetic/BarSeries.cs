namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>Identifies a server-wide series of bars: one market path, one event type, one symbol.</summary>
internal readonly record struct SeriesKey(string Market, string Ev, string Symbol);

/// <summary>
/// The server-wide bars of one topic. Bar i covers [Start(i), Start(i) + interval). Bars are generated once, in order,
/// and kept until every attached socket has sent them; <see cref="Committed"/> is the first bar no socket has
/// sent yet, so a socket that attaches later starts there: a reconnecting client neither repeats nor skips a bar.
/// </summary>
internal sealed class BarSeries(SeriesKey key, long firstStartMs, long intervalMs, long capacity, IBarGenerator generator, BarEncoder encoder)
{
    private readonly Lock gate = new();
    private readonly DayTotals day = new();
    private readonly List<byte[]> buffer = [];
    private readonly List<SeriesCursor> cursors = [];
    private long bufferStart;
    private long committed;

    public SeriesKey Key => key;

    /// <summary>How many bars the series ever produces (MaxEventsPerSymbol, or unbounded).</summary>
    public long Capacity => capacity;

    public long Committed
    {
        get
        {
            lock (gate) return committed;
        }
    }

    public long EndMs(long index) => firstStartMs + (index + 1) * intervalMs;

    /// <summary>A socket starts reading this series from the first bar nobody has sent.</summary>
    public SeriesCursor Attach()
    {
        lock (gate)
        {
            var cursor = new SeriesCursor(this, committed);
            cursors.Add(cursor);
            return cursor;
        }
    }

    public void Detach(SeriesCursor cursor)
    {
        lock (gate)
        {
            cursors.Remove(cursor);
            Trim();
        }
    }

    /// <summary>The encoded bar at <paramref name="index"/>, generating up to it if needed.</summary>
    public byte[] Get(long index)
    {
        lock (gate)
        {
            while (bufferStart + buffer.Count <= index) buffer.Add(Generate(bufferStart + buffer.Count));
            return buffer[checked((int)(index - bufferStart))];
        }
    }

    /// <summary>Records that a socket's frame holding bars up to <paramref name="position"/> (exclusive) was sent.</summary>
    public void Advance(SeriesCursor cursor, long position)
    {
        lock (gate)
        {
            cursor.Position = position;
            committed = Math.Max(committed, position);
            Trim();
        }
    }

    private byte[] Generate(long index)
    {
        var startMs = firstStartMs + index * intervalMs;
        var endMs = startMs + intervalMs;
        var window = generator.Next(startMs, endMs);
        return encoder.Encode(window, day.Add(startMs, window), startMs, endMs);
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

/// <summary>One socket's read position in a <see cref="BarSeries"/>; written only under the series' lock.</summary>
internal sealed class SeriesCursor(BarSeries series, long position)
{
    public BarSeries Series => series;

    public long Position { get; set; } = position;

    public bool Exhausted => Position >= series.Capacity;
}
