using System.Text.Json.Nodes;
using static Ingestion.Replay.UnusualWhales.Rest.UwRestRequest;

namespace Ingestion.Replay.UnusualWhales.Rest;

/// <summary>
/// One REST endpoint: its route template, its paging (limit default and maximum; null when it takes no limit),
/// and the generator of its rows. Responses are {"data":[rows]}.
/// </summary>
public sealed record UwRestEndpoint(string Template, Func<UwRestRequest, IEnumerable<JsonNode>> Rows, int? DefaultLimit = null, int? MaxLimit = null);

/// <summary>
/// Every UW REST path the ingestion service may call: the union of the live catalogue (seed 000 §5.1–5.2), the
/// 42 endpoints of seed 001 §2.2 and the endpoints protocols.md §1.2 documents. Shapes follow protocols.md where it
/// gives one (spot-exposures, greek-flow, flow alerts, market-tide, option-contract flow, news); elsewhere they
/// are plausible rows in UW's style: decimals as strings, counts as integers, dates as YYYY-MM-DD.
/// </summary>
public static class UwRestCatalog
{
    public static IReadOnlyList<UwRestEndpoint> Endpoints { get; } =
    [
        // Ticker-scoped: flow.
        new("/api/stock/{ticker}/flow-alerts", r => FlowAlerts(r, r.Ticker), 100, 200),
        new("/api/stock/{ticker}/flow-per-expiry", r => r.Expiries(6).Select(e => FlowTotals(r).With("expiry", Day(e)).With("date", Day(r.Date)).With("ticker", r.Ticker))),
        new("/api/stock/{ticker}/flow-per-strike", r => r.Strikes(10).Select(s => FlowTotals(r).With("strike", UwFormat.Strike(s)).With("date", Day(r.Date)).With("ticker", r.Ticker))),
        new("/api/stock/{ticker}/flow-per-strike-intraday", r => r.SessionMinutes(5).TakeLast(12).SelectMany(t => r.Strikes(3).Select(s =>
            FlowTotals(r).With("strike", UwFormat.Strike(s)).With("timestamp", Iso(t)).With("ticker", r.Ticker)))),
        new("/api/stock/{ticker}/flow-recent", r => Enumerable.Range(0, 50).Select(i => OptionTrade(r, null, i)), 50, 500),
        new("/api/stock/{ticker}/net-prem-ticks", r => r.SessionMinutes().Select(t => new JsonObject
        {
            ["date"] = Day(r.Date), ["tape_time"] = Iso(t),
            ["call_volume"] = r.Int(500, 20_000), ["call_volume_ask_side"] = r.Int(200, 9_000), ["call_volume_bid_side"] = r.Int(200, 9_000),
            ["put_volume"] = r.Int(500, 20_000), ["put_volume_ask_side"] = r.Int(200, 9_000), ["put_volume_bid_side"] = r.Int(200, 9_000),
            ["net_call_premium"] = r.Money(-2e6, 2e6), ["net_call_volume"] = r.Int(-3_000, 3_000),
            ["net_put_premium"] = r.Money(-2e6, 2e6), ["net_put_volume"] = r.Int(-3_000, 3_000), ["net_delta"] = r.Money(-5e5, 5e5),
        })),
        new("/api/stock/{ticker}/nope", r => r.SessionMinutes().Select(t => new JsonObject
        {
            ["timestamp"] = Iso(t), ["call_delta"] = r.Money(1e5, 9e5), ["call_fill_delta"] = r.Money(1e5, 9e5), ["call_vol"] = r.Int(1_000, 50_000),
            ["put_delta"] = r.Money(-9e5, -1e5), ["put_fill_delta"] = r.Money(-9e5, -1e5), ["put_vol"] = r.Int(1_000, 50_000),
            ["stock_vol"] = r.Int(100_000, 5_000_000), ["nope"] = r.Ratio(-0.02, 0.02), ["nope_fill"] = r.Ratio(-0.02, 0.02),
        })),
        new("/api/stock/{ticker}/options-volume", r => r.TradingDays(1).Select(d => new JsonObject
        {
            ["date"] = Day(d), ["call_volume"] = r.Int(500_000, 5_000_000), ["put_volume"] = r.Int(500_000, 5_000_000),
            ["call_volume_ask_side"] = r.Int(200_000, 2_000_000), ["call_volume_bid_side"] = r.Int(200_000, 2_000_000),
            ["put_volume_ask_side"] = r.Int(200_000, 2_000_000), ["put_volume_bid_side"] = r.Int(200_000, 2_000_000),
            ["call_premium"] = r.Money(1e8, 2e9), ["put_premium"] = r.Money(1e8, 2e9), ["net_call_premium"] = r.Money(-1e8, 1e8),
            ["net_put_premium"] = r.Money(-1e8, 1e8), ["bullish_premium"] = r.Money(1e8, 1e9), ["bearish_premium"] = r.Money(1e8, 1e9),
            ["call_open_interest"] = r.Int(5_000_000, 20_000_000), ["put_open_interest"] = r.Int(5_000_000, 20_000_000),
            ["avg_30_day_call_volume"] = r.Money(5e5, 5e6), ["avg_30_day_put_volume"] = r.Money(5e5, 5e6),
        })),

        // Ticker-scoped: greeks and exposures.
        new("/api/stock/{ticker}/greek-exposure", r => r.TradingDays(30).Select(d => Greeks(r).With("date", Day(d)))),
        new("/api/stock/{ticker}/greek-exposure/expiry", r => r.Expiries(8).Select(e => Greeks(r).With("date", Day(r.Date)).With("expiry", Day(e)).With("dte", e.DayNumber - r.Date.DayNumber))),
        new("/api/stock/{ticker}/greek-exposure/strike", r => r.Strikes(15).Select(s => Greeks(r).With("strike", UwFormat.Strike(s)).With("date", Day(r.Date)))),
        new("/api/stock/{ticker}/greek-exposure/strike-expiry", r => r.Strikes(15).Select(s => Greeks(r).With("strike", UwFormat.Strike(s)).With("expiry", Day(r.Expiries(1)[0])).With("date", Day(r.Date)))),
        new("/api/stock/{ticker}/greek-flow", r => r.SessionMinutes().Select(t => GreekFlow(r, t))),
        new("/api/stock/{ticker}/greek-flow/{expiry}", r => r.SessionMinutes().Select(t => GreekFlow(r, t).With("expiry", Day(r.Expiries(1)[0])))),
        new("/api/stock/{ticker}/greeks", r => r.Strikes(10).Select(s => OptionGreeksRow(r, s))),
        new("/api/stock/{ticker}/spot-exposures", r => r.SessionMinutes().Select(t => SpotExposure(r, t))),
        new("/api/stock/{ticker}/spot-exposures/strike", r => r.Strikes(250).Select(s => StrikeExposure(r, s, null)), 500, 500),
        new("/api/stock/{ticker}/spot-exposures/expiry-strike", r => r.Expiries(3).SelectMany(e => r.Strikes(20).Select(s => StrikeExposure(r, s, e))), 500, 500),
        new("/api/stock/{ticker}/spot-exposures/{expiry}/strike", r => r.Strikes(250).Select(s => StrikeExposure(r, s, r.Expiries(1)[0])), 500, 500),

        // Ticker-scoped: open interest, chains, contracts.
        new("/api/stock/{ticker}/oi-change", r => OiChanges(r, r.Ticker, 50), 50, 500),
        new("/api/stock/{ticker}/oi-per-expiry", r => r.Expiries(8).Select(e => new JsonObject { ["date"] = Day(r.Date), ["expiry"] = Day(e), ["call_oi"] = r.Int(50_000, 2_000_000), ["put_oi"] = r.Int(50_000, 2_000_000) })),
        new("/api/stock/{ticker}/oi-per-strike", r => r.Strikes(20).Select(s => new JsonObject { ["date"] = Day(r.Date), ["strike"] = UwFormat.Strike(s), ["call_oi"] = r.Int(1_000, 200_000), ["put_oi"] = r.Int(1_000, 200_000) })),
        new("/api/stock/{ticker}/option/volume-oi-expiry", r => r.Expiries(8).Select(e => new JsonObject { ["expires"] = Day(e), ["oi"] = r.Int(100_000, 4_000_000), ["volume"] = r.Int(10_000, 2_000_000) })),
        new("/api/stock/{ticker}/expiry-breakdown", r => r.Expiries(8).Select(e => new JsonObject { ["expires"] = Day(e), ["chains"] = r.Int(80, 400), ["open_interest"] = r.Int(100_000, 4_000_000), ["volume"] = r.Int(10_000, 2_000_000) })),
        new("/api/stock/{ticker}/option-chains", r => r.Expiries(4).SelectMany(e => r.Strikes(10).SelectMany(s => new[] { true, false }.Select(c => (JsonNode)JsonValue.Create(r.Symbol(e, c, s))!)))),
        new("/api/stock/{ticker}/option-contracts", r => r.Expiries(2).SelectMany(e => r.Strikes(5).SelectMany(s => new[] { true, false }.Select(c => Contract(r, e, c, s)))), 500, 500),
        new("/api/stock/{ticker}/atm-chains", r => r.Expiries(6).SelectMany(e => new[] { true, false }.Select(c => Contract(r, e, c, r.Strikes(0)[0])))),
        new("/api/stock/{ticker}/max-pain", r => r.Expiries(8).Select(e => new JsonObject { ["expiry"] = Day(e), ["max_pain"] = UwFormat.Strike(r.Strikes(3)[r.Int(0, 7)]), ["close"] = r.Price })),
        new("/api/stock/{ticker}/option/stock-price-levels", r => r.Strikes(20).Select(s => new JsonObject { ["price"] = UwFormat.Strike(s), ["call_volume"] = r.Int(0, 80_000), ["put_volume"] = r.Int(0, 80_000) })),

        // Ticker-scoped: the stock itself.
        new("/api/darkpool/{ticker}", r => Enumerable.Range(0, 500).Select(i =>
        {
            var price = r.Spot + (decimal)(r.Random.NextDouble() - 0.5) * 0.4m;
            var size = r.Int(100, 250_000);
            return (JsonNode)new JsonObject
            {
                ["ticker"] = r.Ticker, ["executed_at"] = Iso(r.NowMs - i * 13_000L), ["price"] = UwFormat.Cents(price), ["size"] = size,
                ["premium"] = UwFormat.Cents(price * size), ["volume"] = r.Int(1_000_000, 60_000_000), ["nbbo_bid"] = UwFormat.Cents(price - 0.01m),
                ["nbbo_ask"] = UwFormat.Cents(price + 0.01m), ["nbbo_bid_quantity"] = r.Int(100, 5_000), ["nbbo_ask_quantity"] = r.Int(100, 5_000),
                ["market_center"] = "L", ["tracking_id"] = 71_984_000_000_000L + i, ["canceled"] = false, ["trade_settlement"] = "regular",
                ["ext_hour_sold_codes"] = null, ["sale_cond_codes"] = null, ["trade_code"] = null,
            };
        }), 500, 500),
        new("/api/stock/{ticker}/ohlc/{candle_size}", r => Candles(r), 500, 2500),
        new("/api/stock/{ticker}/stock-state", r => [new JsonObject
        {
            ["open"] = r.Price, ["high"] = UwFormat.Cents(r.Spot * 1.004m), ["low"] = UwFormat.Cents(r.Spot * 0.996m), ["close"] = r.Price,
            ["prev_close"] = UwFormat.Cents(r.Spot * 0.999m), ["volume"] = r.Int(1_000_000, 60_000_000), ["total_volume"] = r.Int(1_000_000, 60_000_000),
            ["market_time"] = "r", ["tape_time"] = Iso(r.NowMs),
        }]),
        new("/api/stock/{ticker}/stock-volume-price-levels", r => r.Strikes(20).Select(s => new JsonObject { ["price"] = UwFormat.Cents(s), ["lit_vol"] = r.Int(1_000, 900_000), ["off_vol"] = r.Int(1_000, 900_000) })),
        new("/api/stock/{ticker}/insider-buy-sells", r => r.TradingDays(20).Select(d => new JsonObject
        {
            ["filing_date"] = Day(d), ["purchases"] = r.Int(0, 4), ["purchases_notional"] = r.Money(0, 2e6), ["sells"] = r.Int(0, 8), ["sells_notional"] = r.Money(0, 9e6),
        })),

        // Ticker-scoped: volatility.
        new("/api/stock/{ticker}/interpolated-iv", r => new[] { 1, 5, 7, 14, 30, 60, 90, 180, 365 }.Select(days => new JsonObject
        {
            ["date"] = Day(r.Date), ["days"] = days, ["volatility"] = r.Ratio(0.12, 0.45), ["implied_move_perc"] = r.Ratio(0.002, 0.12), ["percentile"] = r.Ratio(0, 1),
        })),
        new("/api/stock/{ticker}/iv-rank", r => r.TradingDays(30).Select(d => new JsonObject
        {
            ["date"] = Day(d), ["close"] = r.Price, ["volatility"] = r.Ratio(0.12, 0.45), ["iv_rank_1y"] = r.Ratio(0, 100), ["updated_at"] = Iso(r.NowMs),
        })),
        new("/api/stock/{ticker}/volatility/realized", r => r.TradingDays(30).Select(d => new JsonObject
        {
            ["date"] = Day(d), ["price"] = r.Price, ["implied_volatility"] = r.Ratio(0.12, 0.45), ["realized_volatility"] = r.Ratio(0.08, 0.40),
        })),
        new("/api/stock/{ticker}/volatility/stats", r => [new JsonObject
        {
            ["ticker"] = r.Ticker, ["date"] = Day(r.Date), ["iv"] = r.Ratio(0.12, 0.45), ["iv_high"] = r.Ratio(0.45, 0.9), ["iv_low"] = r.Ratio(0.08, 0.12),
            ["iv_rank"] = r.Ratio(0, 100), ["rv"] = r.Ratio(0.08, 0.40), ["rv_high"] = r.Ratio(0.40, 0.9), ["rv_low"] = r.Ratio(0.05, 0.08),
        }]),
        new("/api/stock/{ticker}/volatility/term-structure", r => r.Expiries(8).Select(e => new JsonObject
        {
            ["ticker"] = r.Ticker, ["date"] = Day(r.Date), ["expiry"] = Day(e), ["dte"] = e.DayNumber - r.Date.DayNumber,
            ["volatility"] = r.Ratio(0.12, 0.45), ["implied_move"] = r.Money(1, 30), ["implied_move_perc"] = r.Ratio(0.002, 0.08),
        })),
        new("/api/stock/{ticker}/historical-risk-reversal-skew", r => r.TradingDays(30).Select(d => new JsonObject
        {
            ["ticker"] = r.Ticker, ["date"] = Day(d), ["dte"] = 30, ["delta"] = 25, ["risk_reversal"] = r.Ratio(-0.08, 0.02),
        })),

        // ETFs.
        new("/api/etfs/{ticker}/exposure", r => new[] { ("SPY", "SPDR S&P 500 ETF Trust"), ("QQQ", "Invesco QQQ Trust"), ("IWM", "iShares Russell 2000 ETF") }.Select(etf => new JsonObject
        {
            ["etf"] = etf.Item1, ["full_name"] = etf.Item2, ["last_price"] = r.Money(200, 600), ["prev_price"] = r.Money(200, 600),
            ["shares"] = r.Int(1_000_000, 90_000_000), ["weight"] = r.Ratio(0.001, 0.08),
        })),
        new("/api/etfs/{ticker}/in-outflow", r => r.TradingDays(20).Select(d => new JsonObject
        {
            ["date"] = Day(d), ["close"] = r.Price, ["volume"] = r.Int(20_000_000, 90_000_000), ["change"] = r.Int(-5_000_000, 5_000_000),
            ["change_prem"] = r.Money(-3e9, 3e9), ["is_fomc"] = false,
        })),
        new("/api/market/{ticker}/etf-tide", r => r.SessionMinutes().Select(t => Tide(r, t))),

        // Market-wide.
        new("/api/market/market-tide", r => r.SessionMinutes(r.Query("interval_5m") == "true" ? 5 : 1).Select(t => Tide(r, t))),
        new("/api/market/economic-calendar", r => new[] { "CPI", "PPI", "FOMC rate decision", "Initial jobless claims", "Retail sales", "ISM manufacturing PMI" }.Select((e, i) => new JsonObject
        {
            ["event"] = e, ["time"] = Iso(r.NowMs + (i + 1) * 86_400_000L), ["type"] = e.StartsWith("FOMC", StringComparison.Ordinal) ? "fed-speaker" : "report",
            ["reported_period"] = r.Date.ToString("MMMM", System.Globalization.CultureInfo.InvariantCulture), ["forecast"] = r.Ratio(0, 3), ["prev"] = r.Ratio(0, 3),
        })),
        new("/api/market/oi-change", r => new[] { "SPY", "QQQ", "IWM", "AAPL", "TSLA", "NVDA" }.SelectMany(t => OiChanges(r, t, 5)), 50, 500),
        new("/api/market/top-net-impact", r => new[] { "SPY", "QQQ", "NVDA", "TSLA", "AAPL", "AMZN", "META", "MSFT", "IWM", "AMD" }.Select(t => new JsonObject
        {
            ["ticker"] = t, ["net_premium"] = r.Money(-9e7, 9e7),
        })),
        new("/api/market/total-options-volume", r => r.TradingDays(100).Select(d => new JsonObject
        {
            ["date"] = Day(d), ["call_volume"] = r.Int(20_000_000, 40_000_000), ["put_volume"] = r.Int(15_000_000, 35_000_000),
            ["call_premium"] = r.Money(1e10, 4e10), ["put_premium"] = r.Money(1e10, 4e10),
        }), 100, 500),
        new("/api/net-flow/expiry", r => r.SessionMinutes(5).Select(t => new JsonObject
        {
            ["timestamp"] = Iso(t), ["expiration"] = "zero_dte", ["net_call_premium"] = r.Money(-5e7, 5e7), ["net_put_premium"] = r.Money(-5e7, 5e7),
            ["net_call_volume"] = r.Int(-90_000, 90_000), ["net_put_volume"] = r.Int(-90_000, 90_000),
        })),
        new("/api/screener/analysts", r => new[] { "AAPL", "TSLA", "NVDA", "AMZN", "MSFT" }.Select(t => new JsonObject
        {
            ["ticker"] = t, ["timestamp"] = Iso(r.NowMs - r.Int(0, 86_400) * 1000L), ["action"] = r.Random.NextDouble() < 0.5 ? "maintained" : "upgraded",
            ["analyst_name"] = "Replay Analyst", ["firm"] = "Replay Securities", ["recommendation"] = "buy", ["sector"] = "Technology", ["target"] = r.Money(100, 600),
        }), 100, 500),

        // Option trades, contracts, alerts and news.
        new("/api/option-trades/flow-alerts", r => FlowAlerts(r, null), 100, 200),
        new("/api/option-contract/{id}/flow", r => Enumerable.Range(0, 50).Select(i => OptionTrade(r, r.Route("id"), i)), 50, 500),
        new("/api/news/headlines", r => Enumerable.Range(0, 100).Select(i => new JsonObject
        {
            ["created_at"] = Iso(r.NowMs - i * 397_000L), ["headline"] = $"{r.Query("ticker") ?? "Market"} headline {i}: options traders position for a move",
            ["is_major"] = i % 7 == 0, ["meta"] = new JsonObject(), ["sentiment"] = (i % 3) switch { 0 => "positive", 1 => "negative", _ => "neutral" },
            ["source"] = i % 2 == 0 ? "BusinessWire" : "Benzinga", ["tags"] = Strings("options"),
            ["tickers"] = r.Query("ticker") is { } t ? Strings(t) : Strings("SPY"),
        }), 50, 100),
    ];

