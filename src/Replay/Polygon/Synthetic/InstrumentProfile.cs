namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>How a synthetic instrument moves: starting price, per-second volatility, optional mean reversion, typical volume.</summary>
internal sealed record InstrumentProfile(double StartPrice, double SigmaPerSecond, double? MeanLevel, double ReversionPerSecond, long VolumePerSecond)
{
    private static readonly InstrumentProfile Default = new(100, 1.5e-4, null, 0, 500);

    /// <summary>Profile by ticker; the I: prefix of index tickers is ignored.</summary>
    public static InstrumentProfile For(string symbol) => StripIndexPrefix(symbol) switch
    {
        "SPY" => new(590, 1.0e-4, null, 0, 4000),
        "QQQ" => new(510, 1.2e-4, null, 0, 2500),
        "IWM" => new(225, 1.4e-4, null, 0, 1500),
        "VIX" => new(17, 2.5e-3, 17, 1.5e-3, 0),
        "SPX" => new(5900, 1.0e-4, null, 0, 0),
        "NDX" => new(21000, 1.2e-4, null, 0, 0),
        "RUT" => new(2250, 1.4e-4, null, 0, 0),
        _ => Default,
    };

    private static string StripIndexPrefix(string symbol) => symbol.StartsWith("I:", StringComparison.Ordinal) ? symbol[2..] : symbol;
}
