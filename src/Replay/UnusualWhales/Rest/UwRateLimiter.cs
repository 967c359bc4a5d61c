using System.Collections.Concurrent;

namespace Ingestion.Replay.UnusualWhales.Rest;

/// <summary>Where a token stands after a request: the five x-uw-* header values, and whether the request may proceed.</summary>
public readonly record struct UwUsage(bool Allowed, bool DailyExhausted, long DailyCount, long DailyLimit, int MinuteCount, int MinuteLimit, long MinuteResetMs, TimeSpan RetryAfter)
{
    public int MinuteRemaining => Math.Max(0, MinuteLimit - MinuteCount);
}

/// <summary>
/// UW's per-token budgets (protocols.md §1.2 "Rate-limit headers"): a per-minute counter that resets a fixed
/// 60 s after the window's first request (the reset header counts down to it), and a daily counter that resets at
/// 8 PM US/Eastern. Only successful hits count, as the header names say; a refused request changes nothing.
/// </summary>
public sealed class UwRateLimiter(int perMinute, long perDay, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, TokenUsage> tokens = new(StringComparer.Ordinal);

    /// <summary>Counts one hit for <paramref name="token"/> if both budgets allow it.</summary>
    public UwUsage TryAcquire(string token) => Check(token, acquire: true);

    /// <summary>Where <paramref name="token"/> stands, counting nothing (for a 429 forced by a fault).</summary>
    public UwUsage Peek(string token) => Check(token, acquire: false);

    private UwUsage Check(string token, bool acquire)
    {
        var usage = tokens.GetOrAdd(token, static _ => new TokenUsage());
        var now = time.GetUtcNow();
        lock (usage)
        {
            if (now >= usage.WindowEnd)
            {
                usage.WindowEnd = now + Window;
                usage.MinuteCount = 0;
            }
            var day = UwTradingDay.UsageDay(now);
            if (day != usage.Day)
            {
                usage.Day = day;
                usage.DailyCount = 0;
            }

            var resetMs = (long)Math.Ceiling((usage.WindowEnd - now).TotalMilliseconds);
            if (usage.DailyCount >= perDay)
                return Usage(usage, false, true, resetMs, UwTradingDay.NextDailyReset(now) - now);
            if (usage.MinuteCount >= perMinute)
                return Usage(usage, false, false, resetMs, usage.WindowEnd - now);
            if (!acquire) return Usage(usage, true, false, resetMs, usage.WindowEnd - now);

            usage.MinuteCount++;
            usage.DailyCount++;
            return Usage(usage, true, false, resetMs, TimeSpan.Zero);
        }
    }

    private UwUsage Usage(TokenUsage usage, bool allowed, bool daily, long resetMs, TimeSpan retryAfter) =>
        new(allowed, daily, usage.DailyCount, perDay, usage.MinuteCount, perMinute, resetMs, retryAfter);

    private sealed class TokenUsage
    {
        public DateTimeOffset WindowEnd { get; set; } = DateTimeOffset.MinValue;

        public int MinuteCount { get; set; }

        public DateOnly Day { get; set; }

        public long DailyCount { get; set; }
    }
}
