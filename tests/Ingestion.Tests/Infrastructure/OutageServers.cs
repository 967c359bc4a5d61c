using Ingestion.Storage.Migrations;
using Ingestion.Storage.PrivateServers;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StackExchange.Redis;

namespace Ingestion.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL and a Redis of one test's own, durable (fsync and append-only file on) so that
/// stopping and starting them loses nothing they acknowledged: outage tests stop them, which the
/// shared <see cref="ServersFixture"/> servers must never be.
/// </summary>
public sealed class OutageServers : IAsyncDisposable
{
    private OutageServers(string directory, PrivatePostgres postgres, PrivateRedis redis, NpgsqlDataSource database, ConnectionMultiplexer cache)
    {
        Directory = directory;
        Postgres = postgres;
        Redis = redis;
        Database = database;
        Cache = cache;
    }

    public string Directory { get; }
    public PrivatePostgres Postgres { get; }
    public PrivateRedis Redis { get; }
    public NpgsqlDataSource Database { get; }
    public ConnectionMultiplexer Cache { get; }

    /// <summary>The silo's data directory, where writers spool.</summary>
    public string DataDirectory => Path.Combine(Directory, "silo");

    public static async Task<OutageServers> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ingestion-outage-" + Guid.NewGuid().ToString("N")[..8]);
        var postgres = await PrivatePostgres.StartAsync(Path.Combine(directory, "postgres"), durable: true, NullLogger.Instance);
        var redis = await PrivateRedis.StartAsync(Path.Combine(directory, "redis"), durable: true, NullLogger.Instance);
        await SchemaMigrator.ApplyAsync(postgres.ConnectionString, NullLogger.Instance);
        var cache = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        // No pooling: a pooled connection would be broken by the restart the test makes.
        var database = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Pooling = false }.ConnectionString);
        return new OutageServers(directory, postgres, redis, database, cache);
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var command = Database.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Settings a test silo needs to reach these servers (the same shape as <see cref="ServersFixture.SiloSettings"/>).</summary>
    public Dictionary<string, string?> SiloSettings() => new()
    {
        ["ConnectionStrings:Postgres"] = Postgres.ConnectionString,
        ["ConnectionStrings:Redis"] = Redis.ConnectionString,
        ["Sources:UnusualWhales:Enabled"] = "false",
        ["Ingestion:DataDirectory"] = DataDirectory,
    };

    /// <summary>Spool segment files under the silo's data directory.</summary>
    public string[] SpoolFiles() =>
        System.IO.Directory.Exists(Path.Combine(DataDirectory, "spool"))
            ? System.IO.Directory.GetFiles(Path.Combine(DataDirectory, "spool"), "*.ndjson", SearchOption.AllDirectories)
            : [];

    public async ValueTask DisposeAsync()
    {
        await Cache.DisposeAsync();
        await Database.DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
