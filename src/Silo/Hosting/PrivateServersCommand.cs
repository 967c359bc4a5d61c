using System.Runtime.InteropServices;
using Ingestion.Storage.Migrations;
using Ingestion.Storage.PrivateServers;

namespace Ingestion.Silo.Hosting;

/// <summary>
/// <c>Ingestion.Silo servers</c>: only the private PostgreSQL and Redis that <c>make run</c> starts in-process,
/// for <c>make cluster</c>, whose silos must share them. Starts both (durable, data under
/// <c>--Ingestion:DataDirectory</c>), applies the migrations, writes their connection strings to
/// <c>--EnvFile</c> as <c>ConnectionStrings__*</c> variables, and stops both on SIGINT/SIGTERM.
/// </summary>
public static class PrivateServersCommand
{
    public const string Name = "servers";

    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
        var directory = Path.GetFullPath(configuration["Ingestion:DataDirectory"] ?? Path.Combine(".data", "cluster"));
        var envFile = Path.GetFullPath(configuration["EnvFile"] ?? Path.Combine(directory, "servers.env"));
        using var loggers = LoggerFactory.Create(l => l
            .AddSimpleConsole(o => { o.TimestampFormat = "HH:mm:ss "; o.SingleLine = true; })
            .AddFilter("Microsoft", LogLevel.Warning));
        var logger = loggers.CreateLogger("Ingestion.Servers");

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        try
        {
            File.Delete(envFile);
            await using var postgres = await PrivatePostgres.StartAsync(Path.Combine(directory, "postgres"), durable: true, logger);
            await using var redis = await PrivateRedis.StartAsync(Path.Combine(directory, "redis"), durable: true, logger);
            await SchemaMigrator.ApplyAsync(postgres.ConnectionString, logger);

            // Written whole, then renamed: a reader never sees half a file.
            await File.WriteAllTextAsync(envFile + ".tmp",
                $"ConnectionStrings__Postgres='{postgres.ConnectionString}'\nConnectionStrings__Redis='{redis.ConnectionString}'\n");
            File.Move(envFile + ".tmp", envFile, overwrite: true);
            logger.LogInformation("PostgreSQL and Redis ready; connection strings in {EnvFile}", envFile);

            await stop.Task;
            logger.LogInformation("Stopping Redis and PostgreSQL");
            File.Delete(envFile);
            return 0;
        }
        catch (PrivateServerException ex)
        {
            Console.Error.WriteLine($"Could not start a private server: {ex.Message}");
            return 3;
        }
    }
}
