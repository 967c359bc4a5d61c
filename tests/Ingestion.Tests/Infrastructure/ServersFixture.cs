using Ingestion.Storage.Migrations;
using Ingestion.Storage.PrivateServers;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StackExchange.Redis;

namespace Ingestion.Tests.Infrastructure;

/// <summary>
/// Real PostgreSQL and Redis for a test collection, started through the same code the silo uses
/// for <c>make run</c>, in a temporary directory, on free loopback ports, with migrations applied.
/// </summary>
public sealed class ServersFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ingestion-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public PrivatePostgres Postgres { get; private set; } = null!;
    public PrivateRedis Redis { get; private set; } = null!;
    public NpgsqlDataSource Database { get; private set; } = null!;
    public ConnectionMultiplexer Cache { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await PrivatePostgres.StartAsync(Path.Combine(_directory, "postgres"), durable: false, NullLogger.Instance);
        Redis = await PrivateRedis.StartAsync(Path.Combine(_directory, "redis"), durable: false, NullLogger.Instance);
        await SchemaMigrator.ApplyAsync(Postgres.ConnectionString, NullLogger.Instance);
        Database = NpgsqlDataSource.Create(Postgres.ConnectionString);
        Cache = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Cache.DisposeAsync();
        await Database.DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Database.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async Task<string?> ScalarTextAsync(string sql)
    {
        await using var command = Database.CreateCommand(sql);
        return (string?)await command.ExecuteScalarAsync();
    }

    /// <summary>Settings a test silo needs to reach these servers.</summary>
    public Dictionary<string, string?> SiloSettings() => new()
    {
        ["ConnectionStrings:Postgres"] = Postgres.ConnectionString,
        ["ConnectionStrings:Redis"] = Redis.ConnectionString,
        // Tests switch Unusual Whales on where they point it at a replay server.
        ["Sources:UnusualWhales:Enabled"] = "false",
        // Each cluster its own data directory, so a spool never outlives its test into another one.
        ["Ingestion:DataDirectory"] = Path.Combine(_directory, "silo-" + Guid.NewGuid().ToString("N")[..8]),
    };
}

[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<ServersFixture>
{
    public const string Name = "servers";
}
