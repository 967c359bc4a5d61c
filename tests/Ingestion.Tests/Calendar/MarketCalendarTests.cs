using Ingestion.Calendar;
using Microsoft.Extensions.Time.Testing;

namespace Ingestion.Tests.Calendar;

public sealed class MarketCalendarTests
{
    // NYSE's published holiday calendars (nyse.com/markets/hours-calendars), including the national day of mourning
    // for President Carter that NYSE added to 2025.
    public static TheoryData<int, string[]> PublishedHolidays => new()
    {
        { 2025, ["2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"] },
        { 2026, ["2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"] },
        { 2027, ["2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24"] },
    };

    // Early closes at 13:00. 2026: July 3 is the observed Independence Day, so no July early close. 2027: Christmas is
    // observed on Friday December 24 and July 4 is a Sunday, so only the day after Thanksgiving.
    public static TheoryData<int, string[]> PublishedEarlyCloses => new()
    {
        { 2025, ["2025-07-03", "2025-11-28", "2025-12-24"] },
        { 2026, ["2026-11-27", "2026-12-24"] },
        { 2027, ["2027-11-26"] },
    };

    [Theory]
    [MemberData(nameof(PublishedHolidays))]
    public void Closes_on_exactly_the_published_NYSE_holidays(int year, string[] expected)
    {
        var calendar = Calendar();
        var closed = WeekdaysOf(year).Select(calendar.GetSession).Where(s => s.Kind == MarketDayKind.Holiday).Select(s => s.Day.ToString("yyyy-MM-dd"));

        Assert.Equal(expected, closed);
        Assert.Equal(expected, NyseRules.ForYear(year).Where(h => h.IsClosed).Select(h => h.Day.ToString("yyyy-MM-dd")));
    }

    [Theory]
    [MemberData(nameof(PublishedEarlyCloses))]
    public void Closes_at_1300_on_exactly_the_published_NYSE_early_closes(int year, string[] expected)
    {
        var calendar = Calendar();
        var early = WeekdaysOf(year).Select(calendar.GetSession).Where(s => s.Kind == MarketDayKind.EarlyClose).ToList();

        Assert.Equal(expected, early.Select(s => s.Day.ToString("yyyy-MM-dd")));
        Assert.All(early, s =>
        {
            Assert.Equal(MarketCalendar.AtNewYork(s.Day, new TimeOnly(9, 30)), s.Open);
            Assert.Equal(MarketCalendar.AtNewYork(s.Day, new TimeOnly(13, 0)), s.Close);
        });
    }

    [Theory]
    [InlineData(2025, 250)]
    [InlineData(2026, 251)]
    [InlineData(2027, 251)]
    public void Counts_the_trading_days_of_a_year(int year, int expected)
    {
        var calendar = Calendar();
        Assert.Equal(expected, WeekdaysOf(year).Count(d => calendar.GetSession(d).IsOpen));
    }

    [Fact]
    public void Names_the_holiday_and_marks_the_answer_as_from_the_rules()
    {
        var session = Calendar().GetSession(new DateOnly(2026, 7, 3));

        Assert.Equal(new MarketSession(new DateOnly(2026, 7, 3), MarketDayKind.Holiday, null, null, "Independence Day", MarketCalendarSource.Rules), session);
        Assert.False(session.IsOpen);
    }

    [Theory]
    [InlineData("2024-03-31")]
    [InlineData("2025-04-20")]
    [InlineData("2026-04-05")]
    [InlineData("2027-03-28")]
    [InlineData("2038-04-25")]
    [InlineData("2285-03-22")]
    public void Computes_Easter_Sunday(string easter)
    {
        var day = DateOnly.Parse(easter);
        Assert.Equal(day, NyseRules.EasterSunday(day.Year));
    }

    [Fact]
    public void New_Years_Day_on_a_Saturday_is_not_observed_on_the_Friday_before()
    {
        var calendar = Calendar();

        Assert.Equal(MarketDayKind.Regular, calendar.GetSession(new DateOnly(2021, 12, 31)).Kind);
        Assert.Equal(MarketDayKind.Regular, calendar.GetSession(new DateOnly(2027, 12, 31)).Kind);
        Assert.Equal(MarketDayKind.Weekend, calendar.GetSession(new DateOnly(2028, 1, 1)).Kind);
        Assert.Equal(MarketDayKind.Regular, calendar.GetSession(new DateOnly(2028, 1, 3)).Kind);
    }

