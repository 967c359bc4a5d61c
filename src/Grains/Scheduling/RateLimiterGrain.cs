using Orleans.Concurrency;
using Ingestion.Sources.UnusualWhales;
using Ingestion.Sources.UnusualWhales.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion.Scheduling;

/// <summary>
/// The shared REST budget of one credential. Every token it hands out is remembered for 60 s (a sliding-window log),
/// so no 60-second window, aligned with the server's or not, ever holds more than <c>RequestsPerMinute</c> requests.
/// The budget has two pools: scheduled polls may use all but the reserved share, follow-ups and retries only the
/// reserve. While tokens are short, callers wait in the grain (it is reentrant: state changes only between awaits)
/// and are served strictly by tier, 0 first; tiers 2 and 3 wait while the minute's use is past the cutoff. Server
/// feedback tightens this further: the <c>x-uw-*</c> remaining count (a fresh activation, e.g. after a silo loss, sends
/// one request at a time until it has heard that count, since its predecessor's grants died with it), 429s (back-off from 10 s, doubling, or
/// <c>Retry-After</c> when longer) and daily exhaustion (pause until the 8 PM US/Eastern reset). Storage pressure holds
/// the lower tiers too: while any polling silo reports its writers backlogged, tiers from <c>StorageBacklogHoldsTier</c>
/// wait (a silo's report counts for three keep-alive intervals, so a dead silo's last word expires).
/// </summary>
[Reentrant]
public sealed class RateLimiterGrain(
    IOptions<UnusualWhalesOptions> source,
    IOptions<UnusualWhalesRestOptions> rest,
    TimeProvider time,
    ILogger<RateLimiterGrain> logger) : Grain, IRateLimiterGrain
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private readonly Queue<(DateTimeOffset At, RatePurpose Purpose)> _grants = new();
    private readonly List<Waiter> _waiting = [];
    private readonly Dictionary<int, long> _deferred = [];
    private readonly Dictionary<int, long> _grantedByTier = [];
    private readonly Dictionary<string, (StorageReport Report, DateTimeOffset At)> _storage = [];
    private long _granted;
    private long _sequence;
    private long _rateLimited;
    private int _consecutive429;
    private DateTimeOffset? _pausedUntil;
    private string? _pauseReason;
    private int? _serverRemaining;
    private DateTimeOffset _serverWindowEnd;
    private int _grantsSinceServerReport;

    // A new activation (after a silo loss) cannot know what its predecessor spent this minute: until the server has
    // told it (x-uw-req-per-minute-remaining), it lets one request out at a time.
    private bool _synced;
    private DateTimeOffset? _probeSince;

    private int Limit => source.Value.RequestsPerMinute;

    private int Reserved => (int)Math.Floor(Limit * rest.Value.ReservedFraction);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(_ => { Pump(); return Task.CompletedTask; }, new GrainTimerCreationOptions(PumpInterval, PumpInterval) { Interleave = true, KeepAlive = true });
        return Task.CompletedTask;
    }

    public async Task<RateLease> AcquireAsync(RateRequest request)
    {
        var waiter = new Waiter(request, _sequence++);
        _waiting.Add(waiter);
        Pump();
        if (waiter.Done.Task.IsCompleted) return await waiter.Done.Task;

        Increment(_deferred, request.Tier);
        try
        {
            return await waiter.Done.Task.WaitAsync(rest.Value.MaxTokenWait, time);
        }
        catch (TimeoutException)
        {
            _waiting.Remove(waiter);
            if (waiter.Done.Task.IsCompletedSuccessfully) return waiter.Done.Task.Result; // granted in the same instant
            return new RateLease(false, NextChance(time.GetUtcNow()), WhyNot(request, time.GetUtcNow()) ?? (_synced ? "outranked" : "waiting for the server's count"));
        }
    }

    public Task ReportAsync(RateReport report)
    {
        var now = time.GetUtcNow();
        if (report.MinuteRemaining is { } remaining)
        {
            // Answers can arrive out of order: within one server window the lowest count heard (less what went out
            // since) is the truth; a later answer may not yet include requests still in flight.
            _serverRemaining = ServerAvailable(now) is { } known ? Math.Min(known, remaining) : remaining;
            _serverWindowEnd = now + TimeSpan.FromMilliseconds(Math.Clamp(report.MinuteResetMs ?? 60_000, 0, 60_000));
            _grantsSinceServerReport = 0;
        }
        if (!_synced)
        {
            _probeSince = null;
            _synced = report.MinuteRemaining is not null;
        }
        var dailyExhausted = report.DailyCount is { } count && report.DailyLimit is { } limit && limit > 0 && count >= limit;
        if (dailyExhausted)
        {
            Pause(NextDailyReset(now), "daily limit reached");
        }
        else if (report.Status == 429)
        {
            _rateLimited++;
            var backoff = TimeSpan.FromTicks(Math.Min(
                rest.Value.RateLimitBackoff.Ticks * (1L << Math.Min(_consecutive429, 10)),
                rest.Value.MaxRateLimitBackoff.Ticks));
            _consecutive429++;
            // Retry-After wins when it asks for longer, up to MaxRateLimitBackoff (a bogus hour-long value must not stall polling).
            if (report.RetryAfter is { } retryAfter && retryAfter > backoff) backoff = TimeSpan.FromTicks(Math.Min(retryAfter.Ticks, rest.Value.MaxRateLimitBackoff.Ticks));
            Pause(now + backoff, "429 from server");
        }
        else if (report.Status is >= 200 and < 300)
        {
            _consecutive429 = 0;
        }
        return Task.CompletedTask;
    }

    public Task ReportStorageAsync(StorageReport report)
    {
        var now = time.GetUtcNow();
        var wasBacklogged = StorageBacklogged(now);
        _storage[report.Silo] = (report, now);
        var backlogged = StorageBacklogged(now);
        if (backlogged != wasBacklogged)
        {
            if (backlogged)
            {
                logger.LogWarning("REST budget {Limiter} holds tiers {Tier}+ while storage is backlogged on {Silo} ({Backlog} rows, {Behind:0.0} s behind)",
                    this.GetPrimaryKeyString(), rest.Value.StorageBacklogHoldsTier, report.Silo, report.Backlog, report.BehindSeconds);
            }
            else
            {
                logger.LogInformation("REST budget {Limiter} releases the lower tiers: storage caught up", this.GetPrimaryKeyString());
            }
        }
        Pump();
        return Task.CompletedTask;
    }

    public Task<RateLimiterStatus> GetStatusAsync()
    {
        var now = time.GetUtcNow();
        Expire(now);
        var scheduled = _grants.Count(g => g.Purpose == RatePurpose.Scheduled);
        return Task.FromResult(new RateLimiterStatus(
            Limit, Reserved, _grants.Count, scheduled, _grants.Count - scheduled, _granted,
            new Dictionary<int, long>(_deferred), new Dictionary<int, long>(_grantedByTier), _waiting.Count, _rateLimited,
            _pausedUntil > now ? _pausedUntil : null, _pausedUntil > now ? _pauseReason : null,
            ServerAvailable(now),
            _synced,
            [.. BackloggedSilos(now)]));
    }

    private void Pause(DateTimeOffset until, string reason)
    {
        if (_pausedUntil is { } current && current >= until) return;
        _pausedUntil = until;
        _pauseReason = reason;
        logger.LogWarning("REST budget {Limiter} paused until {Until}: {Reason}", this.GetPrimaryKeyString(), until, reason);
    }

    /// <summary>Hands out every token that is free now, best tier first, oldest first within a tier.</summary>
    private void Pump()
    {
        if (_waiting.Count == 0) return;
        var now = time.GetUtcNow();
        Expire(now);
        foreach (var waiter in _waiting.OrderBy(w => w.Request.Tier).ThenBy(w => w.Sequence).ToList())
        {
            var reason = WhyNot(waiter.Request, now);
            if (reason is "paused" or "server says none left") return;
            if (reason is not null) continue; // this pool is full or this tier is held back; a better waiter of the other pool may still go
            if (OutrankedInPool(waiter)) continue;
            if (!_synced)
            {
                if (_probeSince + rest.Value.RequestTimeout + TimeSpan.FromSeconds(5) > now) return; // one probe at a time until the server's count is known
                _probeSince = now;
            }
            _waiting.Remove(waiter);
            _grants.Enqueue((now, waiter.Request.Purpose));
            _grantsSinceServerReport++;
            _granted++;
            Increment(_grantedByTier, waiter.Request.Tier);
            waiter.Done.TrySetResult(new RateLease(true, TimeSpan.Zero, null));
        }
    }

    /// <summary>Strict priority: nobody of a worse tier takes a token from a pool a better tier is waiting for.</summary>
    private bool OutrankedInPool(Waiter waiter) =>
        _waiting.Any(w => w.Request.Purpose == waiter.Request.Purpose && (w.Request.Tier < waiter.Request.Tier
            || (w.Request.Tier == waiter.Request.Tier && w.Sequence < waiter.Sequence)));

    private string? WhyNot(RateRequest request, DateTimeOffset now)
    {
        if (_pausedUntil > now) return "paused";
        if (ServerAvailable(now) is <= 0) return "server says none left";
        var used = _grants.Count;
        if (used >= Limit) return "budget used";
        if (request.Tier >= 2 && used >= rest.Value.LowPriorityCutoff * Limit) return "low priority held back";
        if (request.Tier >= rest.Value.StorageBacklogHoldsTier && StorageBacklogged(now)) return "storage backlogged";
        var scheduled = _grants.Count(g => g.Purpose == RatePurpose.Scheduled);
        return request.Purpose == RatePurpose.Scheduled
            ? scheduled >= Math.Max(1, Limit - Reserved) ? "scheduled share used" : null
            : used - scheduled >= Math.Max(1, Reserved) ? "reserve used" : null;
    }

    private bool StorageBacklogged(DateTimeOffset now) => BackloggedSilos(now).Any();

    private IEnumerable<string> BackloggedSilos(DateTimeOffset now) => _storage
        .Where(s => s.Value.Report.Backlogged && now - s.Value.At <= 3 * rest.Value.KeepAliveInterval)
        .Select(s => s.Key)
        .Order(StringComparer.Ordinal);

    private int? ServerAvailable(DateTimeOffset now) =>
        _serverRemaining is { } remaining && now < _serverWindowEnd ? remaining - _grantsSinceServerReport : null;

    private TimeSpan NextChance(DateTimeOffset now)
    {
        if (_pausedUntil > now) return _pausedUntil.Value - now;
        return _grants.TryPeek(out var oldest) ? oldest.At + Window - now : TimeSpan.FromSeconds(1);
    }

    private void Expire(DateTimeOffset now)
    {
        while (_grants.TryPeek(out var oldest) && oldest.At + Window <= now) _grants.Dequeue();
    }

    private static void Increment(Dictionary<int, long> counts, int tier) => counts[tier] = counts.GetValueOrDefault(tier) + 1;

    /// <summary>UW's daily counters reset at 8 PM US/Eastern (protocols.md §1.2).</summary>
    private static DateTimeOffset NextDailyReset(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, NewYork);
        var reset = local.Date.AddHours(20);
        if (local.DateTime >= reset) reset = reset.AddDays(1);
        return new DateTimeOffset(reset, NewYork.GetUtcOffset(reset));
    }

    private sealed class Waiter(RateRequest request, long sequence)
    {
        public RateRequest Request { get; } = request;
        public long Sequence { get; } = sequence;
        public TaskCompletionSource<RateLease> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
