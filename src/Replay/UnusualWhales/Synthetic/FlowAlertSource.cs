using Ingestion.Replay.Polygon.Synthetic;

namespace Ingestion.Replay.UnusualWhales.Synthetic;

/// <summary>
/// flow-alerts payloads derived from one underlying's tape: every print whose premium reaches
/// <see cref="MinPremium"/> (blocks and most sweeps) becomes one alert that lists its trades' ids.
/// The tape is a private copy built from the same seed, so the ids match those on option_trades.
/// </summary>
internal sealed class FlowAlertSource(OptionTape tape, long startMs, int seed) : IUwEventSource
{
    public const decimal MinPremium = 40_000m;

    private static readonly (string Name, string Id)[] Rules =
    [
        ("RepeatedHits", "e6b9f0b6-fcd9-44fe-9d1c-f53521c152c3"),
        ("RepeatedHitsAscendingFill", "7c1a7b0e-2f0e-4a57-9a8e-52a1b3c1d0aa"),
        ("RepeatedHitsDescendingFill", "5ce5ec11-087c-4c00-b164-08106b015856"),
    ];

    private readonly Random random = new(StableSeed.For(seed, "uw-alerts:" + tape.Ticker));

    public UwEvent Next()
    {
        while (true)
        {
            var print = Alerted(tape.NextPrint());
            var last = print.Trades[^1];
            if (print.Trades[0].ExecutedAtMs < startMs || print.Trades.Sum(t => t.Premium) < MinPremium) continue;
            var rule = print.IsSweep ? Rules[random.Next(1, Rules.Length)] : Rules[0];
            return new UwEvent(last.ExecutedAtMs, Encode(print, rule.Name, rule.Id, UwFormat.Uuid(random)));
        }
    }

    /// <summary>An alert is about one contract: a multi-leg print contributes its first leg, flagged has_multileg.</summary>
    private static OptionPrint Alerted(OptionPrint print) =>
        print.IsMultiLeg ? print with { Trades = [.. print.Trades.Where(t => t.OptionSymbol == print.Trades[0].OptionSymbol)] } : print;

    /// <summary>
    /// Numbers: underlying_price, price, total premiums, volume_oi_ratio. Integers: sizes, counts, *_vol.
    /// Epoch ms: start_time, end_time, executed_at. Strings: ids, names, bid, ask.
    /// </summary>
    private static byte[] Encode(OptionPrint print, string ruleName, string ruleId, string id)
    {
        var first = print.Trades[0];
        var last = print.Trades[^1];
        var premium = print.Trades.Sum(t => t.Premium);
        var askPremium = print.Trades.Where(t => t.Side == TradeSide.Ask).Sum(t => t.Premium);
        var bidPremium = print.Trades.Where(t => t.Side == TradeSide.Bid).Sum(t => t.Premium);
        var totalSize = print.Trades.Sum(t => t.Size);
        return UwJson.Object(w =>
        {
            w.WriteString("rule_id", ruleId);
            w.WriteString("rule_name", ruleName);
            w.WriteString("ticker", first.Ticker);
            w.WriteString("option_chain", first.OptionSymbol);
            w.WriteNumber("underlying_price", first.UnderlyingPrice);
            w.WriteNumber("volume", last.Day.Volume);
            w.WriteNumber("total_size", totalSize);
            w.WriteNumber("total_premium", premium);
            w.WriteNumber("total_ask_side_prem", askPremium);
            w.WriteNumber("total_bid_side_prem", bidPremium);
            w.WriteNumber("start_time", first.ExecutedAtMs);
            w.WriteNumber("end_time", last.ExecutedAtMs);
            w.WriteString("url", "");
            w.WriteNumber("price", last.Price);
            w.WriteBoolean("has_multileg", print.IsMultiLeg);
            w.WriteBoolean("has_sweep", print.IsSweep);
            w.WriteBoolean("has_floor", false);
            w.WriteNumber("open_interest", last.Day.OpenInterest);
            w.WriteBoolean("all_opening_trades", totalSize > last.Day.OpenInterest);
            w.WriteString("id", id);
            w.WriteBoolean("has_singleleg", !print.IsMultiLeg);
            w.WriteNumber("volume_oi_ratio", Math.Round((decimal)last.Day.Volume / last.Day.OpenInterest, 4));
            w.WriteStartArray("trade_ids");
            foreach (var trade in print.Trades) w.WriteStringValue(trade.Id);
            w.WriteEndArray();
            w.WriteNumber("trade_count", print.Trades.Count);
            w.WriteNumber("expiry_count", print.Trades.Select(t => t.Expiry).Distinct().Count());
            w.WriteNumber("executed_at", last.ExecutedAtMs);
            w.WriteNumber("ask_vol", last.Day.AskVol);
            w.WriteNumber("bid_vol", last.Day.BidVol);
            w.WriteNumber("no_side_vol", last.Day.NoSideVol);
            w.WriteNumber("mid_vol", last.Day.MidVol);
            w.WriteNumber("multi_vol", last.Day.MultiVol);
            w.WriteNumber("stock_multi_vol", last.Day.StockMultiVol);
            w.WriteStartArray("upstream_condition_details");
            foreach (var code in print.Trades.Select(t => t.TradeCode).Distinct()) w.WriteStringValue(code);
            w.WriteEndArray();
            w.WriteStartArray("exchanges");
            foreach (var exchange in print.Trades.Select(t => t.Exchange).Distinct()) w.WriteStringValue(exchange);
            w.WriteEndArray();
            w.WriteString("bid", UwFormat.Cents(last.Bid));
            w.WriteString("ask", UwFormat.Cents(last.Ask));
        });
    }
}
