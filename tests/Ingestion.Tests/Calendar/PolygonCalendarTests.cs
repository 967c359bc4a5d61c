using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Ingestion.Calendar;
using Ingestion.Replay;
using Ingestion.Sources.Polygon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static Ingestion.Tests.Calendar.MarketCalendarTests;

namespace Ingestion.Tests.Calendar;

public sealed class PolygonCalendarTests
{
    private const string DocumentedSample =
        """
        [{"date":"2020-11-26","exchange":"NYSE","name":"Thanksgiving","status":"closed"},
         {"date":"2020-11-27","exchange":"NASDAQ","name":"Thanksgiving","status":"early-close",
          "open":"2020-11-27T14:30:00.000Z","close":"2020-11-27T18:00:00.000Z"}]
        """;

    private static readonly DateTimeOffset ReplayDay = new(2025, 11, 20, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parses_the_documented_upcoming_shape()
    {
        var entries = PolygonUpcomingParser.Parse(DocumentedSample);

        Assert.Equal(
        [
            new PolygonMarketHoliday(new DateOnly(2020, 11, 26), "NYSE", "Thanksgiving", "closed", null, null),
            new PolygonMarketHoliday(new DateOnly(2020, 11, 27), "NASDAQ", "Thanksgiving", "early-close",
                new DateTimeOffset(2020, 11, 27, 14, 30, 0, TimeSpan.Zero), new DateTimeOffset(2020, 11, 27, 18, 0, 0, TimeSpan.Zero)),
        ], entries);
        Assert.Equal(
            [new MarketSession(new DateOnly(2020, 11, 27), MarketDayKind.EarlyClose, NewYork("2020-11-27T09:30:00"), NewYork("2020-11-27T13:00:00"), "Thanksgiving", MarketCalendarSource.Polygon)],
            PolygonUpcomingParser.ToSessions(entries, "NASDAQ"));
    }

    [Theory]
    [InlineData("<html>502 Bad Gateway</html>", "the body is not JSON")]
    [InlineData("""{"status":"ERROR","request_id":"x","error":"Unknown API Key"}""", "expected a JSON array of market holidays, got a JSON Object")]
    [InlineData("""[42]""", "entry 0 is a JSON Number, not an object")]
    [InlineData("""[{"exchange":"NYSE","status":"closed"}]""", "entry 0 has no 'date'")]
    [InlineData("""[{"date":"11/26/2020","exchange":"NYSE","status":"closed"}]""", "entry 0 has date '11/26/2020', not yyyy-MM-dd")]
    [InlineData("""[{"date":"2020-11-26","status":"closed"}]""", "entry 0 has no 'exchange'")]
    [InlineData("""[{"date":"2020-11-26","exchange":"NYSE","status":1}]""", "entry 0 has 'status' as a JSON Number, not a string")]
    [InlineData("""[{"date":"2020-11-27","exchange":"NYSE","status":"early-close"}]""", "entry 0 (NYSE 2020-11-27) is an early close without open and close times")]
    [InlineData("""[{"date":"2020-11-27","exchange":"NYSE","status":"early-close","open":"soon","close":"later"}]""", "entry 0 has 'open' = 'soon', not an RFC 3339 timestamp")]
    public void Rejects_broken_answers_and_says_what_is_wrong(string body, string expectedStart)
    {
        var error = Assert.Throws<FormatException>(() => PolygonUpcomingParser.Parse(body));
        Assert.StartsWith(expectedStart, error.Message);
    }

    [Fact]
    public async Task Loads_upcoming_NYSE_holidays_from_the_replay_over_HTTP()
    {
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, StartTime = ReplayDay });
        await using var host = Host(replay.HttpRoot, "replay-key", ReplayDay);

        Assert.True(await host.Refresher.RefreshAsync());

