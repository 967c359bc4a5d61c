using Ingestion.Hosting;
using Ingestion.Sources.Polygon;
using Ingestion.Storage;
using Ingestion.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Ingestion.Tests.Hosting;

[Collection(ServersCollection.Name)]
public sealed class ConfigurationTests(ServersFixture servers)
{
    [Fact]
    public void Every_validation_message_names_the_key_to_fix()
    {
        var polygon = new PolygonOptionsValidator().Validate(null, new PolygonOptions
        {
            WebSocketUrl = "http://not-a-socket",
            ApiKey = "",
            OptionContracts = ["SPY261218C00590000"],
            MaxSubscriptionsPerConnection = 0,
        });
        Assert.Equal(
        [
            "Sources:Polygon:WebSocketUrl must be an absolute ws:// or wss:// URL, got 'http://not-a-socket'.",
            "Sources:Polygon:ApiKey is required when Sources:Polygon:Enabled is true (set Sources__Polygon__ApiKey).",
            "Sources:Polygon:MaxSubscriptionsPerConnection must be between 1 and 1000, got 0.",
            "Sources:Polygon:OptionContracts has 'SPY261218C00590000', which is not an OCC option ticker like O:SPY261218C00590000.",
        ], polygon.Failures);

        var ingestion = new IngestionOptionsValidator().Validate(null, new IngestionOptions { Profile = "prod" });
        Assert.Equal(["Ingestion:Profile must be 'local' or 'cluster', got 'prod'."], ingestion.Failures);

        var storage = new StorageOptionsValidator().Validate(null, new StorageOptions { BatchSize = 0 });
        Assert.Contains("Storage:BatchSize must be between 1 and 100000, got 0.", storage.Failures!);
    }

    [Fact]
    public async Task A_silo_with_a_bad_setting_refuses_to_start_and_says_which()
    {
        var settings = servers.SiloSettings();
        settings["Sources:Polygon:WebSocketUrl"] = "ftp://example";
        settings["Sources:Polygon:ApiKey"] = "k";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => IngestionCluster.StartAsync(settings));

        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
        Assert.Equal(["Sources:Polygon:WebSocketUrl must be an absolute ws:// or wss:// URL, got 'ftp://example'."], validation.Failures);
    }

    [Fact]
    public void Connection_plan_shards_option_contracts_over_connections_of_at_most_100()
    {
        var contracts = Enumerable.Range(0, 250).Select(i => $"O:SPY261218C{i:D8}").ToList();
        var plan = PolygonConnectionPlan.Build(new PolygonOptions { Stocks = ["SPY"], Indices = ["I:VIX"], OptionContracts = contracts });

        Assert.Equal(["polygon/stocks/0", "polygon/indices/0", "polygon/options/0", "polygon/options/1", "polygon/options/2"], plan.Select(c => c.Id));
        Assert.Equal([1, 1, 100, 100, 50], plan.Select(c => c.Topics.Count));
        Assert.Equal("AM.O:SPY261218C00000100", plan[3].Topics[0]);
        Assert.Equal(["A.I:VIX"], plan[1].Topics);
    }

    private static Exception Unwrap(Exception error)
    {
        while (error is AggregateException { InnerException: { } inner }) error = inner;
        return error;
    }
}
