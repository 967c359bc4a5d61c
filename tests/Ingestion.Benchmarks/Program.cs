using Ingestion.Benchmarks;
using Ingestion.Storage.Migrations;
using Ingestion.Storage.PrivateServers;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

// make bench: the replay server → a real local silo → PostgreSQL and Redis, measured end to end, phase by
// phase: Polygon bars in a burst (the replay as fast as the client reads, far above the sustainable rate) and
// at a steady load well below it, where latency means something, each over memory and durable streams; and
// the Unusual Whales option-trades firehose in a burst. The same run measures each source's ceiling: a plain
// binary COPY of the same rows, on the same servers. Results are printed as figures and as ratios to it.
// One phase or a few: dotnet run --project tests/Ingestion.Benchmarks -c Release -- --phase uw-trades[,burst]
Phase[] all =
[
    new("burst", "burst, memory", "memory", Workload.PolygonBars("B", symbols: 20, barsPerSymbol: 10_000, speed: 0)),
    new("steady", "steady 2,000/s, memory", "memory", Workload.PolygonBars("S", symbols: 20, barsPerSymbol: 1_500, speed: 100)),
    new("burst-durable", "burst, durable", "redis", Workload.PolygonBars("D", symbols: 20, barsPerSymbol: 10_000, speed: 0)),
    new("steady-durable", "steady 2,000/s, durable", "redis", Workload.PolygonBars("E", symbols: 20, barsPerSymbol: 1_500, speed: 100)),
    new("uw-trades", "UW option trades burst, memory", "memory", Workload.UwOptionTrades(["SPY", "QQQ", "AAPL", "TSLA"], tradesPerTicker: 25_000, speed: 0)),
    // The synthetic tape prints about 3.4 trades/s per ticker at market pace: ×100 is about 1,400 trades/s over 4 tickers.
    // Other tickers than the burst: the tape is deterministic, so the same tickers would replay the same trade ids.
    new("uw-trades-steady", "UW option trades steady ~1,400/s, memory", "memory", Workload.UwOptionTrades(["IWM", "NVDA", "MSFT", "AMZN"], tradesPerTicker: 10_000, speed: 100)),
];
var wanted = args.SkipWhile(a => a != "--phase").Skip(1).Take(1).SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
var unknown = wanted.Where(key => all.All(p => p.Key != key)).ToList();
if (unknown.Count > 0 || (args.Contains("--phase") && wanted.Count == 0))
{
    Console.Error.WriteLine($"{(unknown.Count > 0 ? $"Unknown phase {string.Join(", ", unknown)}. " : "")}--phase takes a comma-separated list of: {string.Join(", ", all.Select(p => p.Key))}.");
    return 2;
}
var phases = wanted.Count == 0 ? all : [.. all.Where(p => wanted.Contains(p.Key))];

var directory = Path.Combine(Path.GetTempPath(), "ingestion-bench-" + Guid.NewGuid().ToString("N")[..8]);
await using var postgres = await PrivatePostgres.StartAsync(Path.Combine(directory, "postgres"), durable: false, NullLogger.Instance);
await using var redis = await PrivateRedis.StartAsync(Path.Combine(directory, "redis"), durable: false, NullLogger.Instance);
await SchemaMigrator.ApplyAsync(postgres.ConnectionString, NullLogger.Instance);
await using var database = NpgsqlDataSource.Create(postgres.ConnectionString);

var runner = new PhaseRunner(directory, postgres.ConnectionString, redis.ConnectionString, database);
var results = new List<PhaseResult>();
foreach (var phase in phases) results.Add(await runner.RunAsync(phase));
var ceilings = new Dictionary<Ceiling, (long Rows, double RowsPerSecond)>();
foreach (var ceiling in results.Select(r => r.Phase.Workload.Ceiling).Distinct()) ceilings[ceiling] = await CopyCeiling.MeasureAsync(database, ceiling);

Console.WriteLine();
Console.WriteLine($"Phases: {string.Join(", ", phases.Select(p => p.Key))}. One silo and the replay server in this process; same PostgreSQL and Redis (no fsync) for every phase and ceiling.");
Console.WriteLine();
void Row(string measure, Func<PhaseResult, string> cell) => Console.WriteLine($"| {measure} | {string.Join(" | ", results.Select(cell))} |");
Row("measure", r => r.Phase.Label);
Console.WriteLine($"|---|{string.Concat(results.Select(_ => "---|"))}");
Row("events sent by the replay server", r => r.Sent.ToString("N0"));
Row("events read by the silo's connection", r => r.Received.ToString("N0"));
Row("rows landed (lost / duplicates reaching the writer)", r => $"{r.Rows:N0} ({r.Lost:N0} / {r.Duplicates:N0})");
Row("Redis stream appends (entries kept)", r => $"{r.Appended:N0} ({r.Kept:N0})");
Row("throughput, first receipt → last durable row (events/s)", r => r.Throughput.ToString("N0"));
Row("plain COPY ceiling, same rows (rows/s)", r => ceilings[r.Phase.Workload.Ceiling].RowsPerSecond.ToString("N0"));
Row("throughput / ceiling", r => (r.Throughput / ceilings[r.Phase.Workload.Ceiling].RowsPerSecond).ToString("P1"));
Row("receive → durable latency p50 / p95 / p99 (ms)", r => $"{r.P50:N0} / {r.P95:N0} / {r.P99:N0}");
Row("peak working set (MiB)", r => r.PeakMiB.ToString("N0"));
var byKey = results.ToDictionary(r => r.Phase.Key);
foreach (var (memory, durable) in new[] { ("burst", "burst-durable"), ("steady", "steady-durable") })
{
    if (byKey.TryGetValue(memory, out var m) && byKey.TryGetValue(durable, out var d))
        Console.WriteLine($"Durable / memory throughput, {memory}: {d.Throughput / m.Throughput:P0}");
}
Console.WriteLine();
foreach (var (ceiling, measured) in ceilings) Console.WriteLine($"Ceiling {ceiling.Name}: {measured.Rows:N0} rows into {ceiling.Target} at {measured.RowsPerSecond:N0} rows/s.");
foreach (var result in results.Where(r => r.Streams.Any(s => s.Appended != s.Kept)))
{
    Console.WriteLine($"Redis streams of {result.Phase.Key} (appended = XADDs, XINFO entries-added; kept = XLEN under MAXLEN ~): " +
        string.Join(", ", result.Streams.Select(s => $"{s.Key} {s.Appended:N0} appended, {s.Kept:N0} kept")));
}

await database.DisposeAsync();
await redis.DisposeAsync();
await postgres.DisposeAsync();
try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
return 0;