    /// <summary>The route templates alone, for documentation and tests.</summary>
    public static IReadOnlyList<string> Templates { get; } = [.. Endpoints.Select(e => e.Template)];

    private static JsonObject With(this JsonObject row, string key, JsonNode? value)
    {
        row[key] = value;
        return row;
    }

    /// <summary>protocols.md §1.2, spot-exposures: every value a string, time ISO UTC.</summary>
    private static JsonObject SpotExposure(UwRestRequest r, long t) => new()
    {
        ["charm_per_one_percent_move_dir"] = r.Money(-1e9, 1e9), ["charm_per_one_percent_move_oi"] = r.Money(1e12, 6e12),
        ["charm_per_one_percent_move_vol"] = r.Money(1e11, 5e11), ["gamma_per_one_percent_move_dir"] = r.Money(-1e6, 1e6),
        ["gamma_per_one_percent_move_oi"] = r.Money(1e10, 7e10), ["gamma_per_one_percent_move_vol"] = r.Money(1e10, 2e10),
        ["price"] = r.Price, ["time"] = Iso(t),
        ["vanna_per_one_percent_move_dir"] = r.Money(-5e8, 5e8), ["vanna_per_one_percent_move_oi"] = r.Money(-6e10, 6e10),
        ["vanna_per_one_percent_move_vol"] = r.Money(-6e9, 6e9),
    };

