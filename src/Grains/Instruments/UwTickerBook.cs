using System.Collections.Immutable;
using Ingestion.Events;

namespace Ingestion.Instruments;

/// <summary>
/// The Unusual Whales view of one underlying, kept apart from the grain so it can be tested exactly.
/// <list type="bullet">
/// <item>Last price and cumulative volume from <c>price:&lt;T&gt;</c> ticks, and 1-minute OHLC bars built from
/// them: the current bar plus the last <see cref="CompletedBarsKept"/> completed bars. A tick for an older
/// minute updates that bar if it is still held, otherwise it is ignored and counted.</item>
/// <item>Rolling option flow over 1, 5, 15 and 60 minutes of event time, calls and puts apart, kept in
/// per-second buckets (at most <see cref="WindowSeconds"/>). The windows end at the latest trade's second
/// <c>T</c>; a window of N minutes holds the seconds <c>s</c> with <c>T − 60·N &lt; s ≤ T</c>, so a trade
/// exactly 60 s older than the latest is no longer in the 1-minute window.</item>
/// <item>The latest GEX snapshot, the latest exposure per strike (and per expiry and strike), and the last
/// <see cref="AlertsKept"/> flow alerts, newest first, one per alert id.</item>
/// </list>
/// Bars and flow restart at each New York trading day; ticks and trades of an earlier day are ignored.
/// Trades are deduplicated by trade id over the last <see cref="TradeIdsKept"/> ids.
/// </summary>
[GenerateSerializer, Alias("ingestion.uw-ticker-book")]
public sealed class UwTickerBook
{
    public const int CompletedBarsKept = 60;
    public const int WindowSeconds = 3600;
    public const int AlertsKept = 20;
    public const int TradeIdsKept = 50_000;
    public const int StrikesKept = 1_000;
    public const int ExpiryStrikesKept = 4_000;

    /// <summary>The rolling windows, in minutes, in the order snapshots list them.</summary>
    public static readonly ImmutableArray<int> WindowMinutes = [1, 5, 15, 60];

    [Id(0)] private DateOnly? _day;
    [Id(1)] private decimal? _lastPrice;
    [Id(2)] private DateTimeOffset? _lastPriceTime;
    [Id(3)] private long? _cumulativeVolume;
    [Id(4)] private readonly List<MinuteBar> _bars = [];
    [Id(5)] private long _lateTicks;
    [Id(6)] private long? _flowAsOf;
    [Id(7)] private readonly Dictionary<long, FlowSecond> _seconds = [];
    [Id(8)] private UwGexSnapshot? _gex;
    [Id(9)] private readonly Dictionary<decimal, GexStrikeLevel> _strikes = [];
    [Id(10)] private readonly Dictionary<(DateOnly Expiry, decimal Strike), GexStrikeLevel> _expiryStrikes = [];
    [Id(11)] private readonly List<UwFlowAlert> _alerts = [];
    [Id(12)] private RecentIds _tradeIds = new(TradeIdsKept);
    [Id(13)] private long _tradesSeen;
    [Id(14)] private long _duplicates;
    [Id(15)] private DateTimeOffset? _lastReceivedAt;

    /// <summary>Applies one event of the ticker's stream; false if it changed nothing (unknown kind, repeated or older alert or GEX).</summary>
    public bool Apply(UwEvent e)
    {
        var changed = e switch
        {
            UwPriceTick tick => ApplyPrice(tick),
            UwOptionTrade trade => ApplyTrade(trade),
            UwGexSnapshot gex => ApplyGex(gex),
            UwGexStrike strike => ApplyStrike(strike),
            UwFlowAlert alert => ApplyAlert(alert),
            _ => false,
        };
        if (changed)
        {
            _lastReceivedAt = e.Ingress.ReceivedAt;
        }
        return changed;
    }

    /// <summary>Moves to the event's trading day; false if the event belongs to an earlier day than the current one.</summary>
    private bool EnterDay(DateTimeOffset time)
    {
        var day = TradingDay.Of(time);
        if (_day is { } current && day <= current)
        {
            return day == current;
        }
        _day = day;
        _bars.Clear();
        _seconds.Clear();
        _flowAsOf = null;
        _cumulativeVolume = null;
        return true;
    }

