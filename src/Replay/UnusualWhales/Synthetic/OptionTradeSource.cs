namespace Ingestion.Replay.UnusualWhales.Synthetic;

/// <summary>The option_trades payloads of one underlying's tape, from <c>startMs</c> on (protocols.md §1.1).</summary>
internal sealed class OptionTradeSource(OptionTape tape, long startMs) : IUwEventSource
{
    private readonly Queue<OptionTrade> pending = new();

    public UwEvent Next()
    {
        while (pending.Count == 0)
        {
            foreach (var trade in tape.NextPrint().Trades.Where(t => t.ExecutedAtMs >= startMs)) pending.Enqueue(trade);
        }
        var next = pending.Dequeue();
        return new UwEvent(next.ExecutedAtMs, Encode(next));
    }

    /// <summary>
    /// Strings: prices, strike, premium, nbbo, ewma, underlying price, greeks, iv, theo, expiry, option_type,
    /// trade_code, exchange. Integers: size, volume, open interest, *_vol. Epoch ms: executed_at, created_at.
    /// </summary>
    public static byte[] Encode(OptionTrade t) => UwJson.Object(w =>
    {
        w.WriteString("id", t.Id);
        w.WriteString("underlying_symbol", t.Ticker);
        w.WriteNumber("executed_at", t.ExecutedAtMs);
        w.WriteString("nbbo_bid", UwFormat.Cents(t.Bid));
        w.WriteString("nbbo_ask", UwFormat.Cents(t.Ask));
        w.WriteNumber("size", t.Size);
        w.WriteString("price", UwFormat.Cents(t.Price));
        w.WriteString("option_symbol", t.OptionSymbol);
        w.WriteNumber("created_at", t.CreatedAtMs);
        w.WriteStartArray("report_flags");
        w.WriteEndArray();
        w.WriteStartArray("tags");
        foreach (var tag in Tags(t)) w.WriteStringValue(tag);
        w.WriteEndArray();
        w.WriteString("expiry", UwFormat.Date(t.Expiry));
        w.WriteString("option_type", t.IsCall ? "call" : "put");
        w.WriteNumber("open_interest", t.Day.OpenInterest);
        w.WriteString("strike", UwFormat.Strike(t.Strike));
        w.WriteString("premium", UwFormat.Cents(t.Premium));
        w.WriteNumber("volume", t.Day.Volume);
        w.WriteString("underlying_price", UwFormat.Cents(t.UnderlyingPrice));
        w.WriteString("ewma_nbbo_ask", UwFormat.Cents(t.Ask));
        w.WriteString("ewma_nbbo_bid", UwFormat.Cents(t.Bid));
        w.WriteString("implied_volatility", UwFormat.Full(t.ImpliedVolatility));
        w.WriteString("delta", UwFormat.Full(t.Greeks.Delta));
        w.WriteString("theta", UwFormat.Full(t.Greeks.Theta));
        w.WriteString("gamma", UwFormat.Full(t.Greeks.Gamma));
        w.WriteString("vega", UwFormat.Full(t.Greeks.Vega));
        w.WriteString("rho", UwFormat.Full(t.Greeks.Rho));
        w.WriteString("theo", UwFormat.Full(t.Greeks.Theo));
        w.WriteString("trade_code", t.TradeCode);
        w.WriteString("exchange", t.Exchange);
        w.WriteNumber("ask_vol", t.Day.AskVol);
        w.WriteNumber("bid_vol", t.Day.BidVol);
        w.WriteNumber("no_side_vol", t.Day.NoSideVol);
        w.WriteNumber("mid_vol", t.Day.MidVol);
        w.WriteNumber("multi_vol", t.Day.MultiVol);
        w.WriteNumber("stock_multi_vol", t.Day.StockMultiVol);
    });

    /// <summary>bid_side|ask_side|mid_side, then bullish|bearish|neutral from side and type, then etf.</summary>
    public static IEnumerable<string> Tags(OptionTrade t)
    {
        yield return t.Side switch
        {
            TradeSide.Ask => "ask_side",
            TradeSide.Bid => "bid_side",
            _ => "mid_side",
        };
        yield return (t.Side, t.IsCall) switch
        {
            (TradeSide.Mid, _) => "neutral",
            (TradeSide.Ask, true) or (TradeSide.Bid, false) => "bullish",
            _ => "bearish",
        };
        if (t.IsEtf) yield return "etf";
    }
}