    /// <summary>protocols.md §1.2, spot-exposures/strike: call_/put_ × delta|gamma|charm|vanna × _oi|_vol|_ask|_bid, all strings.</summary>
    private static JsonObject StrikeExposure(UwRestRequest r, decimal strike, DateOnly? expiry)
    {
        var row = new JsonObject { ["ticker"] = r.Ticker, ["date"] = Day(r.Date), ["strike"] = UwFormat.Strike(strike), ["price"] = r.Price, ["time"] = Iso(r.NowMs) };
        if (expiry is { } e) row["expiry"] = Day(e);
        foreach (var side in new[] { "call", "put" })
        foreach (var greek in new[] { "delta", "gamma", "charm", "vanna" })
        foreach (var source in new[] { "oi", "vol", "ask", "bid" })
            row[$"{side}_{greek}_{source}"] = r.Money(side == "call" ? 0 : -5e8, side == "call" ? 5e8 : 0);
        return row;
    }

    /// <summary>protocols.md §1.2, greek-flow: flows as strings, transactions and volume integers, timestamp ISO.</summary>
    private static JsonObject GreekFlow(UwRestRequest r, long t) => new()
    {
        ["dir_delta_flow"] = r.Money(-9e4, 9e4), ["dir_vega_flow"] = r.Money(-9e4, 9e4), ["otm_dir_delta_flow"] = r.Money(-5e4, 5e4),
        ["otm_dir_vega_flow"] = r.Money(-5e4, 5e4), ["otm_total_delta_flow"] = r.Money(-5e4, 5e4), ["otm_total_vega_flow"] = r.Money(0, 2e5),
        ["ticker"] = r.Ticker, ["timestamp"] = Iso(t), ["total_delta_flow"] = r.Money(-9e4, 9e4), ["total_vega_flow"] = r.Money(0, 5e5),
        ["transactions"] = r.Int(100, 3_000), ["volume"] = r.Int(1_000, 30_000),
    };

