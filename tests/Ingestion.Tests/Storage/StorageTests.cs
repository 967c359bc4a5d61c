using Ingestion.Events;
using Ingestion.Storage;
using Ingestion.Storage.Migrations;
using Ingestion.Storage.Postgres;
using Ingestion.Storage.Redis;
using Ingestion.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ingestion.Tests.Storage;

[Collection(ServersCollection.Name)]
public sealed class StorageTests(ServersFixture servers)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);

    private static List<PolygonAggregate> Bars(string symbol, int count, AggregateTimespan timespan = AggregateTimespan.Second) =>
    [
        .. Enumerable.Range(0, count).Select(i =>
        {
            var start = Start.AddSeconds(i);
            return new PolygonAggregate(symbol, PolygonMarket.Stocks, timespan, start, start.AddSeconds(1),
                100 + i, 101 + i, 99 + i, 100.5m + i, 10 * i, 1000 + 10 * i, 100.25m + i, 100.1m, 99m, 7, false,
                new IngressStamp("polygon", start.AddMilliseconds(1500), $$"""{"ev":"A","sym":"{{symbol}}","s":{{start.ToUnixTimeMilliseconds()}}}""", [(byte)i, 1, 2]));
        }),
    ];

    [Fact]
    public async Task Migrations_apply_once_and_are_recorded()
    {
        var again = await SchemaMigrator.ApplyAsync(servers.Postgres.ConnectionString, NullLogger.Instance);

        Assert.Empty(again);
        Assert.Equal(["0001_foundations", "0002_orleans_grain_storage", "0003_polygon_aggregates", "0004_unusual_whales_streams", "0005_uw_rest_payloads"],
            SchemaMigrator.Migrations().Select(m => m.Version));
        Assert.Equal(5, await servers.ScalarAsync("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(1, await servers.ScalarAsync("SELECT count(*) FROM orleansquery WHERE querykey = 'WriteToStorageKey'"));
    }

    [Fact]
    public async Task Writing_the_same_aggregates_twice_leaves_the_same_rows()
    {
        var table = new PolygonAggregateTable(servers.Database, new MonthlyPartitions(servers.Database));
        var bars = Bars("IDEM", 250);

        Assert.Equal(250, await table.WriteAsync(bars, CancellationToken.None));
        Assert.Equal(0, await table.WriteAsync(bars, CancellationToken.None));
        Assert.Equal(5, await table.WriteAsync([.. bars.Take(5), .. Bars("IDEM2", 5)], CancellationToken.None));

        Assert.Equal(250, await servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates WHERE symbol = 'IDEM'"));
        Assert.Equal(5, await servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates WHERE symbol = 'IDEM2'"));
        await using var command = servers.Database.CreateCommand(
            "SELECT o, h, l, c, v, vw, av, op, a, z, market, timespan, raw_payload->>'sym', received_at, ingress_hash FROM polygon_aggregates WHERE symbol = 'IDEM' AND start_ts = @s");
        command.Parameters.AddWithValue("s", Start.AddSeconds(7));
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((107m, 108m, 106m, 107.5m, 70m), (reader.GetDecimal(0), reader.GetDecimal(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetDecimal(4)));
        Assert.Equal((107.25m, 1070m, 99m, 100.1m, 7m), (reader.GetDecimal(5), reader.GetDecimal(6), reader.GetDecimal(7), reader.GetDecimal(8), reader.GetDecimal(9)));
        Assert.Equal(("stocks", "second", "IDEM"), (reader.GetString(10), reader.GetString(11), reader.GetString(12)));
        Assert.Equal(Start.AddSeconds(7).AddMilliseconds(1500), reader.GetFieldValue<DateTimeOffset>(13));
        Assert.Equal(new byte[] { 7, 1, 2 }, reader.GetFieldValue<byte[]>(14));
    }

    [Fact]
    public async Task Rows_land_in_the_monthly_partition_created_on_demand()
    {
        var table = new PolygonAggregateTable(servers.Database, new MonthlyPartitions(servers.Database));
        var old = Bars("PART", 1)[0] with { StartTime = new DateTimeOffset(2019, 7, 15, 14, 0, 0, TimeSpan.Zero) };
        await table.WriteAsync([old], CancellationToken.None);

        Assert.Equal(1, await servers.ScalarAsync("SELECT count(*) FROM polygon_aggregates_y2019m07 WHERE symbol = 'PART'"));
    }

    [Fact]
    public async Task Redis_stream_entries_are_written_once_and_latest_hash_only_moves_forward()
    {
        var cache = new PolygonAggregateCache(servers.Cache, Options.Create(new StorageOptions()));
        var bars = Bars("RIDEM", 120);

        Assert.Equal(120, await cache.WriteAsync(bars, CancellationToken.None));
        Assert.Equal(0, await cache.WriteAsync(bars, CancellationToken.None));
        Assert.Equal(0, await cache.WriteAsync([bars[3]], CancellationToken.None));

        var db = servers.Cache.GetDatabase();
        Assert.Equal(120, await db.StreamLengthAsync(PolygonAggregateCache.StreamKey("RIDEM")));
        var latest = (await db.HashGetAllAsync(PolygonAggregateCache.LatestKey("RIDEM"))).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        Assert.Equal(Start.AddSeconds(119).ToUnixTimeMilliseconds().ToString(), latest["s"]);
        Assert.Equal("219.5", latest["c"]);
        Assert.Equal("second", latest["timespan"]);
        var first = (await db.StreamRangeAsync(PolygonAggregateCache.StreamKey("RIDEM"), count: 1)).Single();
        Assert.Equal($"{Start.ToUnixTimeMilliseconds()}-1", first.Id.ToString());
        Assert.Equal("100.5", first["c"].ToString());
    }

    [Fact]
    public async Task Redis_streams_are_capped_near_the_configured_length()
    {
        var cache = new PolygonAggregateCache(servers.Cache, Options.Create(new StorageOptions { RedisStreamMaxLength = 100 }));
        await cache.WriteAsync(Bars("RCAP", 1_000), CancellationToken.None);

        var length = await servers.Cache.GetDatabase().StreamLengthAsync(PolygonAggregateCache.StreamKey("RCAP"));
        // MAXLEN ~ trims whole macro-nodes (100 entries by default), so the stream keeps between 100 and 200.
        Assert.InRange(length, 100, 200);
    }

    [Fact]
    public async Task Quarantine_rows_are_idempotent_and_keep_reason_and_raw_text()
    {
        var table = new QuarantineTable(servers.Database);
        var at = new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero);
        QuarantinedFrame[] rows = [new("qtest", "polygon/stocks/0", at, "malformed JSON: x", "{not json\0"), new("qtest", "polygon/stocks/0", at, "field 'o' must be a number", "{}")];

        Assert.Equal(2, await table.WriteAsync(rows, CancellationToken.None));
        Assert.Equal(0, await table.WriteAsync(rows, CancellationToken.None));
        Assert.Equal(2, await servers.ScalarAsync("SELECT count(*) FROM quarantine WHERE source = 'qtest'"));
        Assert.Equal(1, await servers.ScalarAsync("SELECT count(*) FROM quarantine WHERE source = 'qtest' AND raw = '{not json\\u0000' AND reason = 'malformed JSON: x'"));
    }
}
