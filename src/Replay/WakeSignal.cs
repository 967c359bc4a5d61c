namespace Ingestion.Replay;

/// <summary>
/// Wakes one waiting loop early (subscription change, stall lifted). Sets that arrive while nobody waits
/// are remembered; several coalesce into one wake, and a spurious wake only costs the loop one re-check.
/// </summary>
internal sealed class WakeSignal
{
    private readonly SemaphoreSlim semaphore = new(0);

    public void Set()
    {
        if (semaphore.CurrentCount == 0) semaphore.Release();
    }

    /// <summary>Waits for <see cref="Set"/> or the timeout (<see cref="Timeout.InfiniteTimeSpan"/> = no timeout).</summary>
    /// <returns>True when woken by <see cref="Set"/>.</returns>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => semaphore.WaitAsync(Clamp(timeout), ct);

    private static TimeSpan Clamp(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return timeout;
        if (timeout < TimeSpan.Zero) return TimeSpan.Zero;
        var max = TimeSpan.FromMilliseconds(int.MaxValue - 1);
        return timeout > max ? max : timeout;
    }
}
