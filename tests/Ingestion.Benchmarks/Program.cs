using System.Diagnostics;
using Ingestion.Hosting;
using Ingestion.Replay;
using Ingestion.Storage.Migrations;
using Ingestion.Storage.PrivateServers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

// make bench: the replay server at full speed → a real local silo → PostgreSQL and Redis, measured
// end to end, next to the ceiling: a plain binary COPY of the same rows into the same table, in the
// same run, on the same servers. Results are printed as figures and as ratios to the ceiling.
const int Symbols = 20;
const int BarsPerSymbol = 10_000;
const int Total = Symbols * BarsPerSymbol;

var directory = Path.Combine(Path.GetTempPath(), "ingestion-bench-" + Guid.NewGuid().ToString("N")[..8]);
await using var postgres = await PrivatePostgres.StartAsync(Path.Combine(directory, "postgres"), durable: false, NullLogger.Instance);
await using var redis = await PrivateRedis.StartAsync(Path.Combine(directory, "redis"), durable: false, NullLogger.Instance);
await SchemaMigrator.ApplyAsync(postgres.ConnectionString, NullLogger.Instance);
await using var database = NpgsqlDataSource.Create(postgres.ConnectionString);
await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, MaxEventsPerSymbol = BarsPerSymbol, MaxEventsPerFrame = 200 });

var symbols = Enumerable.Range(0, Symbols).Select(i => $"B{i:D2}").ToArray();
var settings = new Dictionary<string, string?>
{
    ["ConnectionStrings:Postgres"] = postgres.ConnectionString,
    ["ConnectionStrings:Redis"] = redis.ConnectionString,
    ["Ingestion:SiloPort"] = ServerProcess.FreeLoopbackPort().ToString(),
    ["Ingestion:GatewayPort"] = ServerProcess.FreeLoopbackPort().ToString(),
    ["Sources:Polygon:WebSocketUrl"] = replay.PolygonWebSocketRoot.ToString().TrimEnd('/'),
    ["Sources:Polygon:ApiKey"] = "replay-key",
};
for (var i = 0; i < symbols.Length; i++) settings[$"Sources:Polygon:Stocks:{i}"] = symbols[i];

Console.WriteLine($"Bench: {Total:N0} per-second bars ({Symbols} symbols × {BarsPerSymbol:N0}) through one Polygon connection, replay at full speed.");
var builder = Host.CreateApplicationBuilder();
builder.Configuration.AddInMemoryCollection(settings);
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo => silo.UseIngestionClustering(builder.Configuration).AddIngestion(builder.Configuration));
using var host = builder.Build();

var peak = new PeakMemory();
var started = Stopwatch.StartNew();
await host.StartAsync();
long rows = 0;
var lastProgress = Stopwatch.StartNew();
do
{
    await Task.Delay(250);
    peak.Sample();
    var now = await Scalar(database, "SELECT count(*) FROM polygon_aggregates");
    if (now != rows) lastProgress.Restart();
    rows = now;
    if (lastProgress.Elapsed > TimeSpan.FromSeconds(30))
    {
        var status = await host.Services.GetRequiredService<Ingestion.Observability.StatusReporter>().BuildAsync(CancellationToken.None);
        var received = status.Connections.Sum(c => c.EventsReceived);
        var written = status.Writers.SelectMany(w => w.Sinks).Where(k => k.Sink == "postgres").Sum(k => k.Written);
        Console.WriteLine($"STALLED: no new rows for 30 s at {rows:N0} of {Total:N0}. Replay sent {replay.Stats.EventsSent("stocks"):N0}, " +
            $"the connection read {received:N0} and published all but {status.Connections.Sum(c => c.PendingPublish):N0}; writers received and wrote {written:N0}, " +
            $"pending {status.Writers.SelectMany(w => w.Sinks).Sum(k => k.Pending):N0}. The difference was lost inside memory streams.");
        break;
    }
}
while (rows < Total);
peak.Sample();

