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

// make bench: the replay server → a real local silo → PostgreSQL and Redis, measured end to end in
// two phases: a burst (the replay as fast as the client reads, far above the sustainable rate) and
// a steady load well below it, where latency means something. The same run measures the ceiling:
// a plain binary COPY of the same rows into the same table, on the same servers. Results are
// printed as figures and as ratios to the ceiling.
const int Symbols = 20;

var directory = Path.Combine(Path.GetTempPath(), "ingestion-bench-" + Guid.NewGuid().ToString("N")[..8]);
await using var postgres = await PrivatePostgres.StartAsync(Path.Combine(directory, "postgres"), durable: false, NullLogger.Instance);
await using var redis = await PrivateRedis.StartAsync(Path.Combine(directory, "redis"), durable: false, NullLogger.Instance);
await SchemaMigrator.ApplyAsync(postgres.ConnectionString, NullLogger.Instance);
await using var database = NpgsqlDataSource.Create(postgres.ConnectionString);

var burst = await RunPhase("burst", "B", barsPerSymbol: 10_000, speed: 0, streams: "memory");
var steady = await RunPhase("steady", "S", barsPerSymbol: 1_500, speed: 100, streams: "memory");
var durableBurst = await RunPhase("burst over durable streams", "D", barsPerSymbol: 10_000, speed: 0, streams: "redis");
var durableSteady = await RunPhase("steady over durable streams", "E", barsPerSymbol: 1_500, speed: 100, streams: "redis");
var ceiling = await CopyCeiling(database);

Console.WriteLine();
Console.WriteLine("Local profile streams (memory) next to the cluster profile's durable Redis Streams, same silo, same servers.");
Console.WriteLine();
Console.WriteLine("| measure | burst, memory | burst, durable | steady 2,000/s, memory | steady 2,000/s, durable |");
Console.WriteLine("|---|---|---|---|---|");
PhaseResult[] phases = [burst, durableBurst, steady, durableSteady];
Console.WriteLine($"| events sent by the replay server | {string.Join(" | ", phases.Select(p => p.Sent.ToString("N0")))} |");
Console.WriteLine($"| rows landed (lost) | {string.Join(" | ", phases.Select(p => $"{p.Rows:N0} ({p.Sent - p.Rows:N0})"))} |");
Console.WriteLine($"| Redis stream entries | {string.Join(" | ", phases.Select(p => p.RedisEntries.ToString("N0")))} |");
Console.WriteLine($"| throughput, first receipt → last durable row (events/s) | {string.Join(" | ", phases.Select(p => p.Throughput.ToString("N0")))} |");
Console.WriteLine($"| throughput / plain COPY ceiling ({ceiling:N0} rows/s) | {string.Join(" | ", phases.Select(p => (p.Throughput / ceiling).ToString("P1")))} |");
Console.WriteLine($"| receive → durable latency p50 / p95 / p99 (ms) | {string.Join(" | ", phases.Select(p => $"{p.P50:N0} / {p.P95:N0} / {p.P99:N0}"))} |");
Console.WriteLine($"| peak working set (MiB) | {string.Join(" | ", phases.Select(p => p.PeakMiB.ToString("N0")))} |");
Console.WriteLine($"| durable / memory throughput | {durableBurst.Throughput / burst.Throughput:P0} | | {durableSteady.Throughput / steady.Throughput:P0} | |");
await database.DisposeAsync();
await redis.DisposeAsync();
await postgres.DisposeAsync();
try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
return 0;