    /// <summary>protocols.md §1.2, market-tide: premiums as strings, net_volume integer, timestamp with the New York offset.</summary>
    private static JsonObject Tide(UwRestRequest r, long t) => new()
    {
        ["date"] = Day(r.Date), ["net_call_premium"] = r.Money(-2e6, 2e6) + "00", ["net_put_premium"] = r.Money(-2e6, 2e6) + "00",
        ["net_volume"] = r.Int(-50_000, 50_000), ["timestamp"] = EasternIso(t),
    };

    private static JsonObject Greeks(UwRestRequest r) => new()
    {
        ["call_charm"] = r.Money(1e8, 9e9), ["call_delta"] = r.Money(1e8, 9e9), ["call_gamma"] = r.Money(1e6, 9e8), ["call_vanna"] = r.Money(1e6, 9e8),
        ["put_charm"] = r.Money(-9e9, -1e8), ["put_delta"] = r.Money(-9e9, -1e8), ["put_gamma"] = r.Money(-9e8, -1e6), ["put_vanna"] = r.Money(-9e8, -1e6),
    };

    private static JsonObject FlowTotals(UwRestRequest r)
    {
        var row = new JsonObject();
        foreach (var side in new[] { "call", "put" })
        {
            row[$"{side}_premium"] = r.Money(1e6, 9e7);
            row[$"{side}_premium_ask_side"] = r.Money(5e5, 4e7);
            row[$"{side}_premium_bid_side"] = r.Money(5e5, 4e7);
            row[$"{side}_otm_premium"] = r.Money(1e5, 3e7);
            row[$"{side}_trades"] = r.Int(100, 20_000);
            row[$"{side}_otm_trades"] = r.Int(50, 10_000);
            row[$"{side}_volume"] = r.Int(1_000, 500_000);
            row[$"{side}_volume_ask_side"] = r.Int(500, 250_000);
            row[$"{side}_volume_bid_side"] = r.Int(500, 250_000);
            row[$"{side}_otm_volume"] = r.Int(500, 250_000);
        }
        return row;
    }

