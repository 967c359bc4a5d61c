using Ingestion.Replay.Polygon.Synthetic;

namespace Ingestion.Replay.UnusualWhales.Synthetic;

/// <summary>
/// Starting prices and volatility for the single stocks UW flow is usually about; the index ETFs and anything
/// else use the Polygon generator's profiles, so both feeds quote SPY, QQQ and IWM alike.
/// </summary>
internal static class UwInstruments
{
    private static readonly Dictionary<string, InstrumentProfile> Stocks = new(StringComparer.Ordinal)
    {
        ["AAPL"] = new(230, 2.0e-4, null, 0, 900),
        ["TSLA"] = new(350, 4.0e-4, null, 0, 1500),
        ["NVDA"] = new(180, 3.0e-4, null, 0, 3000),
        ["AMD"] = new(160, 3.5e-4, null, 0, 800),
        ["MSFT"] = new(510, 1.8e-4, null, 0, 400),
        ["AMZN"] = new(225, 2.2e-4, null, 0, 700),
        ["META"] = new(700, 2.5e-4, null, 0, 300),
        ["GOOGL"] = new(250, 2.2e-4, null, 0, 500),
        ["JPM"] = new(300, 1.6e-4, null, 0, 200),
        ["DIA"] = new(440, 1.0e-4, null, 0, 60),
    };

    public static InstrumentProfile For(string ticker) => Stocks.TryGetValue(ticker, out var profile) ? profile : InstrumentProfile.For(ticker);
}
