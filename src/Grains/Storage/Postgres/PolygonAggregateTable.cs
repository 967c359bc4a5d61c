using Ingestion.Events;
using Ingestion.Sources.Polygon;
using Npgsql;
using NpgsqlTypes;

namespace Ingestion.Storage.Postgres;

/// <summary>
/// Writes aggregates to <c>polygon_aggregates</c>: binary COPY into a session staging table, then
/// one <c>INSERT … ON CONFLICT DO NOTHING</c>, in one transaction. Writing the same events twice
/// leaves the same rows.
/// </summary>
public sealed class PolygonAggregateTable(NpgsqlDataSource database, MonthlyPartitions partitions)
{
    public const string Table = "polygon_aggregates";

    private const string Columns =
        "symbol, timespan, start_ts, end_ts, market, o, h, l, c, v, vw, av, op, a, z, otc, received_at, ingress_hash, raw_payload";

    /// <summary>Returns how many rows were new.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<PolygonAggregate> rows, CancellationToken cancellationToken)
    {
        await partitions.EnsureAsync(Table, rows.Select(r => r.StartTime), cancellationToken);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var stage = new NpgsqlCommand(
            $"CREATE TEMP TABLE IF NOT EXISTS {Table}_stage (LIKE {Table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS", connection, transaction))
        {
            await stage.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {Table}_stage ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(row.Symbol, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(PolygonNames.Of(row.Timespan), NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.StartTime.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(row.EndTime.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(PolygonNames.Of(row.Market), NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.Open, NpgsqlDbType.Numeric, cancellationToken);
                await copy.WriteAsync(row.High, NpgsqlDbType.Numeric, cancellationToken);
                await copy.WriteAsync(row.Low, NpgsqlDbType.Numeric, cancellationToken);
                await copy.WriteAsync(row.Close, NpgsqlDbType.Numeric, cancellationToken);
                await WriteNullable(copy, row.Volume, cancellationToken);
                await WriteNullable(copy, row.Vwap, cancellationToken);
                await WriteNullable(copy, row.AccumulatedVolume, cancellationToken);
                await WriteNullable(copy, row.OfficialOpen, cancellationToken);
                await WriteNullable(copy, row.DayVwap, cancellationToken);
                await WriteNullable(copy, row.AverageTradeSize, cancellationToken);
                await copy.WriteAsync(row.Otc, NpgsqlDbType.Boolean, cancellationToken);
                await copy.WriteAsync(row.Ingress.ReceivedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(row.Ingress.PayloadHash, NpgsqlDbType.Bytea, cancellationToken);
                await copy.WriteAsync(row.Ingress.RawJson, NpgsqlDbType.Jsonb, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }

        int inserted;
        await using (var merge = new NpgsqlCommand(
            $"INSERT INTO {Table} ({Columns}, ingested_at) SELECT {Columns}, clock_timestamp() FROM {Table}_stage ON CONFLICT DO NOTHING",
            connection, transaction))
        {
            inserted = await merge.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    private static Task WriteNullable(NpgsqlBinaryImporter copy, decimal? value, CancellationToken cancellationToken) =>
        value is { } v ? copy.WriteAsync(v, NpgsqlDbType.Numeric, cancellationToken) : copy.WriteNullAsync(cancellationToken);
}
