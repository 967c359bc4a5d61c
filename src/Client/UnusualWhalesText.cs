using System.Globalization;
using System.Text;
using Ingestion.Instruments;

namespace Ingestion.Client;

/// <summary>Readable text for the CLI's <c>flow</c> and <c>trades</c> commands.</summary>
public static class UnusualWhalesText
{
    private static readonly CultureInfo Us = CultureInfo.InvariantCulture;

    public static string Describe(TickerFlowSnapshot s)
    {
        var text = new StringBuilder();
        text.AppendLine(Us, $"{s.Symbol}  day {s.Day?.ToString("yyyy-MM-dd", Us) ?? "-"}  last {Num(s.LastPrice)} at {Time(s.LastPriceTime)}  cum volume {s.CumulativeVolume?.ToString("N0", Us) ?? "-"}");
        if (s.CurrentMinute is { } bar)
        {
            text.AppendLine(Us, $"minute {bar.Start:HH:mm}Z  O {bar.Open} H {bar.High} L {bar.Low} C {bar.Close} V {bar.Volume:N0}   ({s.CompletedMinutes.Length} completed bars held, {s.LateTicksIgnored} late ticks ignored)");
        }
        text.AppendLine(Us, $"flow as of {Time(s.FlowAsOf)}  ({s.TradesSeen:N0} trades, {s.DuplicateTradesIgnored:N0} duplicates ignored)");
        text.AppendLine("  window  side   net premium    ask premium    bid premium   ask vol   bid vol   mid vol  untagged");
        foreach (var w in s.Flow)
        {
            Row(text, w.Minutes, "calls", w.Calls);
            Row(text, w.Minutes, "puts", w.Puts);
        }
        if (s.Gex is { } gex)
        {
            text.AppendLine(Us, $"GEX at {Time(gex.EventTime)}: price {Num(gex.Price)}  gamma/1% OI {Num(gex.GammaPerOnePercentOi)}  volume {Num(gex.GammaPerOnePercentVolume)}  directional {Num(gex.GammaPerOnePercentDirectional)}");
        }
        if (!s.Strikes.IsEmpty)
        {
            text.AppendLine(Us, $"strikes ({s.Strikes.Length}):  strike  call gamma OI  put gamma OI");
            foreach (var l in s.Strikes)
            {
                text.AppendLine(Us, $"  {l.Strike,10}  {Num(l.CallGammaOi),14}  {Num(l.PutGammaOi),14}");
            }
        }
        if (!s.StrikesByExpiry.IsEmpty)
        {
            text.AppendLine(Us, $"strikes by expiry: {s.StrikesByExpiry.Length} levels over {s.StrikesByExpiry.Select(l => l.Expiry).Distinct().Count()} expiries");
        }
        text.AppendLine(Us, $"alerts ({s.Alerts.Length}), newest first:");
        foreach (var a in s.Alerts)
        {
            text.AppendLine(Us, $"  {Time(a.EventTime)}  {a.OptionChain,-22} {a.RuleName,-24} premium {a.TotalPremium:N2}{(a.HasSweep ? "  sweep" : "")}");
        }
        return text.ToString();
    }

    public static string Describe(ContractTradeSnapshot s)
    {
        var text = new StringBuilder();
        text.AppendLine(Us, $"{s.Contract}  day {s.Day?.ToString("yyyy-MM-dd", Us) ?? "-"}  volume {s.DayVolume:N0}  premium {s.DayPremium:N2}  trades {s.DayTrades:N0}");
        text.AppendLine(s.LastTrade is { } t
            ? string.Create(Us, $"last trade {t.TradeId} at {Time(t.Time)}: {t.Size} @ {t.Price} ({t.Side ?? "untagged"}), premium {t.Premium:N2}")
            : "no trade yet");
        if (s.Nbbo is { } q)
        {
            text.AppendLine(Us, $"NBBO {Num(q.Bid)} x {Num(q.Ask)}");
        }
        if (s.Greeks is { } g)
        {
            text.AppendLine(Us, $"IV {Num(g.ImpliedVolatility)}  delta {Num(g.Delta)}  gamma {Num(g.Gamma)}  theta {Num(g.Theta)}  vega {Num(g.Vega)}  underlying {Num(g.UnderlyingPrice)}");
        }
        text.AppendLine(Us, $"{s.DuplicateTradesIgnored:N0} duplicate and {s.StaleTradesIgnored:N0} earlier-day trades ignored; last received {Time(s.LastReceivedAt)}");
        return text.ToString();
    }

    private static void Row(StringBuilder text, int minutes, string side, FlowTotals f) =>
        text.AppendLine(Us, $"  {minutes,4}m  {side,-5} {f.NetPremium,14:N2} {f.AskPremium,14:N2} {f.BidPremium,14:N2} {f.AskVolume,9:N0} {f.BidVolume,9:N0} {f.MidVolume,9:N0} {f.UntaggedVolume,9:N0}");

    private static string Num(decimal? value) => value?.ToString(Us) ?? "-";

    private static string Time(DateTimeOffset? value) => value?.ToString("yyyy-MM-dd HH:mm:ss'Z'", Us) ?? "-";
}
