namespace Ingestion.Instruments;

/// <summary>The US equity trading day (America/New_York calendar date) an instant belongs to.</summary>
public static class TradingDay
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    public static DateOnly Of(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, NewYork).DateTime);
}
