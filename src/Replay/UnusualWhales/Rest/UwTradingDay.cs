namespace Ingestion.Replay.UnusualWhales.Rest;

/// <summary>New York time: trading days, and UW's daily request counter, which resets at 8 PM US/Eastern (protocols.md §1.2).</summary>
internal static class UwTradingDay
{
    private static readonly TimeSpan DailyReset = TimeSpan.FromHours(20);

    public static TimeZoneInfo NewYork { get; } = Find();

    /// <summary>Today in New York, or the Friday before on a weekend: the session REST data is about when no date is given.</summary>
    public static DateOnly LatestSession(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, NewYork).DateTime);
        return today.DayOfWeek switch
        {
            DayOfWeek.Saturday => today.AddDays(-1),
            DayOfWeek.Sunday => today.AddDays(-2),
            _ => today,
        };
    }

    /// <summary>The usage day <paramref name="now"/> falls in: from 8 PM Eastern to 8 PM Eastern, named by the day it ends.</summary>
    public static DateOnly UsageDay(DateTimeOffset now) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, NewYork).DateTime + (TimeSpan.FromDays(1) - DailyReset));

    /// <summary>The next 8 PM Eastern after <paramref name="now"/>.</summary>
    public static DateTimeOffset NextDailyReset(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, NewYork).DateTime;
        var reset = local.Date + DailyReset;
        if (local >= reset) reset = reset.AddDays(1);
        return new DateTimeOffset(reset, NewYork.GetUtcOffset(reset));
    }

    private static TimeZoneInfo Find()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // No tz database in the container: standard time all year is close enough for a replay.
            return TimeZoneInfo.CreateCustomTimeZone("EST", TimeSpan.FromHours(-5), "EST", "EST");
        }
    }
}
