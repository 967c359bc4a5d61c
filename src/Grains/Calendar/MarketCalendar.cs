using Ingestion.Instruments;

namespace Ingestion.Calendar;

/// <summary>
/// NYSE regular sessions for every source: 09:30–16:00 America/New_York, 13:00 on early-close days, closed on weekends
/// and holidays. Answers come from Polygon's upcoming list where it has the date, otherwise from <see cref="NyseRules"/>.
/// Every "now" question reads the injected <see cref="TimeProvider"/>, so tests and the replay can live on any day.
/// </summary>
public sealed class MarketCalendar(UpcomingMarketDays upcoming, TimeProvider time)
{
    /// <summary>Longest run of closed days the search for a session crosses before giving up (no real calendar comes close).</summary>
    private const int MaxDaysAhead = 30;

    public static TimeZoneInfo NewYork { get; } = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>Today's date in New York, by the injected clock.</summary>
    public DateOnly Today => TradingDay.Of(time.GetUtcNow());

    /// <summary>The session (or the closure) of a New York calendar date.</summary>
    public MarketSession GetSession(DateOnly day)
    {
        if (upcoming.TryGet(day, out var listed)) return listed;
        if (NyseRules.IsWeekend(day)) return new MarketSession(day, MarketDayKind.Weekend, null, null, null, MarketCalendarSource.Rules);
        return NyseRules.Find(day) switch
        {
            null => Session(day, NyseRules.RegularClose, MarketDayKind.Regular, null),
            { IsClosed: true } holiday => new MarketSession(day, MarketDayKind.Holiday, null, null, holiday.Name, MarketCalendarSource.Rules),
            var early => Session(day, early.Close ?? NyseRules.EarlyClose, MarketDayKind.EarlyClose, early.Name),
        };
    }

    /// <summary>True when <paramref name="instant"/> falls in a regular session: open at 09:30:00, closed from 16:00:00.</summary>
    public bool IsOpen(DateTimeOffset instant) => GetSession(TradingDay.Of(instant)).Contains(instant);

    public bool IsOpenNow() => IsOpen(time.GetUtcNow());

    /// <summary>The session under way at <paramref name="instant"/>, or else the next one to open.</summary>
    public MarketSession CurrentOrNextSession(DateTimeOffset instant) =>
        FirstSession(instant, s => instant < s.Close);

    public MarketSession CurrentOrNextSessionNow() => CurrentOrNextSession(time.GetUtcNow());

    /// <summary>The first opening bell at or after <paramref name="instant"/> (an instant exactly at an open returns that open).</summary>
    public DateTimeOffset NextOpen(DateTimeOffset instant) => FirstSession(instant, s => s.Open >= instant).Open!.Value;

    public DateTimeOffset NextOpenFromNow() => NextOpen(time.GetUtcNow());

    /// <summary>Time left in the session under way at <paramref name="instant"/>; null when the market is closed.</summary>
    public TimeSpan? TimeUntilClose(DateTimeOffset instant)
    {
        var session = GetSession(TradingDay.Of(instant));
        return session.Contains(instant) ? session.Close!.Value - instant : null;
    }

    public TimeSpan? TimeUntilCloseNow() => TimeUntilClose(time.GetUtcNow());

    private MarketSession FirstSession(DateTimeOffset instant, Func<MarketSession, bool> accept)
    {
        var day = TradingDay.Of(instant);
        for (var i = 0; i <= MaxDaysAhead; i++, day = day.AddDays(1))
        {
            var session = GetSession(day);
            if (session.IsOpen && accept(session)) return session;
        }
        throw new InvalidOperationException($"No NYSE session in the {MaxDaysAhead} days after {instant:O}; the calendar data is wrong.");
    }

    private static MarketSession Session(DateOnly day, TimeOnly close, MarketDayKind kind, string? name) =>
        new(day, kind, AtNewYork(day, NyseRules.RegularOpen), AtNewYork(day, close), name, MarketCalendarSource.Rules);

    /// <summary>A New York wall-clock time as an instant. Session times are far from the 02:00 DST switch, so never ambiguous.</summary>
    public static DateTimeOffset AtNewYork(DateOnly day, TimeOnly timeOfDay)
    {
        var local = day.ToDateTime(timeOfDay, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, NewYork.GetUtcOffset(local));
    }

    /// <summary>An instant shown with its New York offset.</summary>
    public static DateTimeOffset InNewYork(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, NewYork);
}