    private static JsonObject OptionGreeksRow(UwRestRequest r, decimal strike)
    {
        var expiry = r.Expiries(1)[0];
        var row = new JsonObject { ["date"] = Day(r.Date), ["expiry"] = Day(expiry), ["strike"] = UwFormat.Strike(strike) };
        foreach (var (side, isCall) in new[] { ("call", true), ("put", false) })
        {
            row[$"{side}_option_symbol"] = r.Symbol(expiry, isCall, strike);
            row[$"{side}_delta"] = r.Ratio(isCall ? 0 : -1, isCall ? 1 : 0);
            row[$"{side}_gamma"] = r.Ratio(0, 0.08);
            row[$"{side}_theta"] = r.Ratio(-0.5, 0);
            row[$"{side}_vega"] = r.Ratio(0, 0.6);
            row[$"{side}_rho"] = r.Ratio(-0.3, 0.3);
            row[$"{side}_charm"] = r.Ratio(-0.05, 0.05);
            row[$"{side}_vanna"] = r.Ratio(-0.05, 0.05);
            row[$"{side}_volatility"] = r.Ratio(0.12, 0.45);
        }
        return row;
    }

    private static IEnumerable<JsonNode> OiChanges(UwRestRequest r, string ticker, int count) => Enumerable.Range(0, count).Select(i =>
    {
        var expiry = r.Expiries(4)[i % 4];
        var strike = r.Strikes(6)[r.Int(0, 13)];
        var last = r.Int(1_000, 90_000);
        var curr = last + r.Int(-500, 20_000);
        return (JsonNode)new JsonObject
        {
            ["underlying_symbol"] = ticker, ["option_symbol"] = UwFormat.OptionSymbol(ticker, expiry, i % 2 == 0, strike), ["rnk"] = i + 1,
            ["curr_date"] = Day(r.Date), ["last_date"] = Day(r.TradingDays(2)[0]), ["curr_oi"] = curr, ["last_oi"] = last,
            ["oi_diff_plain"] = curr - last, ["oi_change"] = UwFormat.Full(Math.Round((curr - last) / (double)last, 6)),
            ["percentage_of_total"] = r.Ratio(0, 0.05), ["volume"] = r.Int(100, 50_000), ["trades"] = r.Int(10, 3_000),
            ["last_ask"] = r.Money(0.5, 9), ["last_bid"] = r.Money(0.4, 8.9), ["last_fill"] = r.Money(0.45, 9),
            ["prev_ask_volume"] = r.Int(0, 9_000), ["prev_bid_volume"] = r.Int(0, 9_000), ["prev_mid_volume"] = r.Int(0, 2_000),
            ["prev_multi_leg_volume"] = r.Int(0, 2_000), ["prev_neutral_volume"] = r.Int(0, 500), ["prev_stock_multi_leg_volume"] = r.Int(0, 100),
            ["prev_total_premium"] = r.Money(1e4, 9e6),
        };
    });

