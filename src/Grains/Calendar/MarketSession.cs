namespace Ingestion.Calendar;

/// <summary>What kind of day an NYSE calendar date is.</summary>
public enum MarketDayKind
{
    /// <summary>A full session, 09:30–16:00 New York.</summary>
    Regular = 0,

    /// <summary>A shortened session, normally 09:30–13:00 New York.</summary>
    EarlyClose = 1,

    /// <summary>Saturday or Sunday.</summary>
    Weekend = 2,

    /// <summary>A weekday on which the exchange is closed (holiday or special closure).</summary>
    Holiday = 3,
}

/// <summary>Where the answer for a day came from.</summary>
public enum MarketCalendarSource
{
    /// <summary>The built-in NYSE rules (<see cref="NyseRules"/>).</summary>
    Rules = 0,

    /// <summary>An entry of Polygon's <c>GET /v1/marketstatus/upcoming</c>.</summary>
    Polygon = 1,
}

/// <summary>
/// One NYSE calendar date and its regular session, if any. <see cref="Open"/> and <see cref="Close"/> are
/// instants (offset -05:00 or -04:00, New York time), null when the market does not open that day.
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.market-session")]
public sealed record MarketSession(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] MarketDayKind Kind,
    [property: Id(2)] DateTimeOffset? Open,
    [property: Id(3)] DateTimeOffset? Close,
    [property: Id(4)] string? Name,
    [property: Id(5)] MarketCalendarSource Source)
{
    /// <summary>True when there is a session this day (regular or early close).</summary>
    public bool IsOpen => Kind is MarketDayKind.Regular or MarketDayKind.EarlyClose;

    /// <summary>True when <paramref name="instant"/> falls in [Open, Close).</summary>
    public bool Contains(DateTimeOffset instant) => IsOpen && instant >= Open && instant < Close;
}

/// <summary>
/// A weekday that is not a regular session: a closure (<see cref="MarketDayKind.Holiday"/>) or an early close
/// (<see cref="MarketDayKind.EarlyClose"/>, with its New York closing time). Polygon calls both "market holidays".
/// </summary>
[GenerateSerializer, Immutable, Alias("ingestion.market-holiday")]
public sealed record MarketHoliday(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] MarketDayKind Kind,
    [property: Id(2)] string Name,
    [property: Id(3)] TimeOnly? Close = null)
{
    public bool IsClosed => Kind == MarketDayKind.Holiday;
}
