using Ingestion.Replay.Polygon.Synthetic;

namespace Ingestion.Replay.UnusualWhales.Synthetic;

internal enum TradeSide
{
    Ask,
    Bid,
    Mid,
}

/// <summary>One option trade with the contract's running day totals after it (protocols.md §1.1 option_trades).</summary>
internal sealed record OptionTrade(
    string Id,
    string Ticker,
    string OptionSymbol,
    DateOnly Expiry,
    bool IsCall,
    decimal Strike,
    long ExecutedAtMs,
    long CreatedAtMs,
    decimal UnderlyingPrice,
    decimal Bid,
    decimal Ask,
    decimal Price,
    int Size,
    TradeSide Side,
    string TradeCode,
    string Exchange,
    double ImpliedVolatility,
    OptionGreeks Greeks,
    bool IsEtf,
    ContractDay Day)
{
    public decimal Premium => Price * Size * 100;
}

/// <summary>A contract's open interest and volume so far today, split by side.</summary>
internal sealed record ContractDay(long OpenInterest, long Volume, long AskVol, long BidVol, long MidVol, long NoSideVol, long MultiVol, long StockMultiVol);

/// <summary>Trades that print together: a single trade, a sweep across exchanges, or the legs of a multi-leg order.</summary>
internal sealed record OptionPrint(IReadOnlyList<OptionTrade> Trades, bool IsSweep, bool IsMultiLeg);

/// <summary>
/// A deterministic options tape for one underlying: a few prints per second at market-time pace, OCC contracts on
/// the strike grid around the underlying, the next Friday expiries, calls and puts, ask/bid/mid sides with
/// Black–Scholes prices, occasional blocks, sweeps and multi-leg orders. Two tapes built with the same seed,
/// ticker and origin print the same trades, so flow alerts can be derived from a private copy of the tape.
/// </summary>
internal sealed class OptionTape
{
    private const double MeanGapMs = 350;

    private static readonly string[] Exchanges = ["XCBO", "MPRL", "GMNI", "EMLD", "ARCO", "BATO", "C2OX", "EDGO", "MXOP", "XPHO", "XISX", "AMXO"];

    private readonly UnderlyingPath underlying;
    private readonly Random random;
    private readonly Dictionary<string, ContractDay> days = new(StringComparer.Ordinal);
    private long nowMs;

    public OptionTape(UnderlyingPath underlying, long originMs, int seed)
    {
        this.underlying = underlying;
        random = new Random(StableSeed.For(seed, "uw-tape:" + underlying.Ticker));
        nowMs = originMs;
    }

    public string Ticker => underlying.Ticker;

    public OptionPrint NextPrint()
    {
        nowMs += 1 + (long)(-Math.Log(1 - random.NextDouble()) * MeanGapMs);
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.07 => Sweep(),
            < 0.10 => MultiLeg(),
            _ => new OptionPrint([Trade(PickContract(), nowMs, PickSide(), SingleSize(), "auto", Pick(Exchanges))], false, false),
        };
    }

    private OptionPrint Sweep()
    {
        var contract = PickContract();
        var side = random.NextDouble() < 0.8 ? TradeSide.Ask : TradeSide.Bid;
        var legs = random.Next(2, 7);
        var trades = new List<OptionTrade>(legs);
        var at = nowMs;
        foreach (var exchange in Exchanges.OrderBy(_ => random.Next()).Take(legs))
        {
            trades.Add(Trade(contract, at, side, random.Next(10, 120), "isoi", exchange));
            at += random.Next(0, 4);
        }
        nowMs = at;
        return new OptionPrint(trades, true, false);
    }

    private OptionPrint MultiLeg()
    {
        var first = PickContract();
        var step = UwFormat.StrikeStep(underlying.PriceAt(nowMs));
        var second = first with { Strike = first.Strike + step * random.Next(1, 5) };
        var size = random.Next(5, 200);
        var exchange = Pick(Exchanges);
        return new OptionPrint(
            [Trade(first, nowMs, TradeSide.Mid, size, "mlet", exchange, multi: true), Trade(second, nowMs, TradeSide.Mid, size, "mlet", exchange, multi: true)],
            false, true);
    }

    private OptionTrade Trade(Contract contract, long at, TradeSide side, int size, string code, string exchange, bool multi = false)
    {
        var spot = underlying.PriceAt(at);
        var years = (contract.Expiry.ToDateTime(new TimeOnly(20, 0)) - DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime).TotalDays / 365.25;
        var moneyness = Math.Abs(Math.Log((double)contract.Strike / (double)spot));
        var iv = (underlying.IsEtf ? 0.16 : 0.38) + 1.5 * moneyness + 0.01 * random.NextDouble();
        var greeks = OptionGreeks.Price(contract.IsCall, (double)spot, (double)contract.Strike, years, iv);
        var theo = Math.Max(0.01m, (decimal)greeks.Theo);
        var halfSpread = Math.Max(0.01m, Math.Round(theo * 0.015m, 2));
        var bid = Math.Max(0.01m, Math.Round(theo - halfSpread, 2));
        var ask = Math.Max(bid + 0.01m, Math.Round(theo + halfSpread, 2));
        var price = side switch
        {
            TradeSide.Ask => ask,
            TradeSide.Bid => bid,
            _ => Math.Round((bid + ask) / 2, 2),
        };

        var symbol = UwFormat.OptionSymbol(Ticker, contract.Expiry, contract.IsCall, contract.Strike);
        var day = days.TryGetValue(symbol, out var known) ? known : new ContractDay(OpenInterest(symbol), 0, 0, 0, 0, 0, 0, 0);
        day = day with
        {
            Volume = day.Volume + size,
            AskVol = day.AskVol + (side == TradeSide.Ask ? size : 0),
            BidVol = day.BidVol + (side == TradeSide.Bid ? size : 0),
            MidVol = day.MidVol + (side == TradeSide.Mid ? size : 0),
            MultiVol = day.MultiVol + (multi ? size : 0),
        };
        days[symbol] = day;

        return new OptionTrade(UwFormat.Uuid(random), Ticker, symbol, contract.Expiry, contract.IsCall, contract.Strike, at, at + random.Next(15, 60),
            spot, bid, ask, price, size, side, code, exchange, iv, greeks with { Theo = (double)theo }, underlying.IsEtf, day);
    }

    private Contract PickContract()
    {
        var spot = underlying.PriceAt(nowMs);
        var step = UwFormat.StrikeStep(spot);
        var offset = (int)Math.Round(PriceWalk.NextGaussian(random) * 4);
        var strike = Math.Max(step, Math.Round(spot / step) * step + offset * step);
        var today = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(nowMs).UtcDateTime);
        var expiries = UwFormat.Fridays(today, 4);
        var expiry = expiries[Math.Min(expiries.Count - 1, (int)Math.Floor(-Math.Log(1 - random.NextDouble()) * 1.2))];
        return new Contract(expiry, random.NextDouble() < 0.55, strike);
    }

    private TradeSide PickSide() => random.NextDouble() switch
    {
        < 0.42 => TradeSide.Ask,
        < 0.84 => TradeSide.Bid,
        _ => TradeSide.Mid,
    };

    private int SingleSize() => random.NextDouble() switch
    {
        < 0.70 => random.Next(1, 11),
        < 0.95 => random.Next(10, 51),
        _ => random.Next(50, 501),
    };

    private long OpenInterest(string symbol) => 100 + (uint)StableSeed.For(17, symbol) % 25_000;

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private readonly record struct Contract(DateOnly Expiry, bool IsCall, decimal Strike);
}
