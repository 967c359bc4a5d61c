using System.Globalization;
using Ingestion.Events;
using Ingestion.Sources.Polygon;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ingestion.Storage.Redis;

/// <summary>
/// Writes aggregates to Redis with pipelined commands:
/// <c>latest:polygon:agg:&lt;symbol&gt;</c>, a hash that only ever moves forward in time, and
/// <c>polygon:aggs:&lt;symbol&gt;</c>, a stream capped with <c>MAXLEN ~</c>. Stream entry ids are
/// the window start (ms) and the timespan, so a repeated event is refused by Redis instead of
/// being added twice.
/// </summary>
public sealed class PolygonAggregateCache(IConnectionMultiplexer redis, IOptions<StorageOptions> options)
{
    /// <summary>Sets the hash only if it is empty or holds an older window start.</summary>
    private static readonly LuaScript SetIfNewer = LuaScript.Prepare("""
        local current = redis.call('HGET', @key, 's')
        if current and tonumber(current) > tonumber(@start) then return 0 end
        redis.call('HSET', @key, 'sym', @sym, 'timespan', @timespan, 's', @start, 'e', @end, 'o', @o, 'h', @h, 'l', @l, 'c', @c,
            'v', @v, 'vw', @vw, 'av', @av, 'a', @a, 'op', @op, 'received_at', @received)
        return 1
        """);

    public static string LatestKey(string symbol) => $"latest:polygon:agg:{symbol}";

    public static string StreamKey(string symbol) => $"polygon:aggs:{symbol}";

    /// <summary>Returns how many stream entries were new.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<PolygonAggregate> rows, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var maxLength = options.Value.RedisStreamMaxLength;
        var appends = new List<Task<RedisValue>>(rows.Count);
        foreach (var row in rows)
        {
            appends.Add(db.StreamAddAsync(StreamKey(row.Symbol), Fields(row), EntryId(row), maxLength, useApproximateMaxLength: true));
        }
        var latest = new List<Task<RedisResult>>();
        foreach (var row in rows.GroupBy(r => r.Symbol).Select(g => g.MaxBy(r => r.StartTime)!))
        {
            latest.Add(db.ScriptEvaluateAsync(SetIfNewer, new
            {
                key = (RedisKey)LatestKey(row.Symbol),
                sym = row.Symbol,
                timespan = PolygonNames.Of(row.Timespan),
                start = row.StartTime.ToUnixTimeMilliseconds(),
                end = row.EndTime.ToUnixTimeMilliseconds(),
                o = Text(row.Open), h = Text(row.High), l = Text(row.Low), c = Text(row.Close),
                v = Text(row.Volume), vw = Text(row.Vwap), av = Text(row.AccumulatedVolume), a = Text(row.DayVwap), op = Text(row.OfficialOpen),
                received = row.Ingress.ReceivedAt.ToString("O", CultureInfo.InvariantCulture),
            }));
        }

        var added = 0;
        foreach (var append in appends)
        {
            try
            {
                await append.WaitAsync(cancellationToken);
                added++;
            }
            catch (RedisServerException ex) when (ex.Message.Contains("equal or smaller", StringComparison.Ordinal))
            {
                // Already there (a redelivery) or older than the newest entry: the hash and PostgreSQL still hold it.
            }
        }
        await Task.WhenAll(latest).WaitAsync(cancellationToken);
        return added;
    }

    private static RedisValue EntryId(PolygonAggregate row) =>
        $"{row.StartTime.ToUnixTimeMilliseconds()}-{(row.Timespan == AggregateTimespan.Second ? 1 : 2)}";

    private static NameValueEntry[] Fields(PolygonAggregate row) =>
    [
        new("timespan", PolygonNames.Of(row.Timespan)),
        new("s", row.StartTime.ToUnixTimeMilliseconds()),
        new("e", row.EndTime.ToUnixTimeMilliseconds()),
        new("o", Text(row.Open)),
        new("h", Text(row.High)),
        new("l", Text(row.Low)),
        new("c", Text(row.Close)),
        new("v", Text(row.Volume)),
        new("vw", Text(row.Vwap)),
        new("received_at", row.Ingress.ReceivedAt.ToString("O", CultureInfo.InvariantCulture)),
    ];

    private static string Text(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