    private bool ApplyPrice(UwPriceTick tick)
    {
        if (!EnterDay(tick.EventTime))
        {
            _lateTicks++;
            return true;
        }
        if (_lastPriceTime is null || tick.EventTime >= _lastPriceTime)
        {
            _lastPrice = tick.Close;
            _lastPriceTime = tick.EventTime;
            _cumulativeVolume = tick.CumulativeVolume ?? _cumulativeVolume;
        }

        var minute = new DateTimeOffset(tick.EventTime.UtcTicks - tick.EventTime.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        if (_bars.Count == 0 || minute > _bars[^1].Start)
        {
            _bars.Add(MinuteBar.Begin(minute, tick, baseline: _bars.Count == 0 ? null : _bars[^1].MaxCumulative));
            if (_bars.Count > CompletedBarsKept + 1)
            {
                _bars.RemoveAt(0);
            }
            return true;
        }
        var held = _bars.FindIndex(b => b.Start == minute);
        if (held < 0)
        {
            _lateTicks++;
            return true;
        }
        _bars[held].Add(tick);
        return true;
    }

    private bool ApplyTrade(UwOptionTrade trade)
    {
        if (!_tradeIds.Add(trade.TradeId))
        {
            _duplicates++;
            return true;
        }
        _tradesSeen++;
        var isCall = string.Equals(trade.OptionType, "call", StringComparison.OrdinalIgnoreCase);
        if (!isCall && !string.Equals(trade.OptionType, "put", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (!EnterDay(trade.EventTime))
        {
            return true;
        }
        var second = trade.EventTime.ToUnixTimeSeconds();
        if (_flowAsOf is not { } asOf || second > asOf)
        {
            _flowAsOf = asOf = second;
            var cutoff = asOf - WindowSeconds;
            foreach (var old in _seconds.Keys.Where(s => s <= cutoff).ToList())
            {
                _seconds.Remove(old);
            }
        }
        if (second <= asOf - WindowSeconds)
        {
            return true;   // older than the longest window
        }
        if (!_seconds.TryGetValue(second, out var bucket))
        {
            _seconds[second] = bucket = new FlowSecond();
        }
        (isCall ? bucket.Calls : bucket.Puts).Add(trade.Side, trade.Size, trade.Premium);
        return true;
    }

    private bool ApplyGex(UwGexSnapshot gex)
    {
        if (_gex is not null && gex.EventTime < _gex.EventTime)
        {
            return false;
        }
        _gex = gex;
        return true;
    }

    private bool ApplyStrike(UwGexStrike s)
    {
        var level = new GexStrikeLevel(s.Strike, s.Expiry, s.EventTime, s.Price, s.CallGammaOi, s.PutGammaOi, s.CallGammaVolume, s.PutGammaVolume);
        return s.Expiry is { } expiry
            ? Upsert(_expiryStrikes, (expiry, s.Strike), level, ExpiryStrikesKept)
            : Upsert(_strikes, s.Strike, level, StrikesKept);
    }

    /// <summary>Keeps the newer level per key; beyond <paramref name="capacity"/> keys the least recently updated one goes.</summary>
    private static bool Upsert<TKey>(Dictionary<TKey, GexStrikeLevel> map, TKey key, GexStrikeLevel level, int capacity) where TKey : notnull
    {
        if (map.TryGetValue(key, out var existing) && level.Time < existing.Time)
        {
            return false;
        }
        map[key] = level;
        if (map.Count > capacity)
        {
            map.Remove(map.MinBy(kv => kv.Value.Time).Key);
        }
        return true;
    }

    private bool ApplyAlert(UwFlowAlert alert)
    {
        if (_alerts.Exists(a => a.AlertId == alert.AlertId))
        {
            return false;
        }
        var at = _alerts.FindIndex(a => a.EventTime <= alert.EventTime);
        if (at < 0)
        {
            at = _alerts.Count;
        }
        if (at >= AlertsKept)
        {
            return false;   // older than every alert kept
        }
        _alerts.Insert(at, alert);
        if (_alerts.Count > AlertsKept)
        {
            _alerts.RemoveAt(_alerts.Count - 1);
        }
        return true;
    }

    /// <summary>Flow of the window of <paramref name="minutes"/> minutes ending at the latest trade's second.</summary>
    public FlowWindow Window(int minutes)
    {
        var calls = new FlowSide();
        var puts = new FlowSide();
        if (_flowAsOf is { } asOf)
        {
            foreach (var (second, bucket) in _seconds)
            {
                if (asOf - second < minutes * 60L)
                {
                    calls.Add(bucket.Calls);
                    puts.Add(bucket.Puts);
                }
            }
        }
        return new FlowWindow(minutes, calls.Totals(), puts.Totals());
    }

    public TickerFlowSnapshot Snapshot(string symbol) => new()
    {
        Symbol = symbol,
        Day = _day,
        LastPrice = _lastPrice,
        LastPriceTime = _lastPriceTime,
        CumulativeVolume = _cumulativeVolume,
        CurrentMinute = _bars.Count == 0 ? null : _bars[^1].ToBar(),
        CompletedMinutes = [.. _bars.Take(_bars.Count - 1).Select(b => b.ToBar())],
        LateTicksIgnored = _lateTicks,
        FlowAsOf = _flowAsOf is { } asOf ? DateTimeOffset.FromUnixTimeSeconds(asOf) : null,
        Flow = [.. WindowMinutes.Select(Window)],
        Gex = _gex,
        Strikes = [.. _strikes.Values.OrderBy(l => l.Strike)],
        StrikesByExpiry = [.. _expiryStrikes.Values.OrderBy(l => l.Expiry).ThenBy(l => l.Strike)],
        Alerts = [.. _alerts],
        TradesSeen = _tradesSeen,
        DuplicateTradesIgnored = _duplicates,
        LastReceivedAt = _lastReceivedAt,
    };
}

/// <summary>
/// A minute bar being built from price ticks in any order: open and close are those of the earliest and
/// latest tick by event time. Volume is the rise of the cumulative day volume from the previous bar's
/// highest value when this bar opened (or from this bar's own first value) to this bar's highest value.
/// </summary>
[GenerateSerializer, Alias("ingestion.uw-minute-bar")]
public sealed class MinuteBar
{
    [Id(0)] public DateTimeOffset Start { get; set; }
    [Id(1)] public decimal Open { get; set; }
    [Id(2)] public DateTimeOffset OpenTime { get; set; }
    [Id(3)] public decimal High { get; set; }
    [Id(4)] public decimal Low { get; set; }
    [Id(5)] public decimal Close { get; set; }
    [Id(6)] public DateTimeOffset CloseTime { get; set; }
    [Id(7)] public long? Baseline { get; set; }
    [Id(8)] public long? MinCumulative { get; set; }
    [Id(9)] public long? MaxCumulative { get; set; }

    public static MinuteBar Begin(DateTimeOffset start, UwPriceTick tick, long? baseline) => new()
    {
        Start = start,
        Open = tick.Close,
        OpenTime = tick.EventTime,
        High = tick.Close,
        Low = tick.Close,
        Close = tick.Close,
        CloseTime = tick.EventTime,
        Baseline = baseline,
        MinCumulative = tick.CumulativeVolume,
        MaxCumulative = tick.CumulativeVolume,
    };

    public void Add(UwPriceTick tick)
    {
        if (tick.EventTime < OpenTime)
        {
            Open = tick.Close;
            OpenTime = tick.EventTime;
        }
        if (tick.EventTime >= CloseTime)
        {
            Close = tick.Close;
            CloseTime = tick.EventTime;
        }
        High = Math.Max(High, tick.Close);
        Low = Math.Min(Low, tick.Close);
        if (tick.CumulativeVolume is { } v)
        {
            MinCumulative = MinCumulative is { } min ? Math.Min(min, v) : v;
            MaxCumulative = MaxCumulative is { } max ? Math.Max(max, v) : v;
        }
    }

    public Bar ToBar() => new(Start, Start.AddMinutes(1), Open, High, Low, Close,
        MaxCumulative is { } max ? max - (Baseline ?? MinCumulative ?? max) : 0);
}

/// <summary>One second of option flow of an underlying.</summary>
[GenerateSerializer, Alias("ingestion.uw-flow-second")]
public sealed class FlowSecond
{
    [Id(0)] public FlowSide Calls { get; set; } = new();
    [Id(1)] public FlowSide Puts { get; set; } = new();
}

/// <summary>Premium and volume by side, for calls or for puts.</summary>
[GenerateSerializer, Alias("ingestion.uw-flow-side")]
public sealed class FlowSide
{
    [Id(0)] public decimal AskPremium { get; set; }
    [Id(1)] public decimal BidPremium { get; set; }
    [Id(2)] public decimal TotalPremium { get; set; }
    [Id(3)] public long AskVolume { get; set; }
    [Id(4)] public long BidVolume { get; set; }
    [Id(5)] public long MidVolume { get; set; }
    [Id(6)] public long UntaggedVolume { get; set; }

    /// <summary>Counts a trade at <paramref name="side"/> (<c>ask</c>, <c>bid</c>, <c>mid</c>; anything else is untagged).</summary>
    public void Add(string? side, long size, decimal premium)
    {
        TotalPremium += premium;
        switch (side?.ToLowerInvariant())
        {
            case "ask":
                AskPremium += premium;
                AskVolume += size;
                break;
            case "bid":
                BidPremium += premium;
                BidVolume += size;
                break;
            case "mid":
                MidVolume += size;
                break;
            default:
                UntaggedVolume += size;
                break;
        }
    }

    public void Add(FlowSide other)
    {
        AskPremium += other.AskPremium;
        BidPremium += other.BidPremium;
        TotalPremium += other.TotalPremium;
        AskVolume += other.AskVolume;
        BidVolume += other.BidVolume;
        MidVolume += other.MidVolume;
        UntaggedVolume += other.UntaggedVolume;
    }

    public FlowTotals Totals() => new(AskPremium - BidPremium, AskPremium, BidPremium, TotalPremium, AskVolume, BidVolume, MidVolume, UntaggedVolume);
}