    private static JsonObject Contract(UwRestRequest r, DateOnly expiry, bool isCall, decimal strike) => new()
    {
        ["option_symbol"] = r.Symbol(expiry, isCall, strike), ["volume"] = r.Int(0, 90_000), ["open_interest"] = r.Int(0, 200_000),
        ["prev_oi"] = r.Int(0, 200_000), ["implied_volatility"] = r.Ratio(0.12, 0.45), ["nbbo_bid"] = r.Money(0.5, 9), ["nbbo_ask"] = r.Money(9, 10),
        ["last_price"] = r.Money(0.5, 10), ["avg_price"] = r.Money(0.5, 10), ["high_price"] = r.Money(5, 12), ["low_price"] = r.Money(0.1, 5),
        ["total_premium"] = r.Money(1e4, 9e7), ["ask_volume"] = r.Int(0, 40_000), ["bid_volume"] = r.Int(0, 40_000), ["mid_volume"] = r.Int(0, 9_000),
        ["no_side_volume"] = r.Int(0, 900), ["multi_leg_volume"] = r.Int(0, 9_000), ["stock_multi_leg_volume"] = r.Int(0, 500),
        ["sweep_volume"] = r.Int(0, 9_000), ["floor_volume"] = r.Int(0, 900),
    };

    private static IEnumerable<JsonNode> Candles(UwRestRequest r)
    {
        var minutes = r.Route("candle_size") switch
        {
            "5m" => 5,
            "10m" => 10,
            "15m" => 15,
            "30m" => 30,
            "1h" => 60,
            "4h" => 240,
            "1d" => 390,
            _ => 1,
        };
        var price = (double)r.Spot;
        var total = 0L;
        foreach (var t in r.SessionMinutes(minutes))
        {
            var open = price;
            price *= 1 + 0.0008 * (r.Random.NextDouble() - 0.5);
            var volume = r.Int(20_000, 400_000) * (long)minutes;
            total += volume;
            yield return new JsonObject
            {
                ["open"] = UwFormat.Money(open), ["close"] = UwFormat.Money(price), ["high"] = UwFormat.Money(Math.Max(open, price) * 1.0004),
                ["low"] = UwFormat.Money(Math.Min(open, price) * 0.9996), ["volume"] = volume, ["total_volume"] = total, ["market_time"] = "r",
                ["start_time"] = Iso(t), ["end_time"] = Iso(t + minutes * 60_000L),
            };
        }
    }

