namespace Ingestion.Replay.Polygon.Rest;

/// <summary>A closure or early close as Polygon lists it; <see cref="Close"/> is the New York closing time of an early close.</summary>
internal sealed record MarketHoliday(DateOnly Date, string Name, TimeOnly? Close)
{
    public bool IsEarlyClose => Close is not null;
}

/// <summary>
/// The replay's own compact NYSE/NASDAQ holiday rules (the replay stands in for the vendor and shares no code with
/// the product): weekend-observed holidays, Good Friday from Easter, Juneteenth from 2022, 13:00 early closes on
/// July 3, the day after Thanksgiving and Christmas Eve when those are weekdays that are not holidays.
/// </summary>
internal static class MarketHolidays
{
    public static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    public static readonly TimeOnly Open = new(9, 30);
    public static readonly TimeOnly Close = new(16, 0);
    private static readonly TimeOnly EarlyClose = new(13, 0);

    /// <summary>Holidays and early closes from <paramref name="from"/> (inclusive) for one year.</summary>
    public static IEnumerable<MarketHoliday> Upcoming(DateOnly from) =>
        ForYear(from.Year).Concat(ForYear(from.Year + 1)).Where(h => h.Date >= from && h.Date < from.AddYears(1));

    public static MarketHoliday? On(DateOnly day) => ForYear(day.Year).FirstOrDefault(h => h.Date == day);

    public static IReadOnlyList<MarketHoliday> ForYear(int year)
    {
        var thanksgiving = Nth(year, 11, DayOfWeek.Thursday, 4);
        var closed = new List<MarketHoliday>();
        // New Year's Day on a Saturday is not observed (the Friday before ends the previous year).
        var newYear = new DateOnly(year, 1, 1);
        if (newYear.DayOfWeek != DayOfWeek.Saturday) closed.Add(new(Observed(newYear), "New Years Day", null));
        closed.Add(new(Nth(year, 1, DayOfWeek.Monday, 3), "Martin Luther King, Jr. Day", null));
        closed.Add(new(Nth(year, 2, DayOfWeek.Monday, 3), "Washington's Birthday", null));
        closed.Add(new(Easter(year).AddDays(-2), "Good Friday", null));
        closed.Add(new(Nth(year, 6, DayOfWeek.Monday, 1).AddDays(-7), "Memorial Day", null));
        if (year >= 2022) closed.Add(new(Observed(new DateOnly(year, 6, 19)), "Juneteenth", null));
        closed.Add(new(Observed(new DateOnly(year, 7, 4)), "Independence Day", null));
        closed.Add(new(Nth(year, 9, DayOfWeek.Monday, 1), "Labor Day", null));
        closed.Add(new(thanksgiving, "Thanksgiving", null));
        closed.Add(new(Observed(new DateOnly(year, 12, 25)), "Christmas", null));

        var all = new List<MarketHoliday>(closed);
        foreach (var (eve, name) in new[] { (new DateOnly(year, 7, 3), "Independence Day"), (thanksgiving.AddDays(1), "Thanksgiving"), (new DateOnly(year, 12, 24), "Christmas") })
        {
            if (!IsWeekend(eve) && closed.All(h => h.Date != eve)) all.Add(new(eve, name, EarlyClose));
        }
        return all.OrderBy(h => h.Date).ToList();
    }

    public static bool IsWeekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>A New York wall-clock time as an instant.</summary>
    public static DateTimeOffset At(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time);
        return new DateTimeOffset(local, NewYork.GetUtcOffset(local));
    }

    private static DateOnly Observed(DateOnly day) => day.DayOfWeek switch
    {
        DayOfWeek.Saturday => day.AddDays(-1),
        DayOfWeek.Sunday => day.AddDays(1),
        _ => day,
    };

    private static DateOnly Nth(int year, int month, DayOfWeek weekday, int n)
    {
        var first = new DateOnly(year, month, 1);
        return first.AddDays(((int)weekday - (int)first.DayOfWeek + 7) % 7 + 7 * (n - 1));
    }

    /// <summary>Easter Sunday, anonymous Gregorian algorithm.</summary>
    private static DateOnly Easter(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
        int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
        return new DateOnly(year, (h + l - 7 * m + 114) / 31, (h + l - 7 * m + 114) % 31 + 1);
    }
}
