using System.Text;
using Ingestion.Events;
using Ingestion.Sources.Polygon;

namespace Ingestion.Tests.Polygon;

/// <summary>Every frame shape of protocols.md §2.1, and broken ones.</summary>
public sealed class PolygonFrameParserTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 20, 15, 0, 0, TimeSpan.Zero);

    private static PolygonFrame Parse(string json, PolygonMarket market = PolygonMarket.Stocks) =>
        new PolygonFrameParser(market, "polygon/test/0").Parse(Encoding.UTF8.GetBytes(json), ReceivedAt);

    [Fact]
    public void Parses_stock_per_second_and_per_minute_aggregates_from_one_frame()
    {
        var frame = Parse("""
            [{"ev":"A","sym":"SPCE","v":200,"av":8642007,"op":25.66,"vw":25.3981,"o":25.39,"c":25.39,"h":25.39,"l":25.39,"a":25.3714,"z":50,"s":1610144868000,"e":1610144869000},
             {"ev":"AM","sym":"GTE","v":4110,"av":9470157,"op":0.4372,"vw":0.4488,"o":0.4488,"c":0.4486,"h":0.4489,"l":0.4486,"a":0.4352,"z":685,"s":1610144640000,"e":1610144700000}]
            """);

        Assert.Empty(frame.Quarantined);
        Assert.Equal(2, frame.Aggregates.Count);
        var second = frame.Aggregates[0];
        Assert.Equal("SPCE", second.Symbol);
        Assert.Equal(AggregateTimespan.Second, second.Timespan);
        Assert.Equal(PolygonMarket.Stocks, second.Market);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1610144868000), second.StartTime);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1610144869000), second.EndTime);
        Assert.Equal((25.39m, 25.39m, 25.39m, 25.39m), (second.Open, second.High, second.Low, second.Close));
        Assert.Equal(200m, second.Volume);
        Assert.Equal(8642007m, second.AccumulatedVolume);
        Assert.Equal(25.3981m, second.Vwap);
        Assert.Equal(25.3714m, second.DayVwap);
        Assert.Equal(25.66m, second.OfficialOpen);
        Assert.Equal(50m, second.AverageTradeSize);
        Assert.False(second.Otc);
        Assert.Equal("polygon", second.Ingress.Source);
        Assert.Equal(ReceivedAt, second.Ingress.ReceivedAt);
        Assert.Equal(32, second.Ingress.PayloadHash.Length);
        Assert.StartsWith("{\"ev\":\"A\",\"sym\":\"SPCE\"", second.Ingress.RawJson);

        var minute = frame.Aggregates[1];
        Assert.Equal(("GTE", AggregateTimespan.Minute, 0.4486m), (minute.Symbol, minute.Timespan, minute.Close));
    }

    [Fact]
    public void Parses_option_minute_aggregate()
    {
        var frame = Parse("""[{"ev":"AM","sym":"O:ONEM220121C00025000","v":2,"av":8,"op":2.2,"vw":2.05,"o":2.05,"c":2.05,"h":2.05,"l":2.05,"a":2.1312,"z":2,"s":1632419640000,"e":1632419700000}]""",
            PolygonMarket.Options);

        var bar = Assert.Single(frame.Aggregates);
        Assert.Equal(("O:ONEM220121C00025000", PolygonMarket.Options, AggregateTimespan.Minute), (bar.Symbol, bar.Market, bar.Timespan));
        Assert.Equal((2m, 8m), (bar.Volume, bar.AccumulatedVolume));
    }

    [Fact]
    public void Parses_index_aggregate_without_volume_fields()
    {
        var frame = Parse("""[{"ev":"A","sym":"I:SPX","op":3985.67,"o":3985.67,"c":3985.67,"h":3985.67,"l":3985.67,"s":1678220675805,"e":1678220675805}]""",
            PolygonMarket.Indices);

        var bar = Assert.Single(frame.Aggregates);
        Assert.Equal("I:SPX", bar.Symbol);
        Assert.Null(bar.Volume);
        Assert.Null(bar.AccumulatedVolume);
        Assert.Null(bar.Vwap);
        Assert.Null(bar.DayVwap);
        Assert.Null(bar.AverageTradeSize);
        Assert.Equal(3985.67m, bar.OfficialOpen);
    }

    [Fact]
    public void Reads_otc_flag_when_present()
    {
        var frame = Parse("""[{"ev":"A","sym":"OTCX","v":1,"o":1,"c":1,"h":1,"l":1,"s":1000,"e":2000,"otc":true}]""");
        Assert.True(Assert.Single(frame.Aggregates).Otc);
    }

    [Theory]
    [InlineData("""[{"ev":"status","status":"connected","message":"Connected Successfully"}]""", "connected", "Connected Successfully")]
    [InlineData("""[{"ev":"status","status":"auth_success","message":"authenticated"}]""", "auth_success", "authenticated")]
    [InlineData("""[{"ev":"status","status":"auth_failed","message":"authentication failed"}]""", "auth_failed", "authentication failed")]
    [InlineData("""[{"ev":"status","status":"auth_timeout","message":"No authentication request received."}]""", "auth_timeout", "No authentication request received.")]
    [InlineData("""[{"ev":"status","status":"success","message":"subscribed to: A.SPY"}]""", "success", "subscribed to: A.SPY")]
    [InlineData("""[{"ev":"status","status":"max_connections","message":"Maximum number of websocket connections exceeded."}]""", "max_connections", "Maximum number of websocket connections exceeded.")]
    public void Parses_status_frames(string json, string status, string message)
    {
        var frame = Parse(json);
        Assert.Equal(new PolygonStatus(status, message), Assert.Single(frame.Statuses));
        Assert.Empty(frame.Aggregates);
        Assert.Empty(frame.Quarantined);
    }

    [Fact]
    public void Accepts_several_subscribe_acks_batched_in_one_array()
    {
        var frame = Parse("""[{"ev":"status","status":"success","message":"subscribed to: T.MSFT"},{"ev":"status","status":"success","message":"subscribed to: Q.*"}]""");
        Assert.Equal(["subscribed to: T.MSFT", "subscribed to: Q.*"], frame.Statuses.Select(s => s.Message));
    }

    [Fact]
    public void Separates_status_events_inside_a_data_array()
    {
        var frame = Parse("""
            [{"ev":"A","sym":"SPY","v":1,"o":1,"c":1,"h":1,"l":1,"s":1000,"e":2000},
             {"ev":"status","status":"success","message":"subscribed to: A.QQQ"},
             {"ev":"A","sym":"QQQ","v":1,"o":2,"c":2,"h":2,"l":2,"s":1000,"e":2000}]
            """);
        Assert.Equal(["SPY", "QQQ"], frame.Aggregates.Select(a => a.Symbol));
        Assert.Equal("success", Assert.Single(frame.Statuses).Status);
    }

    [Theory]
    [InlineData("{\"ev\":\"A\"", "malformed JSON")]
    [InlineData("not json at all", "malformed JSON")]
    [InlineData("""{"ev":"A","sym":"SPY"}""", "frame is a JSON object, expected an array of events")]
    [InlineData("42", "frame is a JSON number, expected an array of events")]
    public void Quarantines_a_frame_that_is_not_an_array_of_events(string raw, string reason)
    {
        var frame = Parse(raw);
        var refused = Assert.Single(frame.Quarantined);
        Assert.StartsWith(reason, refused.Reason);
        Assert.Equal(raw, refused.Raw);
        Assert.Equal(("polygon", "polygon/test/0", ReceivedAt), (refused.Source, refused.Connection, refused.ReceivedAt));
        Assert.Empty(frame.Aggregates);
    }

    [Theory]
    [InlineData("""{"ev":"A","v":1,"o":1,"c":1,"h":1,"l":1,"s":1000,"e":2000}""", "missing required field 'sym'")]
    [InlineData("""{"ev":"A","sym":"SPY","v":1,"c":1,"h":1,"l":1,"s":1000,"e":2000}""", "missing required field 'o'")]
    [InlineData("""{"ev":"A","sym":"SPY","v":1,"o":"1.5","c":1,"h":1,"l":1,"s":1000,"e":2000}""", "field 'o' must be a number, got string \"1.5\"")]
    [InlineData("""{"ev":"A","sym":"SPY","v":1,"o":1,"c":1,"h":1,"l":1,"s":"1000","e":2000}""", "field 's' must be an integer epoch-ms timestamp, got string \"1000\"")]
    [InlineData("""{"ev":"A","sym":"SPY","v":1,"o":1,"c":1,"h":1,"l":1,"s":1000.5,"e":2000}""", "field 's' must be an integer epoch-ms timestamp, got number 1000.5")]
    [InlineData("""{"ev":"A","sym":"SPY","v":"lots","o":1,"c":1,"h":1,"l":1,"s":1000,"e":2000}""", "field 'v' must be a number, got string \"lots\"")]
    [InlineData("""{"ev":"A","sym":"SPY","v":1,"o":1,"c":1,"h":1,"l":1,"s":1000,"e":2000,"otc":"yes"}""", "field 'otc' must be a boolean, got string")]
    [InlineData("""{"ev":"A","sym":42,"o":1,"c":1,"h":1,"l":1,"s":1000,"e":2000}""", "field 'sym' must be a string, got number")]
    [InlineData("""{"ev":"A","sym":"","o":1,"c":1,"h":1,"l":1,"s":1000,"e":2000}""", "field 'sym' is empty")]
    [InlineData("""{"ev":"A","sym":"SPY","o":1,"c":1,"h":1,"l":1,"s":3000,"e":2000}""", "window ends (2000) before it starts (3000)")]
    [InlineData("""{"ev":"T","sym":"SPY","p":1,"s":1,"t":1000}""", "unsupported event type 'T'")]
    [InlineData("""{"ev":"V","val":3988.5,"T":"I:SPX","t":1678220098130}""", "unsupported event type 'V'")]
    [InlineData("""{"sym":"SPY"}""", "missing required field 'ev' (string)")]
    [InlineData("""["A","SPY"]""", "event is a JSON array, expected an object")]
    public void Quarantines_a_bad_event_and_keeps_the_rest_of_the_frame(string bad, string reason)
    {
        var frame = Parse($$"""[{"ev":"A","sym":"GOOD","v":1,"o":1,"c":1,"h":1,"l":1,"s":1000,"e":2000},{{bad}}]""");

        Assert.Equal("GOOD", Assert.Single(frame.Aggregates).Symbol);
        var refused = Assert.Single(frame.Quarantined);
        Assert.Equal(reason, refused.Reason);
        Assert.Equal(bad, refused.Raw);
    }

    [Fact]
    public void Hash_ignores_key_order_and_whitespace_but_not_values()
    {
        var a = Assert.Single(Parse("""[{"ev":"A","sym":"SPY","o":1.50,"c":1,"h":1,"l":1,"s":1000,"e":2000}]""").Aggregates);
        var b = Assert.Single(Parse("""[ { "e":2000, "s":1000, "l":1, "h":1, "c":1, "o":1.50, "sym":"SPY", "ev":"A" } ]""").Aggregates);
        var c = Assert.Single(Parse("""[{"ev":"A","sym":"SPY","o":1.51,"c":1,"h":1,"l":1,"s":1000,"e":2000}]""").Aggregates);

        Assert.Equal(a.Ingress.PayloadHash, b.Ingress.PayloadHash);
        Assert.NotEqual(a.Ingress.PayloadHash, c.Ingress.PayloadHash);
    }

    [Fact]
    public void A_huge_refused_frame_keeps_its_head_and_says_how_long_it_was()
    {
        var raw = "{" + new string('x', 300_000);

        var refused = Assert.Single(Parse(raw).Quarantined);

        Assert.Equal(QuarantinedFrame.MaxRawLength, refused.Raw.Length);
        Assert.Equal(raw[..QuarantinedFrame.MaxRawLength], refused.Raw);
        Assert.EndsWith("(raw text truncated from 300001 characters)", refused.Reason);
        Assert.StartsWith("malformed JSON:", refused.Reason);
    }
}
