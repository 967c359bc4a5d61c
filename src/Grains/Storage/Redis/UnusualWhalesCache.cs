using System.Globalization;
using Ingestion.Events;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ingestion.Storage.Redis;

/// <summary>
/// Writes Unusual Whales events to Redis (design §5, seed 000 §7) in one pipeline per batch:
/// latest-state hashes that only move forward in event time, capped streams
/// (<c>uw:flow_alerts</c>, <c>uw:option_trades:&lt;T&gt;</c>, <c>MAXLEN ~</c>), the current 1-minute bar
/// per ticker, and <c>uw:news</c> pub/sub. Stream appends and news publishes happen once per event
/// id (a two-day marker key), so a redelivered batch adds nothing.
/// </summary>
public sealed class UnusualWhalesCache(IConnectionMultiplexer redis, IOptions<StorageOptions> options)
{
    private static readonly TimeSpan SeenFor = TimeSpan.FromDays(2);

    /// <summary>KEYS[1] hash; ARGV[1] event time (ms); ARGV[2..] field/value pairs. Sets only if not older than what is there.</summary>
    private const string SetIfNewer = """
        local current = redis.call('HGET', KEYS[1], 'ts')
        if current and tonumber(current) > tonumber(ARGV[1]) then return 0 end
        redis.call('HSET', KEYS[1], 'ts', ARGV[1], unpack(ARGV, 2))
        return 1
        """;

    /// <summary>KEYS[1] seen marker, KEYS[2] stream; ARGV[1] marker ttl (s), ARGV[2] max length, ARGV[3..] fields.</summary>
    private const string AppendOnce = """
        if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
        return 1
        """;

    /// <summary>KEYS[1] seen marker; ARGV[1] ttl (s), ARGV[2] channel, ARGV[3] message.</summary>
    private const string PublishOnce = """
        if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
        """;

    /// <summary>KEYS[1] bar hash; ARGV[1] minute start (ms), ARGV[2] tick time (ms), ARGV[3] price. A new minute starts a new bar; an older minute is ignored.</summary>
    private const string UpdateBar = """
        local start = tonumber(ARGV[1])
        local current = tonumber(redis.call('HGET', KEYS[1], 'bar_start') or '-1')
        if start < current then return 0 end
        local price = ARGV[3]
        if start > current then
          redis.call('HSET', KEYS[1], 'bar_start', ARGV[1], 'o', price, 'h', price, 'l', price, 'c', price, 'last_ts', ARGV[2], 'ticks', 1)
          return 1
        end
        if tonumber(price) > tonumber(redis.call('HGET', KEYS[1], 'h')) then redis.call('HSET', KEYS[1], 'h', price) end
        if tonumber(price) < tonumber(redis.call('HGET', KEYS[1], 'l')) then redis.call('HSET', KEYS[1], 'l', price) end
        if tonumber(ARGV[2]) >= tonumber(redis.call('HGET', KEYS[1], 'last_ts')) then redis.call('HSET', KEYS[1], 'c', price, 'last_ts', ARGV[2]) end
        redis.call('HINCRBY', KEYS[1], 'ticks', 1)
        return 1
        """;

    public const string NewsChannel = "uw:news";

    public const string FlowAlertStream = "uw:flow_alerts";

    public static string LatestFlowAlertKey(string ticker) => $"latest:uw:flow_alert:{ticker}";

    public static string OptionTradeStream(string ticker) => $"uw:option_trades:{ticker}";

    public static string LatestGexKey(string ticker) => $"latest:uw:gex:{ticker}";

    public static string LatestGexStrikeKey(string ticker, decimal strike) => $"latest:uw:gex_strike:{ticker}:{Text(strike)}";

    public static string LatestGexStrikeExpiryKey(string ticker, DateOnly expiry) => $"latest:uw:gex_strike_expiry:{ticker}:{expiry:yyyy-MM-dd}";

    public static string LatestPriceKey(string ticker) => $"latest:uw:price:{ticker}";

    public static string PriceBarKey(string ticker) => $"uw:price_bar_1m:{ticker}";