    [Fact]
    public void Sunday_holidays_move_to_Monday_and_Juneteenth_starts_in_2022()
    {
        var calendar = Calendar();

        Assert.Equal(MarketDayKind.Holiday, calendar.GetSession(new DateOnly(2022, 6, 20)).Kind);
        Assert.Equal(MarketDayKind.Holiday, calendar.GetSession(new DateOnly(2023, 1, 2)).Kind);
        Assert.Equal(MarketDayKind.Regular, calendar.GetSession(new DateOnly(2021, 6, 18)).Kind);
        Assert.Equal(MarketDayKind.EarlyClose, calendar.GetSession(new DateOnly(2023, 7, 3)).Kind);
        Assert.Equal(MarketDayKind.EarlyClose, calendar.GetSession(new DateOnly(2018, 12, 24)).Kind);
    }

    [Theory]
    [InlineData("2026-03-06", 14, 30, 21, 0)] // EST, the Friday before DST starts (Sunday March 8)
    [InlineData("2026-03-09", 13, 30, 20, 0)] // EDT
    [InlineData("2026-10-30", 13, 30, 20, 0)] // EDT, the Friday before DST ends (Sunday November 1)
    [InlineData("2026-11-02", 14, 30, 21, 0)] // EST
    public void Session_instants_follow_New_York_daylight_saving(string day, int openHourUtc, int openMinuteUtc, int closeHourUtc, int closeMinuteUtc)
    {
        var date = DateOnly.Parse(day);
        var session = Calendar().GetSession(date);

        Assert.Equal(new DateTimeOffset(date.ToDateTime(new TimeOnly(openHourUtc, openMinuteUtc)), TimeSpan.Zero), session.Open);
        Assert.Equal(new DateTimeOffset(date.ToDateTime(new TimeOnly(closeHourUtc, closeMinuteUtc)), TimeSpan.Zero), session.Close);
        Assert.Equal(new TimeOnly(9, 30), TimeOnly.FromDateTime(session.Open!.Value.DateTime));
        Assert.Equal(new TimeOnly(16, 0), TimeOnly.FromDateTime(session.Close!.Value.DateTime));
    }

    [Theory]
    [InlineData("2026-03-10T09:29:59", false)]
    [InlineData("2026-03-10T09:30:00", true)]
    [InlineData("2026-03-10T15:59:59", true)]
    [InlineData("2026-03-10T16:00:00", false)]
    [InlineData("2026-01-13T09:29:59", false)]
    [InlineData("2026-01-13T09:30:00", true)]
    [InlineData("2026-01-13T15:59:59", true)]
    [InlineData("2026-01-13T16:00:00", false)]
    [InlineData("2025-11-28T12:59:59", true)]
    [InlineData("2025-11-28T13:00:00", false)]
    [InlineData("2026-03-07T12:00:00", false)] // Saturday
    [InlineData("2026-03-08T12:00:00", false)] // Sunday
    [InlineData("2026-04-03T12:00:00", false)] // Good Friday
    public void Is_open_from_0930_inclusive_to_the_close_exclusive_New_York_time(string newYorkTime, bool open)
    {
        Assert.Equal(open, Calendar().IsOpen(NewYork(newYorkTime)));
    }

    [Fact]
    public void Weekends_are_weekends()
    {
        var calendar = Calendar();

        Assert.Equal(new MarketSession(new DateOnly(2026, 3, 7), MarketDayKind.Weekend, null, null, null, MarketCalendarSource.Rules),
            calendar.GetSession(new DateOnly(2026, 3, 7)));
        Assert.Equal(MarketDayKind.Weekend, calendar.GetSession(new DateOnly(2026, 3, 8)).Kind);
    }

