using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Ingestion.Calendar;

/// <summary>
/// The NYSE holiday and early-close rules (NYSE Rule 7.2 and the exchange's published calendars), computed for any
/// year so the calendar works with no network. Polygon's upcoming list overrides these for the dates it covers.
/// </summary>
public static class NyseRules
{
    public static readonly TimeOnly RegularOpen = new(9, 30);
    public static readonly TimeOnly RegularClose = new(16, 0);
    public static readonly TimeOnly EarlyClose = new(13, 0);

    /// <summary>Juneteenth became an NYSE holiday in 2022.</summary>
    private const int FirstJuneteenth = 2022;

    /// <summary>Unscheduled closures the rules cannot derive (national days of mourning, storms) that NYSE observed.</summary>
    private static readonly MarketHoliday[] SpecialClosures =
    [
        new(new DateOnly(2004, 6, 11), MarketDayKind.Holiday, "National Day of Mourning for President Reagan"),
        new(new DateOnly(2007, 1, 2), MarketDayKind.Holiday, "National Day of Mourning for President Ford"),
        new(new DateOnly(2012, 10, 29), MarketDayKind.Holiday, "Hurricane Sandy"),
        new(new DateOnly(2012, 10, 30), MarketDayKind.Holiday, "Hurricane Sandy"),
        new(new DateOnly(2018, 12, 5), MarketDayKind.Holiday, "National Day of Mourning for President George H.W. Bush"),
        new(new DateOnly(2025, 1, 9), MarketDayKind.Holiday, "National Day of Mourning for President Carter"),
    ];

    private static readonly ConcurrentDictionary<int, FrozenDictionary<DateOnly, MarketHoliday>> ByYear = new();

    /// <summary>The closure or early close that falls on <paramref name="day"/>, or null for a weekend or a regular session.</summary>
    /// <remarks>Every observed date stays in its own year: the only rule that would cross into December (New Year's Day on a Saturday) is not applied.</remarks>
    public static MarketHoliday? Find(DateOnly day)
    {
        if (IsWeekend(day)) return null;
        var year = ByYear.GetOrAdd(day.Year, y => ForYear(y).ToFrozenDictionary(h => h.Day));
        return year.GetValueOrDefault(day);
    }

    /// <summary>Every weekday closure and early close of <paramref name="year"/>, in date order.</summary>
    public static IReadOnlyList<MarketHoliday> ForYear(int year)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1900);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9998);

        var days = new List<MarketHoliday>();
        void Closed(DateOnly? day, string name)
        {
            if (day is { } d) days.Add(new MarketHoliday(d, MarketDayKind.Holiday, name));
        }

        // Rule 7.2: a Saturday holiday is observed on the Friday before, except New Year's Day (the Friday is
        // the last trading day of the year); a Sunday holiday on the Monday after.
        Closed(NewYearsDay(year), "New Year's Day");
        Closed(Nth(year, 1, DayOfWeek.Monday, 3), "Martin Luther King, Jr. Day");
        Closed(Nth(year, 2, DayOfWeek.Monday, 3), "Washington's Birthday");
        Closed(EasterSunday(year).AddDays(-2), "Good Friday");
        Closed(Last(year, 5, DayOfWeek.Monday), "Memorial Day");
        if (year >= FirstJuneteenth) Closed(Observed(new DateOnly(year, 6, 19)), "Juneteenth National Independence Day");
        Closed(Observed(new DateOnly(year, 7, 4)), "Independence Day");
        Closed(Nth(year, 9, DayOfWeek.Monday, 1), "Labor Day");
        var thanksgiving = Nth(year, 11, DayOfWeek.Thursday, 4);
        Closed(thanksgiving, "Thanksgiving Day");
        Closed(Observed(new DateOnly(year, 12, 25)), "Christmas Day");
        foreach (var special in SpecialClosures)
        {
            if (special.Day.Year == year) days.Add(special);
        }

        // Early closes at 13:00: the eve of Independence Day, the day after Thanksgiving and Christmas Eve, each only
        // when it is a weekday session. July 3 and December 24 are never moved: when July 4 or December 25 is a
        // Saturday the eve is the observed holiday itself, and when it is a Sunday or Monday the eve is a weekend.
        var closed = days.Select(d => d.Day).ToHashSet();
        void Early(DateOnly day, string name)
        {
            if (!IsWeekend(day) && !closed.Contains(day)) days.Add(new MarketHoliday(day, MarketDayKind.EarlyClose, name, EarlyClose));
        }
        Early(new DateOnly(year, 7, 3), "Independence Day (early close)");
        Early(thanksgiving.AddDays(1), "Day after Thanksgiving (early close)");
        Early(new DateOnly(year, 12, 24), "Christmas Eve (early close)");

        days.Sort((a, b) => a.Day.CompareTo(b.Day));
        return days;
    }

    /// <summary>Easter Sunday of the Gregorian calendar (the anonymous Gregorian, or Meeus/Jones/Butcher, algorithm).</summary>
    public static DateOnly EasterSunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = (19 * a + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + 2 * e + 2 * i - h - k) % 7;
        var m = (a + 11 * h + 22 * l) / 451;
        var month = (h + l - 7 * m + 114) / 31;
        var day = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(year, month, day);
    }

    public static bool IsWeekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>January 1, or the Monday after when it is a Sunday; nothing when it is a Saturday.</summary>
    private static DateOnly? NewYearsDay(int year)
    {
        var day = new DateOnly(year, 1, 1);
        return day.DayOfWeek switch
        {
            DayOfWeek.Saturday => null,
            DayOfWeek.Sunday => day.AddDays(1),
            _ => day,
        };
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
        var offset = ((int)weekday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + 7 * (n - 1));
    }

    private static DateOnly Last(int year, int month, DayOfWeek weekday)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        var offset = ((int)last.DayOfWeek - (int)weekday + 7) % 7;
        return last.AddDays(-offset);
    }
}
