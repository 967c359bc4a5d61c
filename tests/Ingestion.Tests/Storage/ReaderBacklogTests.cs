using Ingestion.Events;
using Ingestion.Sources.Feeds;
using Ingestion.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Tests.Storage;

/// <summary>A socket reader's backlog: memory up to its limit, then disk, always in the order frames were read; no servers.</summary>
public sealed class ReaderBacklogTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ingestion-readers-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    /// <summary>A frame of <paramref name="count"/> bars numbered from <paramref name="first"/>.</summary>
    private static ReadFrame<PolygonAggregate> Frame(int first, int count) => new(
        [.. Enumerable.Range(first, count).Select(i => new PolygonAggregate(
            "RBK", PolygonMarket.Stocks, AggregateTimespan.Second, Start.AddSeconds(i), Start.AddSeconds(i + 1),
            1m, 1m, 1m, 1m, i, null, null, null, null, null, false, new IngressStamp("polygon", Start, "{}", [])))],
        [], count * 100);

    private static async Task<List<int>> DrainAsync(ReaderBacklog<PolygonAggregate> backlog)
    {
        var seen = new List<int>();
        while (await backlog.TakeAsync(maxEvents: 7, maxBytes: 1 << 20) is { Count: > 0 } frames)
        {
            seen.AddRange(frames.SelectMany(f => f.Events).Select(e => (int)e.Volume!.Value));
        }
        return seen;
    }

    [Fact]
    public async Task Frames_beyond_the_memory_limit_wait_on_disk_and_come_back_in_reading_order()
    {
        var backlog = await ReaderBacklog<PolygonAggregate>.OpenAsync(_root, "polygon/stocks/0", Guid.NewGuid(), memoryLimit: 10, NullLogger.Instance);
        for (var i = 0; i < 100; i += 5)
        {
            backlog.Add(Frame(i, 5));
        }
        await Eventually.TrueAsync(() => backlog.OnDisk == 90, "the spill task to write everything beyond the limit");
        Assert.Equal(10, backlog.InMemory);

        Assert.Equal(Enumerable.Range(0, 100), await DrainAsync(backlog));
        Assert.Equal((0, 0L), (backlog.InMemory, backlog.OnDisk));

        // Caught up: new frames go to memory again.
        backlog.Add(Frame(100, 5));
        Assert.Equal((5, 0L), (backlog.InMemory, backlog.OnDisk));
        Assert.Equal(Enumerable.Range(100, 5), await DrainAsync(backlog));
        await backlog.DisposeAsync();
        Assert.Empty(Directory.GetDirectories(Path.Combine(_root, "polygon_stocks_0")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Frames_an_activation_stopped_with_are_adopted_first_by_the_next_one(bool spilledBeforeStop)
    {
        var first = await ReaderBacklog<PolygonAggregate>.OpenAsync(_root, "uw/trades", Guid.NewGuid(), memoryLimit: 10, NullLogger.Instance);
        for (var i = 0; i < 30; i += 5)
        {
            first.Add(Frame(i, 5));
        }
        if (spilledBeforeStop)
        {
            // Frames 10-29 already on disk, 0-9 still in memory: at the stop the older memory frames go ahead of them.
            await Eventually.TrueAsync(() => first.OnDisk == 20, "the spill task to write the frames beyond the limit");
        }
        await first.DisposeAsync();

        var next = await ReaderBacklog<PolygonAggregate>.OpenAsync(_root, "uw/trades", Guid.NewGuid(), memoryLimit: 10, NullLogger.Instance);
        Assert.Equal(30L, next.OnDisk);
        next.Add(Frame(30, 5));
        Assert.Equal(Enumerable.Range(0, 35), await DrainAsync(next));
        await next.DisposeAsync();
        Assert.Empty(Directory.GetDirectories(Path.Combine(_root, "uw_trades")));
    }
}
