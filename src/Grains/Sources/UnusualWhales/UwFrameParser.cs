using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingestion.Events;
using Ingestion.Sources.Feeds;

namespace Ingestion.Sources.UnusualWhales;

/// <summary>A join (or leave) reply: <c>[channel, {"response":{…},"status":"ok"}]</c>.</summary>
public readonly record struct UwJoinReply(string Channel, string Status, string Response);

/// <summary>What one frame held: an event, a join reply or a refusal, and the fields the parser did not know.</summary>
public sealed record UwFrame(string Channel, UwEvent? Event, UwJoinReply? Reply, QuarantinedFrame? Refused, IReadOnlyList<string> UnknownFields);

/// <summary>
/// Parses Unusual Whales WebSocket frames (protocols.md §1.1): every frame is <c>[channel, payload]</c>
/// with one payload, typed as documented (flow-alert premiums are numbers, option-trade prices are
/// strings, GEX values are strings that may be empty, timestamps are epoch ms except news). Unknown
/// fields stay in the raw payload and are reported for schema-drift counting.
/// </summary>
public sealed class UwFrameParser(string connection)
{
    public const string Source = "unusual-whales";

    private static readonly FrozenSet<string> FlowAlertFields = FrozenSet.ToFrozenSet([
        "rule_id", "rule_name", "ticker", "option_chain", "underlying_price", "volume", "total_size", "total_premium",
        "total_ask_side_prem", "total_bid_side_prem", "start_time", "end_time", "url", "price", "has_multileg", "has_sweep",
        "has_floor", "open_interest", "all_opening_trades", "id", "has_singleleg", "volume_oi_ratio", "trade_ids", "trade_count",
        "expiry_count", "executed_at", "ask_vol", "bid_vol", "no_side_vol", "mid_vol", "multi_vol", "stock_multi_vol",
        "upstream_condition_details", "exchanges", "bid", "ask"]);

    private static readonly FrozenSet<string> OptionTradeFields = FrozenSet.ToFrozenSet([
        "id", "underlying_symbol", "executed_at", "nbbo_bid", "nbbo_ask", "size", "price", "option_symbol", "created_at",
        "report_flags", "tags", "expiry", "option_type", "open_interest", "strike", "premium", "volume", "underlying_price",
        "ewma_nbbo_ask", "ewma_nbbo_bid", "implied_volatility", "delta", "theta", "gamma", "vega", "rho", "theo", "trade_code",
        "exchange", "ask_vol", "bid_vol", "no_side_vol", "mid_vol", "multi_vol", "stock_multi_vol"]);

    private static readonly FrozenSet<string> GexFields = FrozenSet.ToFrozenSet([
        "ticker", "timestamp", "price",
        "gamma_per_one_percent_move_oi", "delta_per_one_percent_move_oi", "charm_per_one_percent_move_oi", "vanna_per_one_percent_move_oi",
        "gamma_per_one_percent_move_vol", "delta_per_one_percent_move_vol", "charm_per_one_percent_move_vol", "vanna_per_one_percent_move_vol",
        "gamma_per_one_percent_move_dir", "charm_per_one_percent_move_dir", "vanna_per_one_percent_move_dir"]);

    private static readonly FrozenSet<string> GexStrikeFields = FrozenSet.ToFrozenSet(
        new[] { "ticker", "expiry", "timestamp", "strike", "price" }
            .Concat(from side in new[] { "call", "put" }
                    from greek in new[] { "gamma", "charm", "vanna", "delta" }
                    from basis in new[] { "oi", "vol", "ask_vol", "bid_vol" }
                    select $"{side}_{greek}_{basis}"));

    private static readonly FrozenSet<string> PriceFields = FrozenSet.ToFrozenSet(["close", "time", "vol"]);

    private static readonly FrozenSet<string> NewsFields = FrozenSet.ToFrozenSet(["headline", "timestamp", "source", "tickers", "is_trump_ts"]);

