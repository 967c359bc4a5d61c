using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json.Nodes;
using Ingestion.Events;
using Ingestion.Observability;
using Ingestion.Sources.UnusualWhales;
using Ingestion.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Tests.Storage;

/// <summary>The on-disk spool and a sink's order through memory, spool and a failing destination; no servers.</summary>
public sealed class SpoolTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ingestion-spool-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    private static PolygonAggregate Bar(int i) => new(
        "SPL", PolygonMarket.Stocks, AggregateTimespan.Second, Start.AddSeconds(i), Start.AddSeconds(i + 1),
        100m + i, 101m, 99m, 100.5m, i, null, null, null, null, null, false,
        new IngressStamp("polygon", Start.AddSeconds(i), $$"""{"i":{{i}}}""", [(byte)i]));

    private static int Index(PolygonAggregate row) => (int)(row.StartTime - Start).TotalSeconds;

    [Fact]
    public async Task Spool_round_trips_every_aggregate_field_exactly()
    {
        var row = new PolygonAggregate(
            "O:SPY261218C00600000", PolygonMarket.Options, AggregateTimespan.Minute,
            new DateTimeOffset(2026, 12, 18, 9, 31, 0, 123, TimeSpan.FromHours(-5)).AddTicks(4567),
            new DateTimeOffset(2026, 12, 18, 9, 32, 0, TimeSpan.FromHours(-5)),
            1.2300m, 79228162514264337593543950335m, -0.0000000000000000000000000001m, 0.10m,
            1234567890123.456789m, null, 600.000001m, null, 0m, 12.5m, true,
            new IngressStamp("polygon", new DateTimeOffset(2026, 12, 18, 14, 31, 0, 999, TimeSpan.Zero).AddTicks(9999),
                "{\"ev\":\"AM\",\n\"sym\":\"O:SPY\u00e9\u2028\",\"x\":\"tab\\there\"}", [0, 1, 254, 255, 10, 13]));
        var written = await DiskSpool<PolygonAggregate>.OpenAsync(_directory, 10, NullLogger.Instance);
        await written.AppendAsync([row]);

        var reopened = await DiskSpool<PolygonAggregate>.OpenAsync(_directory, 10, NullLogger.Instance);
        var read = Assert.Single(await reopened.PeekAsync(10));

        Assert.Single(File.ReadAllLines(Assert.Single(Directory.GetFiles(_directory))));
        Assert.Equal(row with { Ingress = read.Ingress }, read);
        Assert.Equal((row.Ingress.Source, row.Ingress.ReceivedAt, row.Ingress.RawJson), (read.Ingress.Source, read.Ingress.ReceivedAt, read.Ingress.RawJson));
        Assert.Equal(row.Ingress.PayloadHash, read.Ingress.PayloadHash);
        // Exact to the tick and the offset, and decimals to their scale (1.2300 stays 1.2300, not 1.23).
        Assert.Equal((row.StartTime.UtcTicks, row.StartTime.Offset), (read.StartTime.UtcTicks, read.StartTime.Offset));
        Assert.Equal((row.Ingress.ReceivedAt.UtcTicks, row.Ingress.ReceivedAt.Offset), (read.Ingress.ReceivedAt.UtcTicks, read.Ingress.ReceivedAt.Offset));
        foreach (var (expected, actual) in new[] { (row.Open, read.Open), (row.High, read.High), (row.Low, read.Low), (row.Close, read.Close) }
            .Concat(new[] { (row.Volume, read.Volume), (row.Vwap, read.Vwap), (row.OfficialOpen, read.OfficialOpen), (row.AverageTradeSize, read.AverageTradeSize) }
                .Select(p => (p.Item1!.Value, p.Item2!.Value))))
        {
            Assert.Equal(decimal.GetBits(expected), decimal.GetBits(actual));
        }
    }

    [Fact]
    public async Task Spool_round_trips_every_unusual_whales_event_kind_of_the_recorded_sample()
    {
        var parser = new UwFrameParser("uw/spool-test");
        var events = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Datasets", "uw-sample.ndjson"))
            .Select(line => JsonNode.Parse(line)!["frame"]!.ToJsonString())
            .Select(frame => parser.Parse(Encoding.UTF8.GetBytes(frame), Start).Event)
            .OfType<UwEvent>()
            .ToList();
        Assert.Equal(6, events.Select(e => e.GetType()).Distinct().Count());

        var spool = await DiskSpool<UwEvent>.OpenAsync(_directory, 1_000, NullLogger.Instance);
        await spool.AppendAsync(events);
        var read = await (await DiskSpool<UwEvent>.OpenAsync(_directory, 1_000, NullLogger.Instance)).PeekAsync(events.Count + 1);

        Assert.Equal(events.Select(e => e.GetType()), read.Select(e => e.GetType()));
        Assert.Equal(events.Select(DiskSpool<UwEvent>.Serialize), read.Select(DiskSpool<UwEvent>.Serialize));
    }

    [Fact]
    public async Task Spool_drains_in_order_across_segment_rotation_and_a_reopen()
    {
        var spool = await DiskSpool<PolygonAggregate>.OpenAsync(_directory, 7, NullLogger.Instance);
        var next = 0;
        foreach (var size in new[] { 3, 9, 1, 14, 5, 18 })
        {
            await spool.AppendAsync([.. Enumerable.Range(next, size).Select(Bar)]);
            next += size;
        }
        Assert.Equal((50L, 8), (spool.Count, spool.Segments));
        Assert.Equal(8, Directory.GetFiles(_directory, "*.ndjson").Length);

        var drained = new List<int>();
        while (drained.Count < 21)
        {
            var batch = await spool.PeekAsync(5);
            drained.AddRange(batch.Select(Index));
            spool.Consume(batch.Count);
        }
        // A new activation finds the rest, sealed segments and all, and rows appended later go after it.
        spool = await DiskSpool<PolygonAggregate>.OpenAsync(_directory, 7, NullLogger.Instance);
        Assert.Equal((29L, 5), (spool.Count, spool.Segments));
        await spool.AppendAsync([.. Enumerable.Range(next, 4).Select(Bar)]);
        while (spool.Count > 0)
        {
            var batch = await spool.PeekAsync(4);
            drained.AddRange(batch.Select(Index));
            spool.Consume(batch.Count);
        }

        Assert.Equal(Enumerable.Range(0, 54), drained);
        Assert.False(Directory.Exists(_directory), "a drained spool leaves no directory behind");
    }

    [Fact]
    public async Task Rows_put_ahead_of_a_partly_consumed_head_do_not_bring_its_consumed_rows_back()
    {
        var spool = await DiskSpool<PolygonAggregate>.OpenAsync(_directory, 10, NullLogger.Instance);
        await spool.AppendAsync([.. Enumerable.Range(10, 15).Select(Bar)]);
        var head = await spool.PeekAsync(4);
        spool.Consume(head.Count);

        await spool.PrependAsync([.. Enumerable.Range(0, 3).Select(Bar)]);
        Assert.Equal(14L, spool.Count);
        var drained = new List<int>();
        while (spool.Count > 0)
        {
            var batch = await spool.PeekAsync(5);
            drained.AddRange(batch.Select(Index));
            spool.Consume(batch.Count);
        }
        Assert.Equal([0, 1, 2, .. Enumerable.Range(14, 11)], drained);
    }

    [Fact]
    public async Task Sink_writes_a_spool_found_on_start_before_new_rows()
    {
        var left = await DiskSpool<PolygonAggregate>.OpenAsync(_directory, 10, NullLogger.Instance);
        await left.AppendAsync([.. Enumerable.Range(0, 30).Select(Bar)]);

        var written = new List<int>();
        var sink = await OpenSinkAsync(rows => written.AddRange(rows.Select(Index)), maxBacklog: 100);
        Assert.Equal(30, sink.Spooled);
        await sink.AddAsync([.. Enumerable.Range(30, 10).Select(Bar)]);
        await sink.FlushAsync(force: true);

        Assert.Equal(Enumerable.Range(0, 40), written);
        Assert.Equal((0, 0L), (sink.Pending, sink.Spooled));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public async Task Sink_spills_past_its_backlog_and_writes_memory_then_spool_in_order_once_the_destination_returns()
    {
        var down = true;
        var written = new List<int>();
        var sink = await OpenSinkAsync(rows =>
        {
            if (down) throw new InvalidOperationException("destination down");
            written.AddRange(rows.Select(Index));
        }, maxBacklog: 10);

        for (var i = 0; i < 35; i += 5)
        {
            await sink.AddAsync([.. Enumerable.Range(i, 5).Select(Bar)]);
            await sink.FlushAsync(force: true);
        }
        var failing = sink.Status();
        Assert.Equal((10, 25L, "destination down"), (failing.Pending, failing.Spooled, failing.LastError));
        Assert.Equal(3, Directory.GetFiles(_directory, "*.ndjson").Length);

        down = false;
        await sink.FlushAsync(force: true);

        Assert.Equal(Enumerable.Range(0, 35), written);
        var recovered = sink.Status();
        Assert.Equal((0, 0L, null, 35L), (recovered.Pending, recovered.Spooled, recovered.LastError, recovered.Written));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public async Task Rows_in_memory_at_shutdown_go_ahead_of_the_spool_and_the_next_activation_writes_them_first()
    {
        var sink = await OpenSinkAsync(_ => throw new InvalidOperationException("destination down"), maxBacklog: 10);
        for (var i = 0; i < 35; i += 5)
        {
            await sink.AddAsync([.. Enumerable.Range(i, 5).Select(Bar)]);
        }
        await sink.FlushAsync(force: true);
        Assert.Equal((10, 25L), (sink.Pending, sink.Spooled));

        await sink.SpillAsync();
        Assert.Equal((0, 35L), (sink.Pending, sink.Spooled));

        var written = new List<int>();
        var next = await OpenSinkAsync(rows => written.AddRange(rows.Select(Index)), maxBacklog: 10);
        Assert.Equal(35L, next.Spooled);
        await next.FlushAsync(force: true);
        Assert.Equal(Enumerable.Range(0, 35), written);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public async Task Before_an_acknowledgement_rows_are_written_or_on_disk_never_only_in_memory()
    {
        var down = false;
        var written = new List<int>();
        var sink = await OpenSinkAsync(rows =>
        {
            if (down) throw new InvalidOperationException("destination down");
            written.AddRange(rows.Select(Index));
        }, maxBacklog: 100);

        await sink.AddAsync([.. Enumerable.Range(0, 3).Select(Bar)]);
        await sink.WriteOrSpoolAsync();
        Assert.Equal([0, 1, 2], written);
        Assert.Equal((0, 0L), (sink.Pending, sink.Spooled));

        down = true;
        await sink.AddAsync([.. Enumerable.Range(3, 4).Select(Bar)]);
        await sink.WriteOrSpoolAsync(); // tries once, fails, spools
        await sink.AddAsync([.. Enumerable.Range(7, 2).Select(Bar)]);
        await sink.WriteOrSpoolAsync(); // failing: straight to the spool behind the others
        Assert.Equal((0, 6L, "destination down"), (sink.Pending, sink.Spooled, sink.Status().LastError));
        Assert.Equal([0, 1, 2], written);

        // A process killed now loses nothing: the next activation finds every unacknowledged-but-taken row on disk.
        var reopened = await DiskSpool<PolygonAggregate>.OpenAsync(_directory, 10, NullLogger.Instance);
        Assert.Equal(Enumerable.Range(3, 6), (await reopened.PeekAsync(100)).Select(Index));

        down = false;
        await sink.FlushAsync(force: true);
        Assert.Equal(Enumerable.Range(0, 9), written);
        Assert.Equal((0, 0L), (sink.Pending, sink.Spooled));
    }

    private async Task<BatchingSink<PolygonAggregate>> OpenSinkAsync(Action<IReadOnlyList<PolygonAggregate>> write, int maxBacklog)
    {
        var options = new StorageOptions { BatchSize = 5, MaxBacklog = maxBacklog, SpoolSegmentRows = 10, RetryAttempts = 1 };
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return await BatchingSink<PolygonAggregate>.OpenAsync("test", "spool-test", (rows, _) =>
        {
            write(rows);
            return Task.CompletedTask;
        }, _directory, options, new IngestionMetrics(meters), pressure: null, TimeProvider.System, NullLogger.Instance);
    }
}
