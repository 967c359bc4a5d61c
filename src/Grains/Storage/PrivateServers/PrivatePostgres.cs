using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ingestion.Storage.PrivateServers;

/// <summary>
/// A PostgreSQL server of our own on a free loopback port, for <c>make run</c> (data kept under
/// <c>.data/</c>) and for tests (a temporary directory). initdb refuses to run as root, so as root
/// the server runs as the <c>postgres</c> user.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    public const string Database = "ingestion";

    private int _disposed;
    private readonly string _bin;
    private readonly string _dataDirectory;
    private readonly string? _runAs;
    private readonly ILogger _logger;

    private readonly string _settings;
    private readonly string _logFile;

    private PrivatePostgres(string bin, string dataDirectory, string? runAs, int port, string settings, string logFile, ILogger logger)
    {
        _settings = settings;
        _logFile = logFile;
        _bin = bin;
        _dataDirectory = dataDirectory;
        _runAs = runAs;
        _logger = logger;
        Port = port;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database={Database};Maximum Pool Size=50";
    }

    public int Port { get; }

    public string ConnectionString { get; }

    /// <param name="directory">Where the cluster lives; created (initdb) the first time.</param>
    /// <param name="durable">False for tests: no fsync, faster and disposable.</param>
    public static async Task<PrivatePostgres> StartAsync(string directory, bool durable, ILogger logger)
    {
        var bin = FindBinaries();
        var runAs = ServerProcess.IsRoot ? "postgres" : null;
        var dataDirectory = Path.GetFullPath(Path.Combine(directory, "pgdata"));
        Directory.CreateDirectory(directory);
        if (runAs is not null)
        {
            await ServerProcess.RunAsync("chown", ["-R", runAs, Path.GetFullPath(directory)]);
        }

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await ServerProcess.RunAsync(Path.Combine(bin, "initdb"),
                ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], runAs);
        }
        else
        {
            // A previous run that was killed may have left its server running: stop it first.
            try { await ServerProcess.RunAsync(Path.Combine(bin, "pg_ctl"), ["stop", "-D", dataDirectory, "-m", "fast", "-w"], runAs); }
            catch (PrivateServerException) { /* not running */ }
        }

        var port = ServerProcess.FreeLoopbackPort();
        var settings = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{Path.GetFullPath(directory)}' -c max_connections=200"
            + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        var logFile = Path.Combine(Path.GetFullPath(directory), "postgres.log");
        await ServerProcess.RunAsync(Path.Combine(bin, "pg_ctl"),
            ["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "-o", settings], runAs);

        var server = new PrivatePostgres(bin, dataDirectory, runAs, port, settings, logFile, logger);
        await server.CreateDatabaseAsync();
        logger.LogInformation("Private PostgreSQL listening on 127.0.0.1:{Port} (data in {Directory})", port, dataDirectory);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        try
        {
            NpgsqlConnection.ClearAllPools();
            await ServerProcess.RunAsync(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", _dataDirectory, "-m", "fast", "-w", "-t", "60"], _runAs);
            _logger.LogInformation("Private PostgreSQL stopped");
        }
        catch (PrivateServerException ex)
        {
            _logger.LogWarning("Private PostgreSQL did not stop cleanly: {Error}", ex.Message);
        }
    }

    /// <summary>Stops the server without waiting for clients (a fault, for tests); <see cref="RestartAsync"/> brings it back.</summary>
    public Task StopAsync() =>
        ServerProcess.RunAsync(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", _dataDirectory, "-m", "immediate", "-w"], _runAs);

    /// <summary>Starts the stopped server again, on the same port with the same settings.</summary>
    public Task RestartAsync() =>
        ServerProcess.RunAsync(Path.Combine(_bin, "pg_ctl"), ["start", "-D", _dataDirectory, "-l", _logFile, "-w", "-t", "60", "-o", _settings], _runAs);

    private async Task CreateDatabaseAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{Database}'", connection);
        if (await exists.ExecuteScalarAsync() is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
            await create.ExecuteNonQueryAsync();
        }
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new PrivateServerException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. " +
                "Install them with: apt-get install postgresql  (or set ConnectionStrings:Postgres to an existing server).");
    }
}