    public async Task<int> WriteAsync(IReadOnlyList<UwEvent> events, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var ttl = (long)SeenFor.TotalSeconds;
        var maxLength = options.Value.RedisStreamMaxLength;
        var writes = new List<Task<RedisResult>>(events.Count * 2);
        foreach (var item in events)
        {
            var ms = item.EventTime.ToUnixTimeMilliseconds();
            switch (item)
            {
                case UwFlowAlert alert:
                    writes.Add(Newer(db, LatestFlowAlertKey(alert.Ticker), ms, ("alert_id", alert.AlertId), ("option_chain", alert.OptionChain),
                        ("rule_name", alert.RuleName), ("total_premium", Text(alert.TotalPremium)), ("payload", alert.Ingress.RawJson)));
                    writes.Add(db.ScriptEvaluateAsync(AppendOnce, [$"uw:seen:flow_alert:{alert.AlertId}", FlowAlertStream],
                        [ttl, maxLength, "alert_id", alert.AlertId, "ticker", alert.Ticker, "ts", ms, "payload", alert.Ingress.RawJson]));
                    break;
                case UwOptionTrade trade:
                    writes.Add(db.ScriptEvaluateAsync(AppendOnce, [$"uw:seen:option_trade:{trade.TradeId}", OptionTradeStream(trade.Ticker)],
                        [ttl, maxLength, "trade_id", trade.TradeId, "option_symbol", trade.OptionSymbol, "ts", ms, "price", Text(trade.Price),
                         "size", trade.Size, "premium", Text(trade.Premium), "side", trade.Side ?? "", "option_type", trade.OptionType]));
                    break;
                case UwGexSnapshot gex:
                    writes.Add(Newer(db, LatestGexKey(gex.Ticker), ms, ("price", Text(gex.Price)), ("gamma_oi", Text(gex.GammaPerOnePercentOi)),
                        ("gamma_vol", Text(gex.GammaPerOnePercentVolume)), ("gamma_dir", Text(gex.GammaPerOnePercentDirectional)), ("payload", gex.Ingress.RawJson)));
                    break;
                case UwGexStrike { Expiry: null } strike:
                    writes.Add(Newer(db, LatestGexStrikeKey(strike.Ticker, strike.Strike), ms, ("strike", Text(strike.Strike)), ("price", Text(strike.Price)),
                        ("call_gamma_oi", Text(strike.CallGammaOi)), ("put_gamma_oi", Text(strike.PutGammaOi)), ("payload", strike.Ingress.RawJson)));
                    break;
                case UwGexStrike { Expiry: { } expiry } strike:
                    // One hash per expiry: a field per strike holding that strike's latest row.
                    writes.Add(Newer(db, LatestGexStrikeExpiryKey(strike.Ticker, expiry), ms, ($"strike:{Text(strike.Strike)}", strike.Ingress.RawJson)));
                    break;
                case UwPriceTick tick:
                    writes.Add(Newer(db, LatestPriceKey(tick.Ticker), ms, ("close", Text(tick.Close)), ("vol", tick.CumulativeVolume?.ToString(CultureInfo.InvariantCulture) ?? "")));
                    writes.Add(db.ScriptEvaluateAsync(UpdateBar, [PriceBarKey(tick.Ticker)], [ms - ms % 60_000, ms, Text(tick.Close)]));
                    break;
                case UwNewsHeadline news:
                    writes.Add(db.ScriptEvaluateAsync(PublishOnce, [$"uw:seen:news:{news.HeadlineId}"], [ttl, NewsChannel, news.Ingress.RawJson]));
                    break;
            }
        }
        var results = await Task.WhenAll(writes).WaitAsync(cancellationToken);
        return results.Count(r => (long)r == 1);
    }

    private static Task<RedisResult> Newer(IDatabase db, string key, long ms, params (string Field, string Value)[] fields) =>
        db.ScriptEvaluateAsync(SetIfNewer, [key], [ms, .. fields.SelectMany(f => new RedisValue[] { f.Field, f.Value })]);

    private static string Text(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