async Task<PhaseResult> RunPhase(string name, string prefix, int barsPerSymbol, double speed, string streams)
{
    var total = Symbols * barsPerSymbol;
    await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = speed, MaxEventsPerSymbol = barsPerSymbol, MaxEventsPerFrame = 200 });
    var symbols = Enumerable.Range(0, Symbols).Select(i => $"{prefix}{i:D2}").ToArray();
    var settings = new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = postgres.ConnectionString,
        ["ConnectionStrings:Redis"] = redis.ConnectionString,
        ["Ingestion:SiloPort"] = ServerProcess.FreeLoopbackPort().ToString(),
        ["Ingestion:GatewayPort"] = ServerProcess.FreeLoopbackPort().ToString(),
        ["Sources:Polygon:WebSocketUrl"] = replay.PolygonWebSocketRoot.ToString().TrimEnd('/'),
        ["Sources:Polygon:ApiKey"] = "replay-key",
        ["Sources:Polygon:RespectMarketHours"] = "false",
        ["Sources:UnusualWhales:Enabled"] = "false",
        ["Ingestion:Streams"] = streams,
        ["Streams:Redis:KeyPrefix"] = "bench:" + prefix,
    };
    for (var i = 0; i < symbols.Length; i++) settings[$"Sources:Polygon:Stocks:{i}"] = symbols[i];

    Console.WriteLine($"Phase {name}: {total:N0} per-second bars ({Symbols} symbols × {barsPerSymbol:N0}) through one Polygon connection, replay speed {(speed == 0 ? "unlimited" : speed + "×")}, {streams} streams.");
    var builder = Host.CreateApplicationBuilder();
    builder.Configuration.AddInMemoryCollection(settings);
    builder.Logging.ClearProviders();
    builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
    builder.UseOrleans(silo => silo.UseIngestionClustering(builder.Configuration).AddIngestion(builder.Configuration));
    using var host = builder.Build();

    GC.Collect();
    var peak = new PeakMemory();
    await host.StartAsync();
    var filter = $"symbol LIKE '{prefix}%'";
    long rows = 0;
    var lastProgress = Stopwatch.StartNew();
    do
    {
        await Task.Delay(250);
        peak.Sample();
        var now = await Scalar(database, $"SELECT count(*) FROM polygon_aggregates WHERE {filter}");
        if (now != rows) lastProgress.Restart();
        rows = now;
        if (lastProgress.Elapsed > TimeSpan.FromSeconds(30))
        {
            var status = await host.Services.GetRequiredService<Ingestion.Observability.StatusReporter>().BuildAsync(CancellationToken.None);
            var received = status.Connections.Sum(c => c.EventsReceived);
            var written = status.Writers.SelectMany(w => w.Sinks).Where(k => k.Sink == "postgres").Sum(k => k.Written);
            Console.WriteLine($"STALLED: no new rows for 30 s at {rows:N0} of {total:N0}. Replay sent {replay.Stats.EventsSent("stocks"):N0}, " +
                $"the connection read {received:N0} and published all but {status.Connections.Sum(c => c.PendingPublish):N0}; writers wrote {written:N0}, " +
                $"pending {status.Writers.SelectMany(w => w.Sinks).Sum(k => k.Pending):N0}.");
            break;
        }
    }
    while (rows < total);
    peak.Sample();

    var window = await Scalar(database, $"SELECT (extract(epoch FROM max(ingested_at) - min(received_at)) * 1000)::bigint FROM polygon_aggregates WHERE {filter}");
    var latency = await Percentiles(database, filter);
    var redisEntries = 0L;
    using (var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
    {
        foreach (var symbol in symbols) redisEntries += await mux.GetDatabase().StreamLengthAsync($"polygon:aggs:{symbol}");
    }
    await host.StopAsync();
    return new PhaseResult(replay.Stats.EventsSent("stocks"), rows, redisEntries, rows / (window / 1000.0),
        latency.P50, latency.P95, latency.P99, peak.Max / 1024 / 1024);
}

static async Task<long> Scalar(NpgsqlDataSource database, string sql)
{
    await using var command = database.CreateCommand(sql);
    return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L);
}

static async Task<(double P50, double P95, double P99)> Percentiles(NpgsqlDataSource database, string filter)
{
    await using var command = database.CreateCommand($"""
        SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM ingested_at - received_at) * 1000)
        FROM polygon_aggregates WHERE {filter}
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

sealed record PhaseResult(long Sent, long Rows, long RedisEntries, double Throughput, double P50, double P95, double P99, long PeakMiB);

sealed class PeakMemory
{
    public long Max { get; private set; }

    public void Sample()
    {
        using var process = Process.GetCurrentProcess();
        Max = Math.Max(Max, process.WorkingSet64);   // sampled every 250 ms, so each phase has its own peak
    }
}
