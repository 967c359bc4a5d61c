using Ingestion.Sources.UnusualWhales.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ingestion.Hosting;

/// <summary>(In Ingestion.Hosting so that AddIngestion needs no extra using.) Wires the Unusual Whales REST jobs: options, HTTP client, limiter and archive services, the job keeper.</summary>
public static class UnusualWhalesRestRegistration
{
    /// <summary>Options, the named HttpClient and the services the REST grains use.</summary>
    public static IServiceCollection AddUnusualWhalesRest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UnusualWhalesRestOptions>().BindConfiguration(UnusualWhalesRestOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UnusualWhalesRestOptions>, UnusualWhalesRestOptionsValidator>();
        // No resilience handler: every retry must be paid for with a token from the rate limiter (UwRestCaller).
        services.AddHttpClient(UwRestClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<UwRestClient>();
        services.AddSingleton<UwRestCaller>();
        services.AddSingleton<UwRestArchive>();
        services.AddSingleton<UwRestMetrics>();
        services.AddSingleton<UwRestJobKeeper>();
        services.AddSingleton<UwRestStatusReporter>();
        return services;
    }

    /// <summary>The per-silo keeper that keeps every configured REST job alive (idle when UW or REST is disabled).</summary>
    public static ISiloBuilder AddUnusualWhalesRest(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<UwRestJobKeeper>());
        return silo;
    }
}
