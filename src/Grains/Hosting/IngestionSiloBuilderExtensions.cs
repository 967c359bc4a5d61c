using Ingestion.Calendar;
using Ingestion.Observability;
using Ingestion.Sources;
using Ingestion.Sources.Polygon;
using Ingestion.Sources.UnusualWhales;
using Ingestion.Storage;
using Ingestion.Streaming.RedisStreams;
using Ingestion.Storage.Postgres;
using Ingestion.Storage.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;

namespace Ingestion.Hosting;

/// <summary>Everything a silo of this product needs, in the order a reader would look for it.</summary>
public static class IngestionSiloBuilderExtensions
{
    /// <summary>
    /// Grains, streams, grain storage, storage clients and the connection keeper: all but
    /// membership, so a test cluster can bring its own.
    /// </summary>
    public static ISiloBuilder AddIngestion(this ISiloBuilder silo, IConfiguration configuration)
    {
        var profile = configuration.GetSection(IngestionOptions.Section).Get<IngestionOptions>() ?? new IngestionOptions();
        silo.Services.AddIngestionServices(configuration);

        if (profile.EffectiveStreams == IngestionOptions.StreamKinds.Redis)
        {
            var redis = RequiredConnectionString(configuration, "Redis");
            silo.AddRedisQueueStreams(StreamNames.Provider, o =>
            {
                configuration.GetSection(RedisQueueStreamOptions.Section).Bind(o);
                o.ConnectionString = redis;
            });
            // A durable stream acknowledges what its consumer returned from: writers must have stored it by then,
            // or a kill -9 loses the rows they were batching in memory.
            silo.Services.Configure<StorageOptions>(o => o.AcknowledgeAfterWrite = true);
        }
        else
        {
            silo.AddMemoryStreams(StreamNames.Provider, streams =>
            {
                streams.ConfigurePartitioning(8);
                streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(20)));
            });
        }

        if (profile.Profile == IngestionOptions.Profiles.Cluster)
        {
            var postgres = RequiredConnectionString(configuration, "Postgres");
            silo.AddAdoNetGrainStorage(StorageNames.Instruments, PostgresGrainStorage(postgres));
            silo.AddAdoNetGrainStorage(StorageNames.PubSub, PostgresGrainStorage(postgres));
            silo.UseRedisReminderService(o => o.ConfigurationOptions = RedisConfiguration(RequiredConnectionString(configuration, "Redis")));
        }
        else
        {
            silo.AddMemoryGrainStorage(StorageNames.Instruments);
            silo.AddMemoryGrainStorage(StorageNames.PubSub);
            silo.UseInMemoryReminderService();
        }

        silo.AddDashboard(o =>
        {
            o.HideTrace = true;
            o.CounterUpdateIntervalMs = 2000;
        });
        silo.Services.AddSingleton<LocalConnections>();
        silo.Services.AddSingleton<ConnectionKeeper>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ConnectionKeeper>());
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, HealthHeartbeat>();
        silo.AddUnusualWhalesRest();
        return silo;
    }

    /// <summary>Membership for the profile: localhost for <c>local</c>, Redis for <c>cluster</c>, with fast failure detection.</summary>
    public static ISiloBuilder UseIngestionClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = configuration.GetSection(IngestionOptions.Section).Get<IngestionOptions>() ?? new IngestionOptions();
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        if (options.Profile == IngestionOptions.Profiles.Cluster)
        {
            if (string.IsNullOrEmpty(options.AdvertisedHost))
            {
                silo.ConfigureEndpoints(System.Net.IPAddress.Loopback, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
            }
            else
            {
                silo.ConfigureEndpoints(options.AdvertisedHost, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
            }
            silo.UseRedisClustering(o => o.ConfigurationOptions = RedisConfiguration(RequiredConnectionString(configuration, "Redis")));
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                // A dead silo is declared dead in about 2 × 2 s instead of the default ~30 s.
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        }
        else
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        }
        return silo;
    }

    /// <summary>Options, validators and the storage clients the grains use.</summary>
    public static IServiceCollection AddIngestionServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestionOptions>, IngestionOptionsValidator>();
        services.AddOptions<PolygonOptions>().BindConfiguration(PolygonOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PolygonOptions>, PolygonOptionsValidator>();
        services.AddOptions<WatchlistOptions>().BindConfiguration(WatchlistOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WatchlistOptions>, WatchlistOptionsValidator>();
        services.AddOptions<UnusualWhalesOptions>().BindConfiguration(UnusualWhalesOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UnusualWhalesOptions>, UnusualWhalesOptionsValidator>();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();

        services.AddMarketCalendar();
        services.AddMetrics();
        services.AddSingleton<IngestionMetrics>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create(RequiredConnectionString(configuration, "Postgres")));
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(RedisConfiguration(RequiredConnectionString(configuration, "Redis"))));
        services.AddSingleton<MonthlyPartitions>();
        services.AddSingleton<PolygonAggregateTable>();
        services.AddSingleton<QuarantineTable>();
        services.AddSingleton<PolygonAggregateCache>();
        services.AddSingleton<UnusualWhalesTables>();
        services.AddSingleton<UnusualWhalesCache>();
        services.AddSingleton<UwSchemaDrift>();
        services.AddSingleton<ConnectionCatalog>();
        services.AddSingleton<StatusReporter>();
        services.AddSingleton<StoragePressure>();
        services.AddUnusualWhalesRest(configuration);
        return services;
    }

    public static ConfigurationOptions RedisConfiguration(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        return options;
    }

    private static Action<OptionsBuilder<AdoNetGrainStorageOptions>> PostgresGrainStorage(string connectionString) =>
        builder => builder.Configure<IServiceProvider>((o, services) =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
            // The Orleans serializer honours [Id]/[Alias], so renaming a type never orphans stored state.
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
        });

    private static string RequiredConnectionString(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new OptionsValidationException(name, typeof(string),
                [$"ConnectionStrings:{name} is required here (it is filled in automatically only when the local profile starts private servers)."]);
}
