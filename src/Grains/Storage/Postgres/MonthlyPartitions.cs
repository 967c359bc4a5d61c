using System.Collections.Concurrent;
using Npgsql;

namespace Ingestion.Storage.Postgres;

/// <summary>
/// Makes sure the monthly partition for every row's month exists before a write, asking the
/// database only the first time this process meets a (table, month) pair.
/// </summary>
public sealed class MonthlyPartitions(NpgsqlDataSource database)
{
    private readonly ConcurrentDictionary<(string Table, DateOnly Month), bool> _known = new();

    public async Task EnsureAsync(string table, IEnumerable<DateTimeOffset> times, CancellationToken cancellationToken)
    {
        foreach (var month in times.Select(t => new DateOnly(t.UtcDateTime.Year, t.UtcDateTime.Month, 1)).Distinct())
        {
            if (_known.ContainsKey((table, month)))
            {
                continue;
            }
            await using var command = database.CreateCommand("SELECT ensure_monthly_partition(@table, @month)");
            command.Parameters.AddWithValue("table", table);
            command.Parameters.AddWithValue("month", month);
            await command.ExecuteScalarAsync(cancellationToken);
            _known[(table, month)] = true;
        }
    }
}
