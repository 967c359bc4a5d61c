using System.Diagnostics;
using Npgsql;

namespace Ingestion.Benchmarks;

/// <summary>Measures a <see cref="Ceiling"/>: the rows the pipeline wrote, read back, then one plain binary COPY of them, timed.</summary>
static class CopyCeiling
{
    /// <summary>Rows per second of the COPY alone (reading the rows back is not timed).</summary>
    public static async Task<(long Rows, double RowsPerSecond)> MeasureAsync(NpgsqlDataSource database, Ceiling ceiling)
    {
        var columns = new List<string>();
        await using (var names = database.CreateCommand(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name <> 'ingested_at' ORDER BY ordinal_position"))
        {
            names.Parameters.Add(new NpgsqlParameter { Value = ceiling.Table });
            await using var reader = await names.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        }
        var list = string.Join(", ", columns);
        string[] named = [.. columns];

        var rows = new List<object?[]>();
        var types = new string[columns.Count];
        await using (var read = database.CreateCommand($"SELECT {list} FROM {ceiling.Table}"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            for (var i = 0; i < types.Length; i++) types[i] = reader.GetPostgresType(i).Name;
            while (await reader.ReadAsync())
            {
                var values = new object?[reader.FieldCount];
                reader.GetValues(values!);
                ceiling.Rewrite?.Invoke(named, values);
                rows.Add(values);
            }
        }

        if (ceiling.Prepare is not null)
        {
            await using var prepare = database.CreateCommand(ceiling.Prepare);
            await prepare.ExecuteNonQueryAsync();
        }
        await using var connection = await database.OpenConnectionAsync();
        var watch = Stopwatch.StartNew();
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {ceiling.Target} ({list}) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync();
                for (var i = 0; i < row.Length; i++)
                {
                    if (row[i] is null or DBNull) await copy.WriteNullAsync();
                    else await copy.WriteAsync(row[i], types[i]);
                }
            }
            await copy.CompleteAsync();
        }
        return (rows.Count, rows.Count / watch.Elapsed.TotalSeconds);
    }
}
