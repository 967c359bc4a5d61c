namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>One aggregate window's own values, before the day's running totals are added.</summary>
internal readonly record struct BarWindow(double Open, double High, double Low, double Close, double Vwap, long Volume, long AverageTradeSize);

/// <summary>Produces consecutive windows of one series.</summary>
internal interface IBarGenerator
{
    BarWindow Next(long startMs, long endMs);
}

/// <summary>Turns a run of intra-window prices into a window, rounded the way the feed prints prices.</summary>
internal static class WindowBuilder
{
    public const int Substeps = 4;

    public static BarWindow Build(double open, ReadOnlySpan<double> path, long volume, long trades, int decimals)
    {
        var o = Math.Round(open, decimals);
        double high = o, low = o, sum = 0;
        foreach (var price in path)
        {
            var p = Math.Round(price, decimals);
            high = Math.Max(high, p);
            low = Math.Min(low, p);
            sum += price;
        }
        var close = Math.Round(path[^1], decimals);
        var vwap = Math.Clamp(Math.Round(sum / path.Length, 4), low, high);
        return new BarWindow(o, high, low, close, vwap, volume, Math.Max(1, volume / Math.Max(1, trades)));
    }
}
