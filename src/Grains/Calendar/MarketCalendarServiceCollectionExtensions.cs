using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Ingestion.Calendar;

public static class MarketCalendarServiceCollectionExtensions
{
    /// <summary>
    /// The shared <see cref="MarketCalendar"/>, its options (section <c>Calendar</c>) and the background refresh from
    /// Polygon. Expects the host to register <see cref="TimeProvider"/> and the <c>Sources:Polygon</c> options.
    /// </summary>
    public static IServiceCollection AddMarketCalendar(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(MarketCalendar))) return services;
        services.AddOptions<MarketCalendarOptions>().BindConfiguration(MarketCalendarOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MarketCalendarOptions>, MarketCalendarOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<UpcomingMarketDays>();
        services.AddSingleton<MarketCalendar>();
        services.AddSingleton<PolygonCalendarRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<PolygonCalendarRefresher>());

        services.AddHttpClient(PolygonCalendarRefresher.HttpClientName)
            .AddResilienceHandler("polygon-market-calendar", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<MarketCalendarOptions>>().Value;
                if (options.HttpRetries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.HttpRetries,
                        Delay = options.HttpRetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                    });
                }
                pipeline.AddTimeout(options.HttpAttemptTimeout);
            });
        return services;
    }
}
