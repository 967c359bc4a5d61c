namespace Ingestion.Replay.UnusualWhales.Synthetic;

/// <summary>price:&lt;T&gt; payloads, one a second: {"close":"562.82","time":ms,"vol":cumulative} (protocols.md §1.1).</summary>
internal sealed class PriceSource(UnderlyingPath underlying, long startMs) : IUwEventSource
{
    public const long IntervalMs = 1000;

    private long nextMs = AlignUp(startMs, IntervalMs);

    public UwEvent Next()
    {
        var at = nextMs;
        nextMs += IntervalMs;
        return new UwEvent(at, UwJson.Object(w =>
        {
            w.WriteString("close", UwFormat.Cents(underlying.PriceAt(at)));
            w.WriteNumber("time", at);
            w.WriteNumber("vol", underlying.VolumeAt(at));
        }));
    }

    public static long AlignUp(long ms, long unit) => (ms + unit - 1) / unit * unit;
}
