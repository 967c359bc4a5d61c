namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>The day's running fields of a bar: op (first open), av (accumulated volume), a (day VWAP).</summary>
internal readonly record struct DayValues(double Open, long Volume, double Vwap);

/// <summary>Accumulates one series' day; resets at UTC midnight.</summary>
internal sealed class DayTotals
{
    private DateOnly day;
    private bool started;
    private double open;
    private long volume;
    private double notional;

    public DayValues Add(long startMs, BarWindow window)
    {
        var windowDay = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(startMs).UtcDateTime);
        if (!started || windowDay != day)
        {
            started = true;
            day = windowDay;
            open = window.Open;
            volume = 0;
            notional = 0;
        }

        volume += window.Volume;
        notional += window.Vwap * window.Volume;
        var vwap = volume > 0 ? Math.Round(notional / volume, 4) : window.Close;
        return new DayValues(open, volume, vwap);
    }
}