    /// <summary>
    /// protocols.md §1.2, REST flow alerts: alert_rule and created_at (ISO), premiums and prices as strings, plus the
    /// fields observed live (id, rule_id, start_time/end_time in ms, bid, ask). Filtered by ticker_symbol and min_premium.
    /// </summary>
    private static IEnumerable<JsonNode> FlowAlerts(UwRestRequest r, string? ticker)
    {
        string[] tickers = ticker is not null ? [ticker]
            : r.Query("ticker_symbol")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } listed
                ? listed.Where(t => !t.StartsWith('-')).DefaultIfEmpty("SPY").ToArray()
                : ["SPY", "QQQ", "IWM", "AAPL", "TSLA", "NVDA"];
        var minPremium = decimal.TryParse(r.Query("min_premium"), System.Globalization.CultureInfo.InvariantCulture, out var min) ? min : 0;
        for (var i = 0; i < 200; i++)
        {
            var t = tickers[i % tickers.Length];
            var expiry = r.Expiries(4)[i % 4];
            var isCall = r.Random.NextDouble() < 0.55;
            var strike = r.Strikes(6)[r.Int(0, 13)];
            var price = Math.Round(0.5m + 9m * (decimal)r.Random.NextDouble(), 2);
            var size = r.Int(100, 3_000);
            var premium = price * size * 100;
            if (premium < minPremium) continue;
            var ask = Math.Round(premium * (decimal)r.Random.NextDouble(), 0);
            var end = r.NowMs - i * 61_000L;
            yield return new JsonObject
            {
                ["id"] = r.Uuid(), ["rule_id"] = "e6b9f0b6-fcd9-44fe-9d1c-f53521c152c3", ["alert_rule"] = "RepeatedHits",
                ["all_opening_trades"] = false, ["created_at"] = Iso(end), ["start_time"] = end - r.Int(5, 3_000), ["end_time"] = end,
                ["expiry"] = Day(expiry), ["expiry_count"] = 1, ["has_floor"] = false, ["has_multileg"] = false, ["has_singleleg"] = true,
                ["has_sweep"] = r.Random.NextDouble() < 0.3, ["issue_type"] = t is "SPY" or "QQQ" or "IWM" ? "ETF" : "Common Stock",
                ["open_interest"] = r.Int(500, 50_000), ["option_chain"] = UwFormat.OptionSymbol(t, expiry, isCall, strike), ["price"] = UwFormat.Cents(price),
                ["strike"] = UwFormat.Strike(strike), ["ticker"] = t, ["total_ask_side_prem"] = UwFormat.Strike(ask),
                ["total_bid_side_prem"] = UwFormat.Strike(premium - ask), ["total_premium"] = UwFormat.Strike(premium), ["total_size"] = size,
                ["trade_count"] = r.Int(1, 40), ["type"] = isCall ? "call" : "put", ["underlying_price"] = r.Price, ["volume"] = size + r.Int(0, 9_000),
                ["volume_oi_ratio"] = r.Ratio(0.01, 3), ["bid"] = UwFormat.Cents(price - 0.05m), ["ask"] = UwFormat.Cents(price + 0.05m),
            };
        }
    }

    /// <summary>protocols.md §1.2, option-contract flow ("Option Trade"): executed_at ISO, option_chain_id, upstream_condition_detail.</summary>
    private static JsonNode OptionTrade(UwRestRequest r, string? contract, int i)
    {
        var expiry = r.Expiries(4)[i % 4];
        var isCall = contract is null ? i % 2 == 0 : contract[^9] == 'C';
        var strike = contract is null ? r.Strikes(6)[r.Int(0, 13)] : long.Parse(contract[^8..], System.Globalization.CultureInfo.InvariantCulture) / 1000m;
        var underlying = contract is null ? r.Ticker : contract[..^15];
        var price = Math.Round(0.5m + 20m * (decimal)r.Random.NextDouble(), 2);
        var size = r.Int(1, 50);
        return new JsonObject
        {
            ["id"] = r.Uuid(), ["underlying_symbol"] = underlying, ["option_chain_id"] = contract ?? UwFormat.OptionSymbol(underlying, expiry, isCall, strike),
            ["option_type"] = isCall ? "call" : "put", ["strike"] = strike.ToString("0.0000000000", System.Globalization.CultureInfo.InvariantCulture),
            ["expiry"] = Day(contract is null ? expiry : DateOnly.ParseExact(contract[^15..^9], "yyMMdd", System.Globalization.CultureInfo.InvariantCulture)),
            ["executed_at"] = DateTimeOffset.FromUnixTimeMilliseconds(r.NowMs - i * 7_000L).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["price"] = UwFormat.Cents(price), ["size"] = size, ["premium"] = UwFormat.Cents(price * size * 100),
            ["nbbo_bid"] = UwFormat.Cents(price - 0.05m), ["nbbo_ask"] = UwFormat.Cents(price + 0.05m),
            ["ewma_nbbo_bid"] = UwFormat.Cents(price - 0.05m), ["ewma_nbbo_ask"] = UwFormat.Cents(price + 0.05m),
            ["underlying_price"] = r.Price, ["implied_volatility"] = r.Ratio(0.12, 0.6), ["delta"] = r.Ratio(isCall ? 0 : -1, isCall ? 1 : 0),
            ["gamma"] = r.Ratio(0, 0.05), ["theta"] = r.Ratio(-0.2, 0), ["vega"] = r.Ratio(0, 0.5), ["rho"] = r.Ratio(-0.3, 0.3), ["theo"] = UwFormat.Full((double)price),
            ["open_interest"] = r.Int(100, 30_000), ["volume"] = r.Int(size, 90_000), ["ask_vol"] = r.Int(0, 9_000), ["bid_vol"] = r.Int(0, 9_000),
            ["mid_vol"] = r.Int(0, 900), ["no_side_vol"] = 0, ["multi_vol"] = r.Int(0, 900), ["stock_multi_vol"] = 0,
            ["exchange"] = "MXOP", ["upstream_condition_detail"] = "auto", ["report_flags"] = new JsonArray(), ["tags"] = Strings(i % 2 == 0 ? "ask_side" : "bid_side", "bullish"),
            ["canceled"] = false, ["flow_alert_id"] = null, ["rule_id"] = null, ["er_time"] = "postmarket", ["next_earnings_date"] = Day(r.Date.AddDays(30)),
            ["full_name"] = $"{underlying} INC", ["sector"] = "Technology", ["industry_type"] = "Semiconductors", ["marketcap"] = r.Money(1e10, 3e12),
        };
    }
}
