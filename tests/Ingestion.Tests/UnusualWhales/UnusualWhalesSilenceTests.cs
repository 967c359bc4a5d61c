using System.Diagnostics.Metrics;
using Ingestion.Calendar;
using Ingestion.Connections;
using Ingestion.Observability;
using Ingestion.Replay;
using Ingestion.Sources.UnusualWhales;
using Ingestion.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ingestion.Tests.UnusualWhales;

/// <summary>
/// The silence watchdog of Unusual Whales sockets: during market hours a socket that stays open but sends nothing is
/// restarted after <c>Sources:UnusualWhales:Connection:SilenceTimeout</c>; outside them a quiet socket is normal and
/// gets at least five minutes.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class UnusualWhalesSilenceTests(ServersFixture servers)
{
    [Theory]
    [InlineData("2026-11-18T10:00:00", 2, 2)]        // Wednesday, in the session: the configured timeout
    [InlineData("2026-11-18T09:30:00", 2, 2)]        // the opening bell
    [InlineData("2026-11-18T15:59:59", 2, 2)]        // the last second of the session
    [InlineData("2026-11-18T16:00:00", 2, 300)]      // the close: five minutes
    [InlineData("2026-11-18T20:00:00", 2, 300)]      // Wednesday evening
    [InlineData("2026-11-21T10:00:00", 2, 300)]      // Saturday morning
    [InlineData("2026-11-26T10:00:00", 2, 300)]      // Thanksgiving
    [InlineData("2026-11-21T10:00:00", 600, 600)]    // closed, but configured longer than five minutes: the configured value
    public void The_silence_timeout_is_the_configured_one_only_while_the_market_is_open(string newYork, int configuredSeconds, int expectedSeconds)
    {
        var local = DateTime.Parse(newYork, System.Globalization.CultureInfo.InvariantCulture);
        var time = new FakeTimeProvider(MarketCalendar.AtNewYork(DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local)));
        var metrics = new IngestionMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
        var protocol = new UwFeedProtocol(
            new UwConnectionSpec("uw/prices", "prices", ["price:UWA"]),
            new UnusualWhalesOptions { Token = "t" },
            new HashSet<string> { "UWA" },
            new MarketCalendar(new UpcomingMarketDays(), time),
            new UwSchemaDrift(metrics, time, NullLogger<UwSchemaDrift>.Instance),
            metrics,
            _ => { },
            NullLogger.Instance);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), protocol.SilenceTimeout(TimeSpan.FromSeconds(configuredSeconds)));
    }

    [Fact]
    public async Task A_silent_socket_is_restarted_after_the_silence_timeout_in_market_hours_rejoins_every_channel_and_data_resumes()
    {
        const int cap = 60;
        string[] tickers = ["UWSLA", "UWSLB"];
        // 4 price ticks a second per ticker: the series lasts 15 s, long enough to stall it in the middle.
        await using var replay = await ReplayServer.StartAsync(new ReplayServerOptions { Speed = 4, MaxEventsPerSymbol = cap, UnusualWhalesTickers = string.Join(',', tickers) });
        var settings = IngestionCluster.UnusualWhalesSettings(servers, replay, tickers);
        IngestionCluster.OnlyUnusualWhalesChannels(settings, "Prices");
        settings["Sources:UnusualWhales:Connection:SilenceTimeout"] = "00:00:02";
        // Whatever the day the suite runs on, the silo's calendar says the market is open.
        await using var cluster = await IngestionCluster.StartAsync(settings, services: FrozenMarketCalendar.At(FrozenMarketCalendar.Open));
        var uw = replay.Stats.UnusualWhales;
        var reader = cluster.Client.GetGrain<IUnusualWhalesSocketReaderGrain>("uw/prices");
        Task<long> RowsAsync() => servers.ScalarAsync("SELECT count(*) FROM uw_price_ticks WHERE ticker = ANY(@t)", ("t", tickers));

        await Eventually.MatchesAsync(RowsAsync, n => n > 0, "first price ticks");
        replay.Faults.Stall(Timeout.InfiniteTimeSpan);

        // The socket stays open and answers pings, but carries nothing: the watchdog replaces it and the new one rejoins.
        string[] joinedTwice = ["price:UWSLA", "price:UWSLB", "price:UWSLA", "price:UWSLB"];
        await Eventually.TrueAsync(() => uw.Joins().Count == joinedTwice.Length, "the replacement socket to rejoin both channels", TimeSpan.FromSeconds(15));
        var restarted = await reader.GetStatusAsync();
        var framesBeforeResume = uw.FramesSent();
        replay.Faults.Stall(TimeSpan.Zero);

        Assert.Equal(joinedTwice, uw.Joins());
        Assert.Equal(2, uw.ConnectionsAccepted);
        Assert.Equal((1L, "no data for 2 s"), (restarted.Reconnects, restarted.LastError));
        Assert.InRange(framesBeforeResume, 1, 2 * cap - 1);

        // The series continue where the silent socket left them: every tick lands once, the rest of them through the new socket.
        await Eventually.MatchesAsync(RowsAsync, n => n == 2 * cap, $"all {2 * cap} price ticks", TimeSpan.FromSeconds(60));
        Assert.Equal((cap, cap), (uw.FramesSent("price:UWSLA"), uw.FramesSent("price:UWSLB")));
        Assert.Equal(2 * cap, await servers.ScalarAsync("SELECT count(DISTINCT (ticker, ts)) FROM uw_price_ticks WHERE ticker = ANY(@t)", ("t", tickers)));
        Assert.Equal(0, (await reader.GetStatusAsync()).FramesQuarantined);
    }
}
