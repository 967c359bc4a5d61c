using Ingestion.Calendar;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ingestion.Tests.Infrastructure;

/// <summary>
/// A silo's <see cref="MarketCalendar"/> stopped at one instant, so a test whose behaviour depends on whether the market
/// is open gives the same answer on a Sunday night as on a Wednesday morning. Only the calendar's clock is frozen.
/// </summary>
public static class FrozenMarketCalendar
{
    /// <summary>Wednesday 18 November 2026, 10:00 New York: a regular session.</summary>
    public static DateTimeOffset Open { get; } = MarketCalendar.AtNewYork(new DateOnly(2026, 11, 18), new TimeOnly(10, 0));

    /// <summary>Registers a calendar whose "now" is always <paramref name="instant"/>.</summary>
    public static Action<IServiceCollection> At(DateTimeOffset instant) => services =>
        services.AddSingleton(sp => new MarketCalendar(sp.GetRequiredService<UpcomingMarketDays>(), new FakeTimeProvider(instant)));
}
