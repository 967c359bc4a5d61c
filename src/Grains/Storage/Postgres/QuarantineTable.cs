using System.Security.Cryptography;
using System.Text;
using Ingestion.Events;
using Npgsql;
using NpgsqlTypes;

namespace Ingestion.Storage.Postgres;

/// <summary>Writes refused input to <c>quarantine</c>, idempotently (key: source, receive time, hash).</summary>
public sealed class QuarantineTable(NpgsqlDataSource database)
{
    private const string Columns = "source, received_at, id, connection, reason, raw";

    public async Task<int> WriteAsync(IReadOnlyList<QuarantinedFrame> rows, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var stage = new NpgsqlCommand(
            "CREATE TEMP TABLE IF NOT EXISTS quarantine_stage (LIKE quarantine INCLUDING DEFAULTS) ON COMMIT DELETE ROWS", connection, transaction))
        {
            await stage.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY quarantine_stage ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(row.Source, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.ReceivedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(Id(row), NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.Connection, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.Reason, NpgsqlDbType.Text, cancellationToken);
                // PostgreSQL text cannot hold NUL; garbage frames may.
                await copy.WriteAsync(row.Raw.Replace("\0", "\\u0000"), NpgsqlDbType.Text, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        int inserted;
        await using (var merge = new NpgsqlCommand(
            $"INSERT INTO quarantine ({Columns}) SELECT {Columns} FROM quarantine_stage ON CONFLICT DO NOTHING", connection, transaction))
        {
            inserted = await merge.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    private static string Id(QuarantinedFrame row) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(row.Connection + "\n" + row.Reason + "\n" + row.Raw)));
}
