using Npgsql;
using NpgsqlTypes;

namespace Ingestion.Storage.Postgres;

/// <summary>One column of a <see cref="StagedCopy{T}"/>: its name, wire type and how to read it from a row.</summary>
public sealed record CopyColumn<T>(string Name, NpgsqlDbType Type, Func<T, object?> Value);

/// <summary>
/// The idempotent bulk write every table of this product uses: binary COPY into a session staging
/// table (created once per pooled connection, emptied at commit), then one
/// <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c> into the real table, inside the caller's
/// transaction. Writing the same rows twice leaves the same rows.
/// </summary>
public sealed class StagedCopy<T>(string table, IReadOnlyList<CopyColumn<T>> columns)
{
    private readonly string _columns = string.Join(", ", columns.Select(c => c.Name));

    public string Table => table;

    public string Stage => table + "_stage";

    /// <summary>Returns how many rows were new.</summary>
    public async Task<int> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<T> rows, CancellationToken cancellationToken)
    {
        await using (var stage = new NpgsqlCommand(
            $"CREATE TEMP TABLE IF NOT EXISTS {Stage} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS", connection, transaction))
        {
            await stage.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {Stage} ({_columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                foreach (var column in columns)
                {
                    if (column.Value(row) is { } value)
                    {
                        await copy.WriteAsync(value, column.Type, cancellationToken);
                    }
                    else
                    {
                        await copy.WriteNullAsync(cancellationToken);
                    }
                }
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await using var merge = new NpgsqlCommand(
            $"INSERT INTO {table} ({_columns}, ingested_at) SELECT {_columns}, clock_timestamp() FROM {Stage} ON CONFLICT DO NOTHING",
            connection, transaction);
        return await merge.ExecuteNonQueryAsync(cancellationToken);
    }
}
