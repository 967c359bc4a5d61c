using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ingestion.Scheduling;
using Ingestion.Sources.Feeds;
using Npgsql;
using NpgsqlTypes;
using StackExchange.Redis;

namespace Ingestion.Sources.UnusualWhales.Rest;

/// <summary>One REST answer ready to archive.</summary>
public sealed record UwRestPayload(string Endpoint, string Scope, UwRestResponse Response, DateTimeOffset FetchedAt);

/// <summary>
/// Archives REST answers: a row of <c>uw_rest_payloads</c> (identical answers refresh <c>fetched_at</c>) and the
/// latest answer in the Redis hash <c>uw:rest:&lt;endpoint&gt;:&lt;scope&gt;</c> (fields payload, payload_hash,
/// fetched_at). REST rates are tens of requests a minute, so a parameterised upsert per answer is enough.
/// </summary>
public sealed class UwRestArchive(NpgsqlDataSource database, IConnectionMultiplexer redis)
{
    private const string Upsert = """
        INSERT INTO uw_rest_payloads (endpoint, scope, payload_hash, payload, status, first_seen_at, fetched_at)
        VALUES (@endpoint, @scope, @hash, @payload, @status, @fetched_at, @fetched_at)
        ON CONFLICT (endpoint, scope, payload_hash) DO UPDATE
        SET fetched_at = GREATEST(uw_rest_payloads.fetched_at, EXCLUDED.fetched_at),
            payload = jsonb_set(uw_rest_payloads.payload, '{context}', EXCLUDED.payload -> 'context'),
            fetch_count = uw_rest_payloads.fetch_count + 1
        RETURNING (xmax = 0)
        """;

    public static string RedisKey(string endpoint, string scope) => $"uw:rest:{endpoint}:{scope}";

    /// <summary>Writes PostgreSQL, then Redis. Returns true when the answer was new (a row was added).</summary>
    public async Task<bool> WriteAsync(UwRestPayload item, CancellationToken cancellationToken)
    {
        using var response = JsonDocument.Parse(item.Response.Body ?? "null");
        var hash = CanonicalJson.Hash(response.RootElement);
        var document = Document(item, response.RootElement);

        bool inserted;
        await using (var command = database.CreateCommand(Upsert))
        {
            command.Parameters.AddWithValue("endpoint", item.Endpoint);
            command.Parameters.AddWithValue("scope", item.Scope);
            command.Parameters.AddWithValue("hash", hash);
            command.Parameters.AddWithValue("payload", NpgsqlDbType.Jsonb, document);
            command.Parameters.AddWithValue("status", item.Response.Status);
            command.Parameters.AddWithValue("fetched_at", item.FetchedAt.ToUniversalTime());
            inserted = (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        await redis.GetDatabase().HashSetAsync(RedisKey(item.Endpoint, item.Scope),
        [
            new HashEntry("payload", document),
            new HashEntry("payload_hash", Convert.ToHexStringLower(hash)),
            new HashEntry("fetched_at", item.FetchedAt.ToString("O", CultureInfo.InvariantCulture)),
        ]);
        return inserted;
    }

    /// <summary>Deletes rows not fetched again within <paramref name="keep"/>.</summary>
    public async Task<long> PruneAsync(TimeSpan keep, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT prune_uw_rest_payloads(@keep)");
        command.Parameters.AddWithValue("keep", keep);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static string Document(UwRestPayload item, JsonElement response)
    {
        var rate = item.Response.Rate;
        var context = new JsonObject
        {
            ["endpoint"] = item.Endpoint,
            ["scope"] = item.Scope,
            ["url"] = item.Response.Url,
            ["status"] = item.Response.Status,
            ["fetched_at"] = item.FetchedAt.ToString("O", CultureInfo.InvariantCulture),
            ["rate"] = new JsonObject
            {
                ["x-uw-req-per-minute-remaining"] = rate.MinuteRemaining,
                ["x-uw-req-per-minute-reset"] = rate.MinuteResetMs,
                ["x-uw-daily-req-count"] = rate.DailyCount,
                ["x-uw-token-req-limit"] = rate.DailyLimit,
            },
        };
        return new JsonObject { ["response"] = JsonNode.Parse(response.GetRawText()), ["context"] = context }.ToJsonString();
    }
}
