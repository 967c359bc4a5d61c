using System.Collections.Frozen;

namespace Ingestion.Calendar;

/// <summary>
/// The last good answer of Polygon's upcoming-holidays endpoint, as sessions keyed by New York date. Empty until
/// the first successful load; a failed refresh never clears it. Thread-safe: readers see one whole snapshot.
/// </summary>
public sealed class UpcomingMarketDays
{
    private volatile Snapshot current = new(FrozenDictionary<DateOnly, MarketSession>.Empty, null);

    /// <summary>When the current entries were loaded; null while the calendar runs on the rules alone.</summary>
    public DateTimeOffset? LoadedAt => current.LoadedAt;

    public bool IsLoaded => current.LoadedAt is not null;

    /// <summary>The loaded days, by date.</summary>
    public IReadOnlyDictionary<DateOnly, MarketSession> Days => current.Days;

    public bool TryGet(DateOnly day, out MarketSession session) => current.Days.TryGetValue(day, out session!);

    /// <summary>
    /// Installs a new answer. Days before <paramref name="keepFrom"/> that the previous answer held stay (the endpoint
    /// lists only upcoming days, and today's early close must not vanish when a refresh lands in the afternoon).
    /// </summary>
    internal void Replace(IEnumerable<MarketSession> sessions, DateOnly keepFrom, DateTimeOffset loadedAt)
    {
        var days = current.Days.Values.Where(s => s.Day < keepFrom).ToDictionary(s => s.Day);
        foreach (var session in sessions) days[session.Day] = session;
        current = new Snapshot(days.ToFrozenDictionary(), loadedAt);
    }

    private sealed record Snapshot(FrozenDictionary<DateOnly, MarketSession> Days, DateTimeOffset? LoadedAt);
}
