using System.Text;
using Ingestion.Events;
using Ingestion.Sources.UnusualWhales;

namespace Ingestion.Tests.UnusualWhales;

/// <summary>Payload shapes from protocols.md §1.1 (official spec and captures), and broken ones.</summary>
public sealed class UwFrameParserTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2025, 5, 16, 18, 0, 0, TimeSpan.Zero);

    private static UwFrame Parse(string json) => new UwFrameParser("uw/test").Parse(Encoding.UTF8.GetBytes(json), ReceivedAt);

    [Fact]
    public void Parses_a_captured_flow_alert_with_numbers_for_premiums_and_strings_for_bid_ask()
    {
        var frame = Parse("""
            ["flow-alerts",{"rule_id":"e6b9f0b6-fcd9-44fe-9d1c-f53521c152c3","rule_name":"RepeatedHits","ticker":"JD",
             "option_chain":"JD250523P00034000","underlying_price":33.74,"volume":815,"total_size":341,
             "total_premium":29326.0,"total_ask_side_prem":16598.0,"total_bid_side_prem":12728.0,
             "start_time":1747419586888,"end_time":1747419586893,"url":"","price":0.86,
             "has_multileg":false,"has_sweep":false,"has_floor":false,"open_interest":920,"all_opening_trades":false,
             "id":"8efad402-65ae-4ea9-9a24-bfc608d69adb","has_singleleg":true,"volume_oi_ratio":0.0,
             "trade_ids":["ff06a88c-797e-4577-9c69-7154c1972b79","541a1f39-b699-4452-9222-b2f62c819200"],
             "trade_count":31,"expiry_count":1,"executed_at":1747419586893,"ask_vol":233,"bid_vol":558,"no_side_vol":0,
             "mid_vol":24,"multi_vol":177,"stock_multi_vol":0,"upstream_condition_details":["auto"],
             "exchanges":["GMNI","EMLD"],"bid":"0.84","ask":"0.87"}]
            """);

        var alert = Assert.IsType<UwFlowAlert>(frame.Event);
        Assert.Equal(("8efad402-65ae-4ea9-9a24-bfc608d69adb", "JD", "JD250523P00034000", "RepeatedHits"), (alert.AlertId, alert.Ticker, alert.OptionChain, alert.RuleName));
        Assert.Equal((29326.0m, 16598.0m, 12728.0m, 0.84m, 0.87m), (alert.TotalPremium, alert.AskSidePremium!.Value, alert.BidSidePremium!.Value, alert.Bid!.Value, alert.Ask!.Value));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1747419586893), alert.EventTime);
        Assert.Equal((815L, 341L, 920L, 31), (alert.Volume!.Value, alert.TotalSize!.Value, alert.OpenInterest!.Value, alert.TradeCount!.Value));
        Assert.Equal(2, alert.TradeIds.Length);
        Assert.Empty(frame.UnknownFields);
        Assert.Null(frame.Refused);
    }

    [Fact]
    public void Parses_an_option_trade_whose_prices_and_greeks_are_strings()
    {
        var frame = Parse("""
            ["option_trades:TSLA",{"id":"6be96098-1e54-4397-9166-46bf4a7636a3","underlying_symbol":"TSLA",
             "executed_at":1747419592926,"nbbo_bid":"0.07","nbbo_ask":"0.08","size":1,"price":"0.07",
             "option_symbol":"TSLA250516C00355000","created_at":1747419592968,"report_flags":[],
             "tags":["bid_side","bearish"],"expiry":"2025-05-16","option_type":"call","open_interest":30726,
             "strike":"355","premium":"7.00","volume":162849,"underlying_price":"347.17",
             "ewma_nbbo_ask":"0.08","ewma_nbbo_bid":"0.07","implied_volatility":"0.0478858048818649",
             "delta":"0.03977270195386351","theta":"-0.0074528338844913","gamma":"0.0195661969523479",
             "vega":"0.0785260537194001","rho":"0.00955292091845316","theo":"0.0700000000000038",
             "trade_code":"auto","exchange":"GMNI","ask_vol":61059,"bid_vol":84546,"no_side_vol":14,
             "mid_vol":17230,"multi_vol":23690,"stock_multi_vol":1}]
            """);

        var trade = Assert.IsType<UwOptionTrade>(frame.Event);
        Assert.Equal(("TSLA", "TSLA250516C00355000", "call", "bid"), (trade.Ticker, trade.OptionSymbol, trade.OptionType, trade.Side));
        Assert.Equal((0.07m, 1L, 7.00m, 355m), (trade.Price, trade.Size, trade.Premium, trade.Strike));
        Assert.Equal(new DateOnly(2025, 5, 16), trade.Expiry);
        Assert.Equal(0.03977270195386351m, trade.Delta);
        Assert.Equal((0.07m, 0.08m), (trade.NbboBid!.Value, trade.NbboAsk!.Value));
        Assert.Empty(frame.UnknownFields);
    }

    [Fact]
    public void Reads_empty_gex_strings_as_missing_values()
    {
        var frame = Parse("""
            ["gex:SPY",{"ticker":"SPY","timestamp":1747419602000,
             "gamma_per_one_percent_move_oi":"6933079028.42363","delta_per_one_percent_move_oi":"",
             "charm_per_one_percent_move_oi":"-8957974017052.59","vanna_per_one_percent_move_oi":"2640209529.690219",
             "price":"593.06","gamma_per_one_percent_move_vol":"54225020324.8619","delta_per_one_percent_move_vol":"",
             "charm_per_one_percent_move_vol":"-10298936615779.76","vanna_per_one_percent_move_vol":"973726525.324245",
             "gamma_per_one_percent_move_dir":"-3968091604.196186","charm_per_one_percent_move_dir":"723342088342.801",
             "vanna_per_one_percent_move_dir":"-23378268.90257067"}]
            """);

        var gex = Assert.IsType<UwGexSnapshot>(frame.Event);
        Assert.Null(gex.DeltaPerOnePercentOi);
        Assert.Equal(6933079028.42363m, gex.GammaPerOnePercentOi);
        Assert.Equal(593.06m, gex.Price);
    }

    [Fact]
    public void Parses_strike_and_strike_expiry_gex_and_takes_the_ticker_from_the_channel_when_absent()
    {
        var strike = Assert.IsType<UwGexStrike>(Parse("""["gex_strike:spy",{"timestamp":1726670426000,"strike":"290","price":"562.96","call_gamma_oi":"174792.59","put_gamma_oi":"-1172037.66"}]""").Event);
        Assert.Equal(("SPY", 290m, (DateOnly?)null, 174792.59m), (strike.Ticker, strike.Strike, strike.Expiry, strike.CallGammaOi!.Value));

        var expiry = Assert.IsType<UwGexStrike>(Parse("""["gex_strike_expiry:SPY",{"ticker":"SPY","expiry":"2025-01-24","timestamp":1726670426000,"strike":"290","call_gamma_oi":"1","call_delta_oi":"2"}]""").Event);
        Assert.Equal(new DateOnly(2025, 1, 24), expiry.Expiry);
    }

    [Fact]
    public void Parses_price_and_news_with_its_iso_timestamp()
    {
        var tick = Assert.IsType<UwPriceTick>(Parse("""["price:SPY",{"close":"562.82","time":1726670327692,"vol":6015555}]""").Event);
        Assert.Equal(("SPY", 562.82m, 6015555L), (tick.Ticker, tick.Close, tick.CumulativeVolume!.Value));

        var news = Assert.IsType<UwNewsHeadline>(Parse("""["news",{"headline":"US Energy Secretary foresees many more LNG export deals signed","timestamp":"2025-06-11T21:40:56Z","source":"social-media","tickers":[],"is_trump_ts":false}]""").Event);
        Assert.Equal(new DateTimeOffset(2025, 6, 11, 21, 40, 56, TimeSpan.Zero), news.EventTime);
        Assert.Equal(UwFrameParser.HeadlineId(news.EventTime, news.Headline), news.HeadlineId);
        Assert.Equal(32, news.HeadlineId.Length);
        Assert.Equal("", news.Ticker);
    }

    [Fact]
    public void Reads_join_acknowledgements_and_refusals()
    {
        Assert.Equal(new UwJoinReply("option_trades", "ok", "{}"), Parse("""["option_trades",{"response":{},"status":"ok"}]""").Reply);
        Assert.Equal("error", Parse("""["bogus",{"status":"error","response":{"reason":"unknown"}}]""").Reply!.Value.Status);
    }

    [Fact]
    public void Reports_unknown_fields_as_schema_drift_and_keeps_them_in_the_raw_payload()
    {
        var frame = Parse("""["price:SPY",{"close":"562.82","time":1726670327692,"vol":6015555,"bid":"562.81","venue":"X"}]""");

        Assert.Equal(["bid", "venue"], frame.UnknownFields);
        Assert.Contains("\"venue\":\"X\"", frame.Event!.Ingress.RawJson);
    }

    [Theory]
    [InlineData("{not json", "malformed JSON:")]
    [InlineData("""{"channel":"price:SPY"}""", "frame is a JSON object, expected [channel, payload]")]
    [InlineData("""["price:SPY"]""", "frame is an array of 1 elements, expected [channel, payload]")]
    [InlineData("""[42,{"close":"1","time":1}]""", "channel must be a non-empty string, got number")]
    [InlineData("""["price:SPY",[1,2]]""", "payload of price:SPY is a JSON array, expected an object")]
    [InlineData("""["weather:SPY",{"temp":"1"}]""", "unknown channel 'weather:SPY'")]
    [InlineData("""["price:SPY",{"close":562.82,"time":"soon"}]""", "field 'time' must be an integer epoch-ms timestamp, got string \"soon\"")]
    [InlineData("""["price:SPY",{"close":"abc","time":1}]""", "field 'close' must be a decimal string, got string \"abc\"")]
    [InlineData("""["price:SPY",{"time":1}]""", "missing required field 'close'")]
    [InlineData("""["option_trades:X",{"id":"t","underlying_symbol":"X","executed_at":1,"size":1,"price":"1","option_symbol":"X250516C00355000","expiry":"2025-05-16","option_type":"straddle","strike":"1","premium":"1"}]""", "field 'option_type' must be \"call\" or \"put\", got \"straddle\"")]
    [InlineData("""["option_trades:X",{"id":"t","underlying_symbol":"X","executed_at":1,"size":1.5,"price":"1","option_symbol":"X","expiry":"2025-05-16","option_type":"put","strike":"1","premium":"1"}]""", "field 'size' must be an integer, got number 1.5")]
    [InlineData("""["option_trades:X",{"id":"t","underlying_symbol":"X","executed_at":1,"size":1,"price":"1","option_symbol":"X","expiry":"16/05/2025","option_type":"put","strike":"1","premium":"1"}]""", "field 'expiry' must be a YYYY-MM-DD date, got \"16/05/2025\"")]
    [InlineData("""["flow-alerts",{"id":"a","ticker":"X","option_chain":"X","executed_at":1,"total_premium":"36466"}]""", "field 'total_premium' must be a number, got string \"36466\"")]
    [InlineData("""["news",{"headline":"h","timestamp":1749678056000}]""", "field 'timestamp' must be a string, got number")]
    [InlineData("""["news",{"headline":"","timestamp":"2025-06-11T21:40:56Z"}]""", "field 'headline' is empty")]
    public void Quarantines_broken_frames_with_the_reason(string raw, string reason)
    {
        var frame = Parse(raw);

        Assert.Null(frame.Event);
        var refused = Assert.IsType<QuarantinedFrame>(frame.Refused);
        Assert.StartsWith(reason, refused.Reason);
        Assert.Equal(raw, refused.Raw);
        Assert.Equal(UwFrameParser.Source, refused.Source);
    }
}