    [Theory]
    [InlineData("2026-07-02T16:00:00", "2026-07-06T09:30:00")] // Independence Day observed Friday July 3
    [InlineData("2026-04-02T11:00:00", "2026-04-06T09:30:00")] // Good Friday, while Thursday's session is under way
    [InlineData("2027-01-15T20:00:00", "2027-01-19T09:30:00")] // Martin Luther King Jr. Day
    [InlineData("2026-12-24T13:00:00", "2026-12-28T09:30:00")] // Christmas Eve early close, Christmas Friday
    [InlineData("2026-03-10T09:30:00", "2026-03-10T09:30:00")] // exactly at the bell
    [InlineData("2026-03-10T04:00:00", "2026-03-10T09:30:00")]
    public void Next_open_skips_weekends_and_holidays(string from, string expected)
    {
        Assert.Equal(NewYork(expected), Calendar().NextOpen(NewYork(from)));
    }

    [Fact]
    public void Current_or_next_session_is_today_until_the_close_then_the_next_trading_day()
    {
        var calendar = Calendar();

        Assert.Equal(new DateOnly(2026, 7, 2), calendar.CurrentOrNextSession(NewYork("2026-07-02T15:59:59")).Day);
        Assert.Equal(new DateOnly(2026, 7, 6), calendar.CurrentOrNextSession(NewYork("2026-07-02T16:00:00")).Day);
        Assert.Equal(new DateOnly(2026, 7, 2), calendar.CurrentOrNextSession(NewYork("2026-07-02T08:00:00")).Day);
    }

    [Fact]
    public void Now_questions_read_the_injected_clock()
    {
        var time = new FakeTimeProvider(NewYork("2025-12-24T12:00:00"));
        var calendar = Calendar(time);

        Assert.Equal(new DateOnly(2025, 12, 24), calendar.Today);
        Assert.True(calendar.IsOpenNow());
        Assert.Equal(TimeSpan.FromHours(1), calendar.TimeUntilCloseNow());
        Assert.Equal(new DateOnly(2025, 12, 24), calendar.CurrentOrNextSessionNow().Day);

        time.Advance(TimeSpan.FromHours(1));

        Assert.False(calendar.IsOpenNow());
        Assert.Null(calendar.TimeUntilCloseNow());
        Assert.Equal(NewYork("2025-12-26T09:30:00"), calendar.NextOpenFromNow());
        Assert.Equal(new DateOnly(2025, 12, 26), calendar.CurrentOrNextSessionNow().Day);
    }

    [Fact]
    public void Every_validation_message_names_the_key_to_fix()
    {
        var result = new MarketCalendarOptionsValidator().Validate(null, new MarketCalendarOptions
        {
            RefreshInterval = TimeSpan.FromSeconds(10),
            RetryAfterFailure = TimeSpan.Zero,
            HttpRetries = 11,
            HttpRetryDelay = TimeSpan.FromSeconds(-1),
            HttpAttemptTimeout = TimeSpan.Zero,
        });

        Assert.Equal(
        [
            "Calendar:RefreshInterval must be between 00:01:00 and 7.00:00:00, got 00:00:10.",
            "Calendar:RetryAfterFailure must be between 00:00:01 and Calendar:RefreshInterval (00:00:10), got 00:00:00.",
            "Calendar:HttpRetries must be between 0 and 10, got 11.",
            "Calendar:HttpRetryDelay must be between 00:00:00 and 00:01:00, got -00:00:01.",
            "Calendar:HttpAttemptTimeout must be between 00:00:00.1 and 00:05:00, got 00:00:00.",
        ], result.Failures);
        Assert.True(new MarketCalendarOptionsValidator().Validate(null, new MarketCalendarOptions()).Succeeded);
    }

    private static MarketCalendar Calendar(TimeProvider? time = null) => new(new UpcomingMarketDays(), time ?? TimeProvider.System);

    /// <summary>A New York wall-clock time (yyyy-MM-ddTHH:mm:ss) as an instant.</summary>
    internal static DateTimeOffset NewYork(string local)
    {
        var value = DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture);
        return MarketCalendar.AtNewYork(DateOnly.FromDateTime(value), TimeOnly.FromDateTime(value));
    }

    private static IEnumerable<DateOnly> WeekdaysOf(int year)
    {
        for (var day = new DateOnly(year, 1, 1); day.Year == year; day = day.AddDays(1))
        {
            if (!NyseRules.IsWeekend(day)) yield return day;
        }
    }
}
