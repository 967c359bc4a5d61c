using System.Collections.Immutable;
using Ingestion.Client;
using Ingestion.Events;
using Ingestion.Instruments;
using Ingestion.Tests.Infrastructure;
using static Ingestion.Tests.Instruments.UwEvents;

namespace Ingestion.Tests.Instruments;

/// <summary>Publishes a batch of Unusual Whales events on an instrument stream of the cluster's provider, as the socket reader will.</summary>
public interface IUwTestPublisherGrain : IGrainWithGuidKey
{
    Task PublishAsync(string streamNamespace, string key, ImmutableArray<UwEvent> events);
}

public sealed class UwTestPublisherGrain : Grain, IUwTestPublisherGrain
{
    public Task PublishAsync(string streamNamespace, string key, ImmutableArray<UwEvent> events) =>
        this.GetStreamProvider(StreamNames.Provider)
            .GetStream<EventBatch<UwEvent>>(StreamId.Create(streamNamespace, key))
            .OnNextAsync(new EventBatch<UwEvent>(events, this.GetPrimaryKey()));
}

/// <summary>Instrument grains on a real cluster take the Unusual Whales streams and answer through the client library.</summary>
[Collection(ServersCollection.Name)]
public sealed class UnusualWhalesGrainTests(ServersFixture servers)
{
    [Fact]
    public async Task Ticker_and_contract_grains_answer_with_the_unusual_whales_events_published_on_their_streams()
    {
        var settings = servers.SiloSettings();
        settings["Sources:Polygon:Enabled"] = "false";   // no feed: this test is the only publisher
        await using var cluster = await IngestionCluster.StartAsync(settings);
        var publisher = cluster.Client.GetGrain<IUwTestPublisherGrain>(Guid.NewGuid());
        const string ticker = "UWGT";
        const string contract = "O:UWGT261218C00590000";

        var call = Trade("g1", 0, "call", "ask", 10, 1_000m, ticker: ticker) with { NbboBid = 0.95m, NbboAsk = 1.05m, Delta = 0.5m };
        var put = Trade("g2", 20, "put", "bid", 3, 150m, ticker: ticker);
        await publisher.PublishAsync(StreamNames.UwTickerEvents, ticker,
        [
            call, put, call,
            Tick(Open.AddSeconds(5), 590m, 1_000, ticker), Tick(Open.AddSeconds(40), 591.25m, 1_600, ticker),
            Gex(10, 590m, 12_345m, ticker), Strike(10, 590m, 100m, -40m, ticker: ticker),
            Alert("x1", 1, ticker: ticker), Alert("x2", 2, ticker: ticker),
        ]);
        var second = Trade("g3", 30, "call", "mid", 2, 210m, ticker: ticker);
        await publisher.PublishAsync(StreamNames.UwContractTrades, contract, [call, second, call]);

        var client = new IngestionClient(cluster.Client);
        var flow = await Eventually.MatchesAsync(() => client.GetTickerFlowAsync(ticker), s => s.Alerts.Length == 2, "the ticker grain to apply the batch");
        Assert.Equal(2, flow.TradesSeen);
        Assert.Equal(1, flow.DuplicateTradesIgnored);
        Assert.Equal(591.25m, flow.LastPrice);
        Assert.Equal(new Bar(Open, Open.AddMinutes(1), 590m, 591.25m, 590m, 591.25m, 600), flow.CurrentMinute);
        Assert.Equal(new FlowWindow(1, new FlowTotals(1_000m, 1_000m, 0m, 1_000m, 10, 0, 0, 0), new FlowTotals(-150m, 0m, 150m, 150m, 0, 3, 0, 0)), flow.Flow[0]);
        Assert.Equal(12_345m, flow.Gex!.GammaPerOnePercentOi);
        Assert.Equal(new GexStrikeLevel(590m, null, Open.AddSeconds(10), null, 100m, -40m, null, null), Assert.Single(flow.Strikes));
        Assert.Equal(["x2", "x1"], flow.Alerts.Select(a => a.AlertId));

        var trades = await Eventually.MatchesAsync(() => client.GetContractTradesAsync(contract), s => s.DayTrades + s.DuplicateTradesIgnored == 3, "the contract grain to apply the batch");
        Assert.Equal(new ContractTrade("g3", Open.AddSeconds(30), 1.05m, 2, 210m, "mid"), trades.LastTrade);
        Assert.Equal(new Nbbo(0.95m, 1.05m, Open), trades.Nbbo);
        Assert.Equal(0.5m, trades.Greeks!.Delta);
        Assert.Equal(12, trades.DayVolume);
        Assert.Equal(1_210m, trades.DayPremium);
        Assert.Equal(1, trades.DuplicateTradesIgnored);

        // What the CLI's flow and trades commands print.
        Assert.Contains("UWGT  day 2026-11-20  last 591.25 at 2026-11-20 14:30:40Z  cum volume 1,600", UnusualWhalesText.Describe(flow));
        Assert.Contains("last trade g3 at 2026-11-20 14:30:30Z: 2 @ 1.05 (mid), premium 210.00", UnusualWhalesText.Describe(trades));

        // The Polygon view of the same grains is untouched.
        Assert.Equal(0, (await client.GetTickerSnapshotAsync(ticker)).BarsSeen);
    }
}
