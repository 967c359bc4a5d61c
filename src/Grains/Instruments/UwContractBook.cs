using Ingestion.Events;

namespace Ingestion.Instruments;

/// <summary>
/// The Unusual Whales view of one option contract: the latest trade by event time and the NBBO and
/// greeks sent with it, and the day's volume, premium and trade count over distinct trade ids
/// (the last <see cref="TradeIdsKept"/> are remembered), restarting at each New York trading day.
/// Trades of an earlier day than the current one are ignored and counted.
/// </summary>
[GenerateSerializer, Alias("ingestion.uw-contract-book")]
public sealed class UwContractBook
{
    public const int TradeIdsKept = 10_000;

    [Id(0)] private RecentIds _tradeIds = new(TradeIdsKept);
    [Id(1)] private ContractTrade? _last;
    [Id(2)] private Nbbo? _nbbo;
    [Id(3)] private DateOnly? _day;
    [Id(4)] private long _dayVolume;
    [Id(5)] private decimal _dayPremium;
    [Id(6)] private long _dayTrades;
    [Id(7)] private OptionGreeks? _greeks;
    [Id(8)] private long _duplicates;
    [Id(9)] private long _stale;
    [Id(10)] private DateTimeOffset? _lastReceivedAt;

    /// <summary>Applies an option trade; false for any other event kind.</summary>
    public bool Apply(UwEvent e)
    {
        if (e is not UwOptionTrade trade)
        {
            return false;
        }
        _lastReceivedAt = trade.Ingress.ReceivedAt;
        if (!_tradeIds.Add(trade.TradeId))
        {
            _duplicates++;
            return true;
        }
        var day = TradingDay.Of(trade.EventTime);
        if (_day is { } current && day < current)
        {
            _stale++;
            return true;
        }
        if (day != _day)
        {
            _day = day;
            _dayVolume = 0;
            _dayPremium = 0;
            _dayTrades = 0;
        }
        _dayVolume += trade.Size;
        _dayPremium += trade.Premium;
        _dayTrades++;

        if (_last is null || trade.EventTime >= _last.Time)
        {
            _last = new ContractTrade(trade.TradeId, trade.EventTime, trade.Price, trade.Size, trade.Premium, trade.Side);
            if (trade.NbboBid is not null || trade.NbboAsk is not null)
            {
                _nbbo = new Nbbo(trade.NbboBid, trade.NbboAsk, trade.EventTime);
            }
        }
        var carriesGreeks = trade.ImpliedVolatility is not null || trade.Delta is not null || trade.Gamma is not null
            || trade.Theta is not null || trade.Vega is not null || trade.UnderlyingPrice is not null;
        if (carriesGreeks && (_greeks is null || trade.EventTime >= _greeks.Time))
        {
            _greeks = new OptionGreeks(trade.EventTime, trade.ImpliedVolatility, trade.Delta, trade.Gamma, trade.Theta, trade.Vega, trade.UnderlyingPrice);
        }
        return true;
    }

    public ContractTradeSnapshot Snapshot(string contract) => new()
    {
        Contract = contract,
        LastTrade = _last,
        Nbbo = _nbbo,
        Day = _day,
        DayVolume = _dayVolume,
        DayPremium = _dayPremium,
        DayTrades = _dayTrades,
        Greeks = _greeks,
        DuplicateTradesIgnored = _duplicates,
        StaleTradesIgnored = _stale,
        LastReceivedAt = _lastReceivedAt,
    };
}
