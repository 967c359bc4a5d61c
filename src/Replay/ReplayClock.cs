namespace Ingestion.Replay;

/// <summary>
/// Maps wall time to the feeds' synthetic market time: synthetic = start + (wall - anchor) * Speed.
/// The wall anchor is a whole second, so at Speed 1 bars fall due on wall-clock second boundaries.
/// At Speed 0 nothing waits: every bar is due at once.
/// </summary>
internal sealed class ReplayClock
{
    private readonly TimeProvider time;
    private readonly DateTimeOffset wallAnchor;

    public ReplayClock(double speed, DateTimeOffset? startTime, TimeProvider time)
    {
        this.time = time;
        Speed = speed;
        wallAnchor = Truncate(time.GetUtcNow(), TimeSpan.FromSeconds(1));
        SyntheticStart = startTime ?? wallAnchor;
    }

    public double Speed { get; }

    public bool IsUnpaced => Speed == 0;

    public DateTimeOffset SyntheticStart { get; }

    public DateTimeOffset WallNow => time.GetUtcNow();

    /// <summary>Current synthetic time in epoch ms; <see cref="long.MaxValue"/> when unpaced (everything is due).</summary>
    public long SyntheticNowMs()
    {
        if (IsUnpaced) return long.MaxValue;
        var elapsedMs = (time.GetUtcNow() - wallAnchor).TotalMilliseconds * Speed;
        return SyntheticStart.ToUnixTimeMilliseconds() + (long)Math.Floor(elapsedMs);
    }

    /// <summary>Wall time left until the synthetic clock reaches <paramref name="syntheticMs"/> (zero when unpaced or past).</summary>
    public TimeSpan WallDelayUntil(long syntheticMs)
    {
        if (IsUnpaced) return TimeSpan.Zero;
        var wallDue = wallAnchor + ToWall(syntheticMs - SyntheticStart.ToUnixTimeMilliseconds());
        var delay = wallDue - time.GetUtcNow();
        return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
    }

    /// <summary>Wall duration of a span of market time at the current speed.</summary>
    public TimeSpan ToWall(long syntheticMs) => IsUnpaced ? TimeSpan.Zero : TimeSpan.FromMilliseconds(syntheticMs / Speed);

    public static DateTimeOffset Truncate(DateTimeOffset value, TimeSpan unit) =>
        new(value.UtcTicks - value.UtcTicks % unit.Ticks, TimeSpan.Zero);
}
