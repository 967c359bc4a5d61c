using Ingestion.Replay.UnusualWhales.Rest;
using Ingestion.Scheduling;
using Ingestion.Sources.UnusualWhales.Rest;
using Ingestion.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;

namespace Ingestion.Tests.UnusualWhalesRest;

/// <summary>
/// The REST budget over a simulated hour of demand far above it: the real rate-limiter grain in a real test cluster,
/// whose clock (the silo's <see cref="TimeProvider"/> and its grain timers) is a fake one this test moves a second at a
/// time, while requesters of tiers 0–3 and follow-ups compete the way the REST jobs do. Orleans' own clocks
/// (messaging, membership, directory) stay real.
/// </summary>
/// <remarks>
/// Not end to end through the replay server: a faster-running clock multiplies network jitter by the speed-up (at 60×, 50 ms
/// late becomes 3 s), and stepping a fake clock through HTTP, Postgres and job grains needs a quiescence signal the
/// pipeline does not have. Here the only asynchrony is grain calls, whose completion the test can see.
/// </remarks>
[Collection(ServersCollection.Name)]
public sealed class RestBudgetHourTests(ServersFixture servers)
{
    private const int PerMinute = 60;
    private const int Reserved = 12;    // 20 %
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxTokenWait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Over_a_simulated_hour_no_60_second_window_exceeds_the_budget_tier_0_gets_every_poll_and_tier_3_is_deferred()
    {
        var clock = new FakeTimeProvider(FrozenMarketCalendar.Open);
        var token = UwRestTestKit.NewToken();
        var settings = servers.SiloSettings();
        settings["Sources:Polygon:Enabled"] = "false";
        settings["Sources:UnusualWhales:Enabled"] = "true";
        settings["Sources:UnusualWhales:Token"] = token;
        settings["Sources:UnusualWhales:RequestsPerMinute"] = PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Sources:UnusualWhales:Rest:Enabled"] = "false";
        settings["Sources:UnusualWhales:Rest:MaxTokenWait"] = MaxTokenWait.ToString();
        IngestionCluster.OnlyUnusualWhalesChannels(settings);
        await using var cluster = await IngestionCluster.StartAsync(settings, services: services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddKeyedSingleton<TimeProvider>(KeyedService.AnyKey, TimeProvider.System);
            services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, clock);
        });
        var limiter = cluster.Client.GetGrain<IRateLimiterGrain>(UwRestCaller.CredentialKey(token));

        // Scheduled demand 72/min against 48 scheduled tokens; follow-ups 24/min against 12 reserved ones.
        var random = new Random(7);
        var requesters = new List<Requester>();
        void Add(int count, int tier, RatePurpose purpose, int cadenceSeconds)
        {
            for (var i = 0; i < count; i++)
                requesters.Add(new Requester($"t{tier}-{purpose}-{i}", tier, purpose, TimeSpan.FromSeconds(cadenceSeconds), TimeSpan.FromSeconds(random.Next(cadenceSeconds)), random.Next()));
        }
        Add(2, 0, RatePurpose.Scheduled, 20);
        Add(2, 1, RatePurpose.Scheduled, 20);
        Add(4, 2, RatePurpose.Scheduled, 10);
        Add(6, 3, RatePurpose.Scheduled, 10);
        Add(2, 1, RatePurpose.Reserve, 5);

        var server = new ReplayBudget(PerMinute, clock);
        var end = clock.GetUtcNow() + TimeSpan.FromHours(1);
        var running = requesters.Select(r => r.RunAsync(limiter, server, clock, end)).ToList();
        var started = DateTime.UtcNow;
        while (!requesters.All(r => r.IsDone))
        {
            await WhenQuietAsync(requesters, limiter, clock);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        await Task.WhenAll(running);
        var took = DateTime.UtcNow - started;

        var turns = requesters.SelectMany(r => r.Turns).OrderBy(t => t.Resolved).ToList();
        var grants = turns.Where(t => t.Granted).ToList();
        // The server never had to refuse one, and no 60-second window of grants, wherever it starts, holds more than the
        // budget: per pool too. Demand is twice the budget, so the busiest windows are (nearly) full.
        Assert.Equal(0, server.Refused);
        Assert.InRange(BusiestWindow(grants), PerMinute * 9 / 10, PerMinute);
        Assert.InRange(BusiestWindow(grants.Where(t => t.Purpose == RatePurpose.Scheduled).ToList()), (PerMinute - Reserved) * 9 / 10, PerMinute - Reserved);
        Assert.Equal(Reserved, BusiestWindow(grants.Where(t => t.Purpose == RatePurpose.Reserve).ToList()));

        // Tier 0 polled on its cadence (18–22 s) and got its token the moment it asked, every time.
        var tier0 = turns.Where(t => t.Tier == 0).ToList();
        Assert.InRange(tier0.Count, 2 * 3600 / 22, 2 * 3600 / 18);
        Assert.All(tier0, t => Assert.True(t.Granted && t.Resolved == t.Asked, $"tier-0 turn asked {t.Asked:T}, resolved {t.Resolved:T}, granted {t.Granted}"));
        // Tier 3 was deferred and lost turns, yet was never served while a tier-0 request waited.
        var tier3 = turns.Where(t => t.Tier == 3).ToList();
        Assert.True(tier3.Count(t => !t.Granted) > 0 && tier3.Count(t => t.Granted) > 0, $"tier 3: {tier3.Count(t => t.Granted)} granted, {tier3.Count(t => !t.Granted)} refused");
        Assert.DoesNotContain(tier3, t => t.Granted && tier0.Any(z => z.Asked < t.Resolved && t.Resolved < z.Resolved));

        var status = await limiter.GetStatusAsync();
        Assert.Equal(Enumerable.Range(0, 4).Select(tier => (long)grants.Count(g => g.Tier == tier)), Enumerable.Range(0, 4).Select(tier => status.GrantedByTier.GetValueOrDefault(tier)));
        Assert.True(status.DeferredByTier.GetValueOrDefault(3) > 0, "tier-3 requests were deferred");
        Assert.True(took < TimeSpan.FromSeconds(90), $"the simulated hour took {took.TotalSeconds:0} s");
    }

    /// <summary>The most grants any 60-second window [t, t + 60 s) holds; the busiest window starts at a grant.</summary>
    private static int BusiestWindow(IReadOnlyList<Turn> grants)
    {
        var busiest = 0;
        for (int first = 0, last = 0; first < grants.Count; first++)
        {
            while (last < grants.Count && grants[last].Resolved < grants[first].Resolved + Window) last++;
            busiest = Math.Max(busiest, last - first);
        }
        return busiest;
    }

    /// <summary>
    /// Waits until nothing can happen before the clock moves: every requester sleeps until later or waits inside the
    /// limiter (its count of waiters says so: a request still in flight, or a token granted but not yet received, does not count).
    /// </summary>
    private static async Task WhenQuietAsync(List<Requester> requesters, IRateLimiterGrain limiter, FakeTimeProvider clock)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var now = clock.GetUtcNow();
            if (requesters.All(r => r.IsDone || r.IsAcquiring || r.SleepsUntil > now))
            {
                var acquiring = requesters.Count(r => r.IsAcquiring);
                // The status call queues behind any pump tick the last Advance fired, so its count includes what that tick granted.
                if ((await limiter.GetStatusAsync()).Waiting == acquiring && requesters.All(r => r.IsDone || r.IsAcquiring || r.SleepsUntil > now)) return;
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the requesters did not settle at {now:T}: {string.Join(", ", requesters.Select(r => r.ToString()))}");
            await Task.Delay(1);
        }
    }

    private sealed record Turn(string Requester, int Tier, RatePurpose Purpose, DateTimeOffset Asked, DateTimeOffset Resolved, bool Granted);

    /// <summary>One REST job or follow-up queue: a turn every cadence ±10 %, or sooner after a refusal, as UwRestJobGrain does.</summary>
    private sealed class Requester(string name, int tier, RatePurpose purpose, TimeSpan cadence, TimeSpan firstTurn, int seed)
    {
        private readonly Random _random = new(seed);
        private long _sleepsUntilTicks = DateTimeOffset.MinValue.UtcTicks;   // not quiet until its first timer is armed
        private volatile bool _acquiring;
        private volatile bool _done;

        public int Tier => tier;
        public List<Turn> Turns { get; } = [];
        public bool IsAcquiring => _acquiring;
        public bool IsDone => _done;
        public DateTimeOffset SleepsUntil => new(Interlocked.Read(ref _sleepsUntilTicks), TimeSpan.Zero);

        public async Task RunAsync(IRateLimiterGrain limiter, ReplayBudget server, FakeTimeProvider clock, DateTimeOffset end)
        {
            await SleepAsync(clock, firstTurn);
            while (clock.GetUtcNow() < end)
            {
                var asked = clock.GetUtcNow();
                _acquiring = true;
                var lease = await limiter.AcquireAsync(new RateRequest(name, tier, purpose));
                var resolved = clock.GetUtcNow();
                Turns.Add(new Turn(name, tier, purpose, asked, resolved, lease.Granted));
                var next = cadence * (0.9 + 0.2 * _random.NextDouble());
                if (lease.Granted)
                {
                    await limiter.ReportAsync(server.Answer());
                }
                else
                {
                    next = TimeSpan.FromTicks(Math.Clamp(lease.RetryAfter.Ticks, TimeSpan.FromMilliseconds(200).Ticks, next.Ticks));
                }
                await SleepAsync(clock, next);
            }
            _done = true;
            _acquiring = false;
        }

        public override string ToString() => $"{name}: {(_done ? "done" : _acquiring ? "acquiring" : $"sleeps until {SleepsUntil:T}")}";

        private Task SleepAsync(FakeTimeProvider clock, TimeSpan delay)
        {
            // Whole seconds: the test moves the clock a second at a time, so a turn is due exactly at one of its steps.
            // The timer first, then the state the test reads: until then this requester does not look quiet, so the
            // clock cannot move between reading "now" and arming the timer.
            delay = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(delay.TotalSeconds)));
            var sleeping = Task.Delay(delay, clock);
            Interlocked.Exchange(ref _sleepsUntilTicks, (clock.GetUtcNow() + delay).UtcTicks);
            _acquiring = false;
            return sleeping;
        }
    }

    /// <summary>
    /// The replay server's own UW accounting (<see cref="UwRateLimiter"/>: a fixed minute from its first request,
    /// a request past the budget refused with 429), on the test's clock, answering each granted request.
    /// </summary>
    private sealed class ReplayBudget(int perMinute, TimeProvider clock)
    {
        private const string Token = "hour-test";
        private readonly UwRateLimiter _accounting = new(perMinute, long.MaxValue, clock);
        private int _refused;

        public int Refused => Volatile.Read(ref _refused);

        public RateReport Answer()
        {
            var usage = _accounting.TryAcquire(Token);
            if (!usage.Allowed)
            {
                Interlocked.Increment(ref _refused);
                return new RateReport(429, usage.MinuteRemaining, usage.MinuteResetMs, null, null, usage.RetryAfter);
            }
            return new RateReport(200, usage.MinuteRemaining, usage.MinuteResetMs, null, null, null);
        }
    }
}
