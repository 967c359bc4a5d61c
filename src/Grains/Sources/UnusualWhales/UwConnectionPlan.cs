namespace Ingestion.Sources.UnusualWhales;

/// <summary>One Unusual Whales socket: a channel family and the channels it joins.</summary>
public sealed record UwConnectionSpec(string Id, string Family, IReadOnlyList<string> Channels);

/// <summary>
/// Which sockets the configuration asks for: one per channel family (flow, trades, prices, gex,
/// news), each its own socket-reader grain, with per-ticker channels for every watchlist ticker.
/// </summary>
public static class UwConnectionPlan
{
    public static IReadOnlyList<UwConnectionSpec> Build(UnusualWhalesOptions options, IReadOnlyList<string> tickers)
    {
        if (!options.Enabled)
        {
            return [];
        }
        var channels = options.Channels;
        var plan = new List<UwConnectionSpec>();
        void Add(string family, IEnumerable<string> joined)
        {
            var list = joined.ToList();
            if (list.Count > 0) plan.Add(new UwConnectionSpec($"uw/{family}", family, list));
        }

        Add("flow", channels.FlowAlerts ? ["flow-alerts"] : []);
        Add("trades", (channels.OptionTradesFullTape ? ["option_trades"] : Array.Empty<string>())
            .Concat(channels.OptionTradesPerTicker ? tickers.Select(t => $"option_trades:{t}") : []));
        Add("prices", channels.Prices ? tickers.Select(t => $"price:{t}") : []);
        Add("gex", tickers.SelectMany(t => new[]
        {
            channels.Gex ? $"gex:{t}" : null,
            channels.GexStrike ? $"gex_strike:{t}" : null,
            channels.GexStrikeExpiry ? $"gex_strike_expiry:{t}" : null,
        }).OfType<string>());
        Add("news", channels.News ? ["news"] : []);
        return plan;
    }
}