    public UwFrame Parse(ReadOnlyMemory<byte> frame, DateTimeOffset receivedAt)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame);
        }
        catch (JsonException ex)
        {
            return Refused("", frame, receivedAt, $"malformed JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != 2)
            {
                return Refused("", frame, receivedAt, root.ValueKind == JsonValueKind.Array
                    ? $"frame is an array of {root.GetArrayLength()} elements, expected [channel, payload]"
                    : $"frame is a JSON {Kind(root)}, expected [channel, payload]");
            }
            var channelElement = root[0];
            var payload = root[1];
            if (channelElement.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(channelElement.GetString()))
            {
                return Refused("", frame, receivedAt, $"channel must be a non-empty string, got {Kind(channelElement)}");
            }
            var channel = channelElement.GetString()!;
            if (payload.ValueKind != JsonValueKind.Object)
            {
                return Refused(channel, frame, receivedAt, $"payload of {channel} is a JSON {Kind(payload)}, expected an object");
            }
            if (payload.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String && payload.TryGetProperty("response", out var response))
            {
                return new UwFrame(channel, null, new UwJoinReply(channel, status.GetString()!, response.GetRawText()), null, []);
            }

            var (family, ticker) = Split(channel);
            var ingress = new IngressStamp(Source, receivedAt, payload.GetRawText(), CanonicalJson.Hash(payload));
            var fields = new JsonFields(payload);
            (UwEvent? parsed, FrozenSet<string>? known) = family switch
            {
                "flow-alerts" => (FlowAlert(ref fields, ingress), FlowAlertFields),
                "option_trades" => (OptionTrade(ref fields, ingress), OptionTradeFields),
                "gex" => (Gex(ref fields, ingress, ticker), GexFields),
                "gex_strike" => (GexStrike(ref fields, ingress, ticker, withExpiry: false), GexStrikeFields),
                "gex_strike_expiry" => (GexStrike(ref fields, ingress, ticker, withExpiry: true), GexStrikeFields),
                "price" when ticker is not null => (Price(ref fields, ingress, ticker), PriceFields),
                "news" => (News(ref fields, ingress), NewsFields),
                _ => ((UwEvent?)null, (FrozenSet<string>?)null),
            };
            if (known is null)
            {
                return Refused(channel, frame, receivedAt, $"unknown channel '{channel}'");
            }
            if (fields.Error is { } error)
            {
                return Refused(channel, frame, receivedAt, error);
            }
            var unknown = payload.EnumerateObject().Select(p => p.Name).Where(n => !known.Contains(n)).ToList();
            return new UwFrame(channel, parsed, null, null, unknown);
        }
    }

    /// <summary>Refuses a frame whole, e.g. one larger than the connection accepts.</summary>
    public QuarantinedFrame Refuse(ReadOnlySpan<byte> raw, DateTimeOffset receivedAt, string reason) =>
        QuarantinedFrame.Create(Source, connection, receivedAt, reason, Encoding.UTF8.GetString(raw));

    /// <summary><c>gex_strike:SPY</c> → (<c>gex_strike</c>, <c>SPY</c>); <c>news</c> → (<c>news</c>, null).</summary>
    public static (string Family, string? Ticker) Split(string channel)
    {
        var colon = channel.IndexOf(':');
        return colon < 0 ? (channel, null) : (channel[..colon], channel[(colon + 1)..].ToUpperInvariant());
    }

    private UwFrame Refused(string channel, ReadOnlyMemory<byte> frame, DateTimeOffset receivedAt, string reason) =>
        new(channel, null, null, Refuse(frame.Span, receivedAt, reason), []);

    private static UwFlowAlert? FlowAlert(ref JsonFields f, IngressStamp ingress)
    {
        var alert = new UwFlowAlert
        {
            AlertId = f.RequiredString("id")!,
            Ticker = f.RequiredString("ticker")?.ToUpperInvariant()!,
            OptionChain = f.RequiredString("option_chain")!,
            RuleName = f.OptionalString("rule_name") ?? "",
            EventTime = DateTimeOffset.FromUnixTimeMilliseconds(f.Has("executed_at") ? f.RequiredEpochMs("executed_at") : f.RequiredEpochMs("end_time")),
            UnderlyingPrice = f.OptionalDecimal("underlying_price"),
            Price = f.OptionalDecimal("price"),
            Volume = f.OptionalLong("volume"),
            TotalSize = f.OptionalLong("total_size"),
            TotalPremium = f.RequiredDecimal("total_premium"),
            AskSidePremium = f.OptionalDecimal("total_ask_side_prem"),
            BidSidePremium = f.OptionalDecimal("total_bid_side_prem"),
            HasSweep = f.OptionalBool("has_sweep") ?? false,
            HasMultileg = f.OptionalBool("has_multileg") ?? false,
            OpenInterest = f.OptionalLong("open_interest"),
            TradeCount = (int?)f.OptionalLong("trade_count"),
            TradeIds = f.OptionalStrings("trade_ids"),
            Bid = f.OptionalStringDecimal("bid"),
            Ask = f.OptionalStringDecimal("ask"),
            Ingress = ingress,
        };
        return f.Error is null ? alert : null;
    }

    private static UwOptionTrade? OptionTrade(ref JsonFields f, IngressStamp ingress)
    {
        var tags = f.OptionalStrings("tags");
        var optionType = f.RequiredString("option_type");
        if (optionType is not (null or "call" or "put"))
        {
            f.Reject($"field 'option_type' must be \"call\" or \"put\", got \"{optionType}\"");
        }
        var trade = new UwOptionTrade
        {
            TradeId = f.RequiredString("id")!,
            Ticker = f.RequiredString("underlying_symbol")?.ToUpperInvariant()!,
            OptionSymbol = f.RequiredString("option_symbol")!,
            EventTime = DateTimeOffset.FromUnixTimeMilliseconds(f.RequiredEpochMs("executed_at")),
            Price = f.RequiredStringDecimal("price"),
            Size = f.RequiredLong("size"),
            Premium = f.RequiredStringDecimal("premium"),
            Strike = f.RequiredStringDecimal("strike"),
            Expiry = f.RequiredDate("expiry") ?? default,
            OptionType = optionType!,
            Side = tags.Contains("ask_side") ? "ask" : tags.Contains("bid_side") ? "bid" : tags.Contains("mid_side") ? "mid" : null,
            NbboBid = f.OptionalStringDecimal("nbbo_bid"),
            NbboAsk = f.OptionalStringDecimal("nbbo_ask"),
            UnderlyingPrice = f.OptionalStringDecimal("underlying_price"),
            ImpliedVolatility = f.OptionalStringDecimal("implied_volatility"),
            Delta = f.OptionalStringDecimal("delta"),
            Gamma = f.OptionalStringDecimal("gamma"),
            Theta = f.OptionalStringDecimal("theta"),
            Vega = f.OptionalStringDecimal("vega"),
            Volume = f.OptionalLong("volume"),
            OpenInterest = f.OptionalLong("open_interest"),
            Exchange = f.OptionalString("exchange"),
            Tags = tags,
            Ingress = ingress,
        };
        return f.Error is null ? trade : null;
    }

    private static UwGexSnapshot? Gex(ref JsonFields f, IngressStamp ingress, string? channelTicker)
    {
        var snapshot = new UwGexSnapshot
        {
            Ticker = Ticker(ref f, channelTicker),
            EventTime = DateTimeOffset.FromUnixTimeMilliseconds(f.RequiredEpochMs("timestamp")),
            Price = f.OptionalStringDecimal("price"),
            GammaPerOnePercentOi = f.OptionalStringDecimal("gamma_per_one_percent_move_oi"),
            GammaPerOnePercentVolume = f.OptionalStringDecimal("gamma_per_one_percent_move_vol"),
            GammaPerOnePercentDirectional = f.OptionalStringDecimal("gamma_per_one_percent_move_dir"),
            DeltaPerOnePercentOi = f.OptionalStringDecimal("delta_per_one_percent_move_oi"),
            CharmPerOnePercentOi = f.OptionalStringDecimal("charm_per_one_percent_move_oi"),
            VannaPerOnePercentOi = f.OptionalStringDecimal("vanna_per_one_percent_move_oi"),
            Ingress = ingress,
        };
        return f.Error is null ? snapshot : null;
    }

    private static UwGexStrike? GexStrike(ref JsonFields f, IngressStamp ingress, string? channelTicker, bool withExpiry)
    {
        var strike = new UwGexStrike
        {
            Ticker = Ticker(ref f, channelTicker),
            EventTime = DateTimeOffset.FromUnixTimeMilliseconds(f.RequiredEpochMs("timestamp")),
            Strike = f.RequiredStringDecimal("strike"),
            Expiry = withExpiry ? f.RequiredDate("expiry") : null,
            Price = f.OptionalStringDecimal("price"),
            CallGammaOi = f.OptionalStringDecimal("call_gamma_oi"),
            PutGammaOi = f.OptionalStringDecimal("put_gamma_oi"),
            CallGammaVolume = f.OptionalStringDecimal("call_gamma_vol"),
            PutGammaVolume = f.OptionalStringDecimal("put_gamma_vol"),
            Ingress = ingress,
        };
        return f.Error is null ? strike : null;
    }

    private static UwPriceTick? Price(ref JsonFields f, IngressStamp ingress, string ticker)
    {
        var tick = new UwPriceTick
        {
            Ticker = ticker,
            EventTime = DateTimeOffset.FromUnixTimeMilliseconds(f.RequiredEpochMs("time")),
            Close = f.RequiredStringDecimal("close"),
            CumulativeVolume = f.OptionalLong("vol"),
            Ingress = ingress,
        };
        return f.Error is null ? tick : null;
    }

    private static UwNewsHeadline? News(ref JsonFields f, IngressStamp ingress)
    {
        var headline = f.RequiredString("headline");
        var time = f.RequiredIsoTime("timestamp");
        var tickers = f.OptionalStrings("tickers");
        var news = new UwNewsHeadline
        {
            HeadlineId = HeadlineId(time, headline ?? ""),
            Headline = headline!,
            Ticker = tickers.IsDefaultOrEmpty ? "" : tickers[0].ToUpperInvariant(),
            EventTime = time,
            Source = f.OptionalString("source"),
            Tickers = tickers,
            IsTrumpTs = f.OptionalBool("is_trump_ts") ?? false,
            Ingress = ingress,
        };
        return f.Error is null ? news : null;
    }

    /// <summary>The feed has no id: SHA-256 of the timestamp (ms) and headline, hex, first 32 characters.</summary>
    public static string HeadlineId(DateTimeOffset time, string headline) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{time.ToUnixTimeMilliseconds()}|{headline}")))[..32];

    private static string Ticker(ref JsonFields f, string? channelTicker) =>
        (f.OptionalString("ticker") is { Length: > 0 } ticker ? ticker : channelTicker ?? f.RequiredString("ticker") ?? "").ToUpperInvariant();

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();
}
