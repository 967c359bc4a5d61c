using Ingestion.Hosting;
using Ingestion.Replay;
using Ingestion.Storage.Migrations;
using Ingestion.Storage.PrivateServers;
using Microsoft.Extensions.Options;

namespace Ingestion.Silo.Hosting;

/// <summary>
/// What a silo needs before it starts, on a machine with nothing set up: private PostgreSQL and
/// Redis when the local profile has no connection strings, the schema migrations, and the replay
/// server when <c>Replay:Enabled</c> is true (the feeds then point at it). Disposed after the host
/// stops, in reverse order.
/// </summary>
public sealed class LocalEnvironment : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly ILoggerFactory _loggers = LoggerFactory.Create(l => l
        .AddSimpleConsole(o => { o.TimestampFormat = "HH:mm:ss "; o.SingleLine = true; })
        .AddFilter("Microsoft", LogLevel.Warning));

    public static async Task<LocalEnvironment> PrepareAsync(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var options = configuration.GetSection(IngestionOptions.Section).Get<IngestionOptions>() ?? new IngestionOptions();
        var validation = new IngestionOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(IngestionOptions.Section, typeof(IngestionOptions), validation.Failures);
        }

        var environment = new LocalEnvironment();
        var loggers = environment._loggers;
        var logger = loggers.CreateLogger<LocalEnvironment>();
        var overrides = new Dictionary<string, string?>();
        try
        {
            if (options.Profile == IngestionOptions.Profiles.Local)
            {
                if (string.IsNullOrEmpty(configuration.GetConnectionString("Postgres")))
                {
                    var postgres = await PrivatePostgres.StartAsync(Path.Combine(options.DataDirectory, "postgres"), durable: true, logger);
                    environment._owned.Add(postgres);
                    overrides["ConnectionStrings:Postgres"] = postgres.ConnectionString;
                }
                if (string.IsNullOrEmpty(configuration.GetConnectionString("Redis")))
                {
                    var redis = await PrivateRedis.StartAsync(Path.Combine(options.DataDirectory, "redis"), durable: true, logger);
                    environment._owned.Add(redis);
                    overrides["ConnectionStrings:Redis"] = redis.ConnectionString;
                }
            }
            if (configuration.GetValue<bool>("Replay:Enabled"))
            {
                var replay = configuration.GetSection(ReplayServerOptions.SectionName).Get<ReplayServerOptions>() ?? new ReplayServerOptions();
                var server = await ReplayServer.StartAsync(replay, loggers);
                environment._owned.Add(server);
                overrides["Sources:Polygon:WebSocketUrl"] = server.PolygonWebSocketRoot.ToString().TrimEnd('/');
                overrides["Sources:Polygon:ApiKey"] = replay.ApiKey;
                overrides["Sources:Polygon:RestBaseUrl"] = server.HttpRoot.ToString().TrimEnd('/');
                // The replay plays its own clock, not New York's: stream whatever the calendar says.
                overrides["Sources:Polygon:RespectMarketHours"] = "false";
                overrides["Sources:UnusualWhales:WebSocketUrl"] = server.UnusualWhalesWebSocketUrl.ToString();
                overrides["Sources:UnusualWhales:RestBaseUrl"] = server.UnusualWhalesRestRoot.ToString().TrimEnd('/');
                overrides["Sources:UnusualWhales:Token"] = replay.UnusualWhalesToken;
                logger.LogInformation("Replay server on {Url} at speed {Speed} playing {Dataset}", server.HttpRoot, replay.Speed, replay.Dataset);
            }
            configuration.AddInMemoryCollection(overrides);

            var connectionString = configuration.GetConnectionString("Postgres")
                ?? throw new OptionsValidationException("ConnectionStrings:Postgres", typeof(string), ["ConnectionStrings:Postgres is required in the cluster profile."]);
            await SchemaMigrator.ApplyAsync(connectionString, logger);
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
        _owned.Clear();
        _loggers.Dispose();
    }
}