        Assert.Equal(ReplayDay, host.Upcoming.LoadedAt);
        Assert.Equal(
        [
            "2025-11-27 Holiday", "2025-11-28 EarlyClose", "2025-12-24 EarlyClose", "2025-12-25 Holiday", "2026-01-01 Holiday",
            "2026-01-19 Holiday", "2026-02-16 Holiday", "2026-04-03 Holiday", "2026-05-25 Holiday", "2026-06-19 Holiday",
            "2026-07-03 Holiday", "2026-09-07 Holiday",
        ], host.Upcoming.Days.Values.OrderBy(s => s.Day).Select(s => $"{s.Day:yyyy-MM-dd} {s.Kind}"));
        Assert.Equal(
            new MarketSession(new DateOnly(2025, 11, 28), MarketDayKind.EarlyClose, NewYork("2025-11-28T09:30:00"), NewYork("2025-11-28T13:00:00"), "Thanksgiving", MarketCalendarSource.Polygon),
            host.Calendar.GetSession(new DateOnly(2025, 11, 28)));
        Assert.Equal(MarketCalendarSource.Rules, host.Calendar.GetSession(new DateOnly(2025, 11, 26)).Source);
        Assert.Empty(host.Logs.Warnings);
    }

    [Fact]
    public async Task A_rejected_key_leaves_the_rules_in_charge_and_warns_once()
    {
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, StartTime = ReplayDay });
        await using var host = Host(replay.HttpRoot, "wrong-key", ReplayDay);

        Assert.False(await host.Refresher.RefreshAsync());
        Assert.False(await host.Refresher.RefreshAsync());

        Assert.False(host.Upcoming.IsLoaded);
        Assert.Equal(
            new MarketSession(new DateOnly(2025, 11, 27), MarketDayKind.Holiday, null, null, "Thanksgiving Day", MarketCalendarSource.Rules),
            host.Calendar.GetSession(new DateOnly(2025, 11, 27)));
        var warning = Assert.Single(host.Logs.Warnings);
        Assert.Equal("Market calendar could not load Polygon's upcoming holidays, so it answers from the built-in NYSE rules: "
            + "GET /v1/marketstatus/upcoming answered 401 Unauthorized: Unknown API Key", warning);
    }

    [Fact]
    public async Task Replay_accepts_the_key_as_apiKey_or_Bearer_and_answers_others_with_Polygons_401()
    {
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, StartTime = ReplayDay });
        using var http = new HttpClient { BaseAddress = replay.HttpRoot };

        using var byQuery = await http.GetAsync("/v1/marketstatus/upcoming?apiKey=replay-key");
        using var byBearer = new HttpRequestMessage(HttpMethod.Get, "/v1/marketstatus/now");
        byBearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "replay-key");
        using var bearerResponse = await http.SendAsync(byBearer);
        using var wrong = await http.GetAsync("/v1/marketstatus/upcoming?apiKey=nope");
        using var missing = await http.GetAsync("/v1/marketstatus/now");

        Assert.Equal(HttpStatusCode.OK, byQuery.StatusCode);
        Assert.StartsWith("""[{"date":"2025-11-27","exchange":"NYSE","name":"Thanksgiving","status":"closed"},{"date":"2025-11-27","exchange":"NASDAQ","name":"Thanksgiving","status":"closed"},{"date":"2025-11-28","exchange":"NYSE","name":"Thanksgiving","status":"early-close","open":"2025-11-28T14:30:00.000Z","close":"2025-11-28T18:00:00.000Z"},""",
            await byQuery.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, bearerResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Matches("""^\{"status":"ERROR","request_id":"[0-9a-f]{32}","error":"Unknown API Key"\}$""", await wrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Matches("""^\{"status":"ERROR","request_id":"[0-9a-f]{32}","error":"API Key was not provided"\}$""", await missing.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("2025-11-28T12:00:00", """{"afterHours":false,"currencies":{"crypto":"open","fx":"open"},"earlyHours":false,"exchanges":{"nasdaq":"open","nyse":"open","otc":"open"},"indicesGroups":{"s_and_p":"open","societe_generale":"open","msci":"open","ftse_russell":"open","mstar":"open","mstarc":"open","cccy":"open","cgi":"open","nasdaq":"open","dow_jones":"open"},"market":"open","serverTime":"2025-11-28T12:00:00-05:00"}""")]
    [InlineData("2025-11-28T14:00:00", """{"afterHours":true,"currencies":{"crypto":"open","fx":"open"},"earlyHours":false,"exchanges":{"nasdaq":"extended-hours","nyse":"extended-hours","otc":"closed"},"indicesGroups":{"s_and_p":"closed","societe_generale":"closed","msci":"closed","ftse_russell":"closed","mstar":"closed","mstarc":"closed","cccy":"closed","cgi":"closed","nasdaq":"closed","dow_jones":"closed"},"market":"extended-hours","serverTime":"2025-11-28T14:00:00-05:00"}""")]
    [InlineData("2026-07-11T10:00:00", """{"afterHours":false,"currencies":{"crypto":"open","fx":"closed"},"earlyHours":false,"exchanges":{"nasdaq":"closed","nyse":"closed","otc":"closed"},"indicesGroups":{"s_and_p":"closed","societe_generale":"closed","msci":"closed","ftse_russell":"closed","mstar":"closed","mstarc":"closed","cccy":"closed","cgi":"closed","nasdaq":"closed","dow_jones":"closed"},"market":"closed","serverTime":"2026-07-11T10:00:00-04:00"}""")]
    public async Task Replay_market_status_now_follows_the_replay_clock(string newYorkTime, string expected)
    {
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 0, StartTime = NewYork(newYorkTime) });
        using var http = new HttpClient { BaseAddress = replay.HttpRoot };

        Assert.Equal(expected, await http.GetStringAsync("/v1/marketstatus/now?apiKey=replay-key"));
    }

    [Fact]
    public async Task A_malformed_answer_falls_back_to_the_rules_with_one_clear_warning()
    {
        var vendor = new ScriptedVendor(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>oops</html>") });
        await using var host = Host(new Uri("http://polygon.test"), "key", ReplayDay, vendor);

        Assert.False(await host.Refresher.RefreshAsync());
        Assert.False(await host.Refresher.RefreshAsync());

        Assert.False(host.Upcoming.IsLoaded);
        Assert.Equal(MarketCalendarSource.Rules, host.Calendar.GetSession(new DateOnly(2025, 11, 27)).Source);
        var warning = Assert.Single(host.Logs.Warnings);
        Assert.StartsWith("Market calendar could not load Polygon's upcoming holidays, so it answers from the built-in NYSE rules: the answer is malformed: the body is not JSON", warning);
        Assert.Equal(["Bearer key", "Bearer key"], vendor.Authorizations);
        Assert.Equal(["http://polygon.test/v1/marketstatus/upcoming", "http://polygon.test/v1/marketstatus/upcoming"], vendor.Uris);
    }

    [Fact]
    public async Task Server_errors_are_retried_then_the_rules_answer()
    {
        var vendor = new ScriptedVendor(_ => new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("boom") });
        await using var host = Host(new Uri("http://polygon.test"), "key", ReplayDay, vendor);

        Assert.False(await host.Refresher.RefreshAsync());

        Assert.Equal(1 + 3, vendor.Uris.Count);
        Assert.False(host.Upcoming.IsLoaded);
        Assert.Equal("Market calendar could not load Polygon's upcoming holidays, so it answers from the built-in NYSE rules: "
            + "GET /v1/marketstatus/upcoming answered 500 InternalServerError: boom", Assert.Single(host.Logs.Warnings));
    }

    [Fact]
    public async Task Upcoming_entries_override_the_rules_and_survive_a_failed_refresh()
    {
        // An unscheduled closure on a regular Tuesday and an early close on a Wednesday the rules call regular.
        const string body =
            """
            [{"date":"2026-03-10","exchange":"NYSE","name":"Unscheduled closure","status":"closed"},
             {"date":"2026-03-10","exchange":"NASDAQ","name":"Unscheduled closure","status":"closed"},
             {"date":"2026-03-11","exchange":"NYSE","name":"Short day","status":"early-close","open":"2026-03-11T13:30:00.000Z","close":"2026-03-11T16:00:00.000Z"},
             {"date":"2026-03-12","exchange":"NASDAQ","name":"Nasdaq only","status":"closed"},
             {"date":"2026-03-13","exchange":"NYSE","name":"Something new","status":"open"}]
            """;
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK, HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.BadGateway]);
        var vendor = new ScriptedVendor(_ => answers.Dequeue() is var status && status == HttpStatusCode.OK
            ? new HttpResponseMessage(status) { Content = new StringContent(body) }
            : new HttpResponseMessage(status) { Content = new StringContent("""{"status":"ERROR","request_id":"r1","error":"upstream unavailable"}""") });
        var start = NewYork("2026-03-09T08:00:00");
        await using var host = Host(new Uri("http://polygon.test"), "key", start, vendor);

        Assert.True(await host.Refresher.RefreshAsync());
        Assert.Equal(2, vendor.Uris.Count);
        host.Time.Advance(TimeSpan.FromHours(6));
        Assert.False(await host.Refresher.RefreshAsync());

        Assert.Equal(6, vendor.Uris.Count);
        Assert.Equal(start, host.Upcoming.LoadedAt);
        Assert.Equal(new MarketSession(new DateOnly(2026, 3, 10), MarketDayKind.Holiday, null, null, "Unscheduled closure", MarketCalendarSource.Polygon),
            host.Calendar.GetSession(new DateOnly(2026, 3, 10)));
        Assert.Equal(new MarketSession(new DateOnly(2026, 3, 11), MarketDayKind.EarlyClose, NewYork("2026-03-11T09:30:00"), NewYork("2026-03-11T12:00:00"), "Short day", MarketCalendarSource.Polygon),
            host.Calendar.GetSession(new DateOnly(2026, 3, 11)));
        Assert.Equal(MarketDayKind.Regular, host.Calendar.GetSession(new DateOnly(2026, 3, 12)).Kind);
        Assert.Equal(MarketDayKind.Regular, host.Calendar.GetSession(new DateOnly(2026, 3, 13)).Kind);
        Assert.False(host.Calendar.IsOpen(NewYork("2026-03-10T12:00:00")));
        Assert.Equal(NewYork("2026-03-11T09:30:00"), host.Calendar.NextOpen(NewYork("2026-03-09T16:00:00")));
        Assert.Equal("Market calendar could not refresh Polygon's upcoming holidays and keeps the answer loaded at 2026-03-09T12:00:00.0000000+00:00: "
            + "GET /v1/marketstatus/upcoming answered 502 BadGateway: upstream unavailable", Assert.Single(host.Logs.Warnings));
    }

    [Fact]
    public async Task Running_service_refreshes_every_interval_and_sooner_after_a_failure()
    {
        const string good = """[{"date":"2025-11-27","exchange":"NYSE","name":"Thanksgiving","status":"closed"}]""";
        var calls = new ConcurrentQueue<DateTimeOffset>();
        CalendarHost? host = null;
        var vendor = new ScriptedVendor(_ =>
        {
            calls.Enqueue(host!.Time.GetUtcNow());
            // Call 1 succeeds; call 2 and its 3 retries fail; call 6 succeeds.
            return calls.Count is >= 2 and <= 5
                ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("down") }
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(good) };
        });
        await using var _ = host = Host(new Uri("http://polygon.test"), "key", ReplayDay, vendor);
        var sixHours = ReplayDay.AddHours(6);

        await host.Refresher.StartAsync(CancellationToken.None);
        await host.Time.WaitForDelayAsync(TimeSpan.FromHours(6), "the loop to wait 6 h after the first load");
        Assert.Equal([ReplayDay], calls);

        host.Time.Advance(TimeSpan.FromHours(6));
        await host.Time.WaitForDelayAsync(TimeSpan.FromMinutes(5), "the loop to wait 5 min after the failed refresh");
        Assert.Equal([ReplayDay, sixHours, sixHours, sixHours, sixHours], calls);
        Assert.Equal(ReplayDay, host.Upcoming.LoadedAt);

        host.Time.Advance(TimeSpan.FromMinutes(5));
        await host.Time.WaitForDelayAsync(TimeSpan.FromHours(6), "the loop to wait 6 h after the recovery");
        await host.Refresher.StopAsync(CancellationToken.None);

        Assert.Equal([ReplayDay, sixHours, sixHours, sixHours, sixHours, sixHours.AddMinutes(5)], calls);
        Assert.Equal(sixHours.AddMinutes(5), host.Upcoming.LoadedAt);
    }

    [Fact]
    public async Task Without_an_api_key_nothing_is_fetched_and_the_rules_answer()
    {
        var vendor = new ScriptedVendor(_ => throw new InvalidOperationException("must not be called"));
        await using var host = Host(new Uri("http://polygon.test"), "", ReplayDay, vendor);

        Assert.False(host.Refresher.IsEnabled);
        Assert.False(await host.Refresher.RefreshAsync());
        Assert.Empty(vendor.Uris);
        Assert.Equal(MarketCalendarSource.Rules, host.Calendar.GetSession(new DateOnly(2025, 11, 28)).Source);
    }

    [Fact]
    public void Registers_the_calendar_as_a_hosted_service_once()
    {
        var services = new ServiceCollection().AddMarketCalendar().AddMarketCalendar();

        Assert.Single(services, d => d.ServiceType == typeof(MarketCalendar));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    private static CalendarHost Host(Uri restBase, string apiKey, DateTimeOffset now, ScriptedVendor? vendor = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sources:Polygon:ApiKey"] = apiKey,
            ["Sources:Polygon:RestBaseUrl"] = restBase.ToString(),
            ["Calendar:HttpRetryDelay"] = "00:00:00",
        }).Build();
        var logs = new CapturedLogs();
        var time = new ObservedTimeProvider(now);
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<TimeProvider>(time)
            .AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddOptions<PolygonOptions>().BindConfiguration(PolygonOptions.Section);
        services.AddMarketCalendar();
        if (vendor is not null)
            services.AddHttpClient(PolygonCalendarRefresher.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => vendor);
        return new CalendarHost(services.BuildServiceProvider(validateScopes: true), time, logs);
    }

    private sealed class CalendarHost(ServiceProvider services, ObservedTimeProvider time, CapturedLogs logs) : IAsyncDisposable
    {
        public ObservedTimeProvider Time => time;
        public CapturedLogs Logs => logs;
        public MarketCalendar Calendar => services.GetRequiredService<MarketCalendar>();
        public UpcomingMarketDays Upcoming => services.GetRequiredService<UpcomingMarketDays>();
        public PolygonCalendarRefresher Refresher => services.GetRequiredService<PolygonCalendarRefresher>();

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }

    /// <summary>Fake time that reports each timer created, so a test knows when the refresh loop is parked in a delay.</summary>
    private sealed class ObservedTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly Channel<TimeSpan> timers = Channel.CreateUnbounded<TimeSpan>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            timers.Writer.TryWrite(dueTime);
            return timer;
        }

        /// <summary>Waits (real time, with a deadline) for a timer of exactly <paramref name="dueTime"/>; other timers (HTTP timeouts) are skipped.</summary>
        public async Task WaitForDelayAsync(TimeSpan dueTime, string awaited)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                while (await timers.Reader.ReadAsync(deadline.Token) != dueTime)
                {
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after 30 s waiting for {awaited}.");
            }
        }
    }

    /// <summary>A stand-in for Polygon that answers from a script and records what it was asked.</summary>
    private sealed class ScriptedVendor(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public ConcurrentQueue<string> Uris { get; } = new();
        public ConcurrentQueue<string> Authorizations { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Uris.Enqueue(request.RequestUri!.ToString());
            Authorizations.Enqueue(request.Headers.Authorization?.ToString() ?? "");
            return Task.FromResult(answer(request));
        }
    }

    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Message)> entries = new();

        public IReadOnlyList<string> Warnings => entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ToList();

        public ILogger CreateLogger(string categoryName) => categoryName.StartsWith("Ingestion.Calendar", StringComparison.Ordinal) ? new Logger(entries) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<(LogLevel, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