var window = await Scalar(database, "SELECT (extract(epoch FROM max(ingested_at) - min(received_at)) * 1000)::bigint FROM polygon_aggregates");
var throughput = rows / (window / 1000.0);
var latency = await Percentiles(database);
var redisEntries = 0L;
using (var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
{
    foreach (var symbol in symbols) redisEntries += await mux.GetDatabase().StreamLengthAsync($"polygon:aggs:{symbol}");
}
await host.StopAsync();

// The ceiling: the same rows, read back, written with one plain binary COPY into the same table.
var ceiling = await CopyCeiling(database);

Console.WriteLine();
Console.WriteLine($"| measure | value |");
Console.WriteLine($"|---|---|");
Console.WriteLine($"| rows landed in polygon_aggregates | {rows:N0} of {Total:N0} sent ({replay.Stats.EventsSent("stocks"):N0}); lost {Total - rows:N0} |");
Console.WriteLine($"| Redis stream entries (capped at ~10,000 per symbol) | {redisEntries:N0} |");
Console.WriteLine($"| pipeline throughput, first receipt → last durable row | {throughput:N0} events/s |");
Console.WriteLine($"| plain COPY ceiling, same rows, same table | {ceiling:N0} rows/s |");
Console.WriteLine($"| pipeline / ceiling | {throughput / ceiling:P1} |");
Console.WriteLine($"| receive → durable latency p50 / p95 / p99 | {latency.P50:N0} / {latency.P95:N0} / {latency.P99:N0} ms |");
Console.WriteLine($"| peak working set (silo + replay server, one process) | {peak.Max / 1024 / 1024:N0} MiB |");
try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
return 0;

static async Task<long> Scalar(NpgsqlDataSource database, string sql)
{
    await using var command = database.CreateCommand(sql);
    return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L);
}

static async Task<(double P50, double P95, double P99)> Percentiles(NpgsqlDataSource database)
{
    await using var command = database.CreateCommand("""
        SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM ingested_at - received_at) * 1000)
        FROM polygon_aggregates
        """);
    var values = (double[])(await command.ExecuteScalarAsync())!;
    return (values[0], values[1], values[2]);
}

static async Task<double> CopyCeiling(NpgsqlDataSource database)
{
    const string Columns = "symbol, timespan, start_ts, end_ts, market, o, h, l, c, v, vw, av, op, a, z, otc, received_at, ingress_hash, raw_payload";
    var rows = new List<object?[]>();
    await using (var read = database.CreateCommand($"SELECT {Columns} FROM polygon_aggregates"))
    await using (var reader = await read.ExecuteReaderAsync())
    {
        while (await reader.ReadAsync())
        {
            var values = new object?[reader.FieldCount];
            reader.GetValues(values!);
            values[0] = "C" + values[0];   // a different symbol, so the copy lands beside the pipeline's rows
            rows.Add(values);
        }
    }
    await using var connection = await database.OpenConnectionAsync();
    var watch = Stopwatch.StartNew();
    await using (var copy = await connection.BeginBinaryImportAsync($"COPY polygon_aggregates ({Columns}) FROM STDIN (FORMAT BINARY)"))
    {
        foreach (var row in rows)
        {
            await copy.StartRowAsync();
            for (var i = 0; i < row.Length; i++)
            {
                if (row[i] is null or DBNull) await copy.WriteNullAsync();
                else if (i == 18) await copy.WriteAsync((string)row[i]!, NpgsqlTypes.NpgsqlDbType.Jsonb);
                else await copy.WriteAsync(row[i]);
            }
        }
        await copy.CompleteAsync();
    }
    return rows.Count / watch.Elapsed.TotalSeconds;
}

sealed class PeakMemory
{
    public long Max { get; private set; }

    public void Sample()
    {
        using var process = Process.GetCurrentProcess();
        Max = Math.Max(Max, Math.Max(process.PeakWorkingSet64, process.WorkingSet64));
    }
}
