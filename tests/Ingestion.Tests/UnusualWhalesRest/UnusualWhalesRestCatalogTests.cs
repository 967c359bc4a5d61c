using Ingestion.Sources.UnusualWhales.Rest;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Tests.UnusualWhalesRest;

/// <summary>The REST catalogue as configuration: seed defaults, per-endpoint overrides, additions, Include, validation.</summary>
public sealed class UnusualWhalesRestCatalogTests
{
    private static UnusualWhalesRestOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new UnusualWhalesRestOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(UnusualWhalesRestOptions.Section).Bind(options);
        return options;
    }

    [Fact]
    public void Defaults_follow_the_seeds_tiers_and_use_the_flow_alerts_replacement()
    {
        var all = UwRestCatalog.Resolve(new UnusualWhalesRestOptions());
        Assert.Equal(all.Count, all.Select(e => e.Name).Distinct().Count());
        Assert.Equal(
            new Dictionary<int, int> { [0] = 4, [1] = 14, [2] = 22, [3] = 8 },
            all.GroupBy(e => e.Tier).ToDictionary(g => g.Key, g => g.Count()));
        Assert.All(all.Where(e => e.Tier == 0), e => Assert.Equal(TimeSpan.FromSeconds(30), e.Cadence));
        Assert.DoesNotContain(all, e => e.Path.StartsWith("/api/stock/{ticker}/flow-alerts", StringComparison.Ordinal));
        Assert.Equal("/api/option-trades/flow-alerts?ticker_symbol=SPY&limit=100", all.Single(e => e.Name == "flow-alerts").PathFor("SPY"));
        // Every path is one the UW API serves (the replay's catalogue of route templates).
        var templates = Ingestion.Replay.UnusualWhales.Rest.UwRestCatalog.Templates;
        Assert.All(all, e => Assert.Contains(templates, t => Matches(t, e.Path.Split('?')[0])));
        Assert.Contains(templates, t => Matches(t, UwRestCatalog.ContractFlow.Path));

        var jobs = UwRestCatalog.Jobs(new UnusualWhalesRestOptions(), ["SPY", "QQQ", "IWM"]);
        Assert.Equal(all.Count(e => e.IsTickerScoped) * 3 + all.Count(e => !e.IsTickerScoped), jobs.Count);
        Assert.Contains(jobs, j => j.Key == "greek-flow|QQQ");
        Assert.Contains(jobs, j => j.Key == "market-tide|global");
    }

    [Fact]
    public void Configuration_retimes_switches_off_adds_and_restricts_endpoints_by_name()
    {
        var options = Bind(new()
        {
            ["Sources:UnusualWhales:Rest:Endpoints:greek-flow:Cadence"] = "00:01:00",
            ["Sources:UnusualWhales:Rest:Endpoints:greek-flow:Tier"] = "1",
            ["Sources:UnusualWhales:Rest:Endpoints:nope:Enabled"] = "false",
            ["Sources:UnusualWhales:Rest:Endpoints:news:Path"] = "/api/news/headlines?major_only=true",
            ["Sources:UnusualWhales:Rest:Endpoints:news:Tier"] = "3",
        });
        var all = UwRestCatalog.Resolve(options);
        Assert.Equal(new UwRestEndpoint("greek-flow", "/api/stock/{ticker}/greek-flow", "ticker", TimeSpan.FromMinutes(1), 1), all.Single(e => e.Name == "greek-flow"));
        Assert.False(all.Single(e => e.Name == "nope").Enabled);
        Assert.Equal(new UwRestEndpoint("news", "/api/news/headlines?major_only=true", "global", TimeSpan.FromMinutes(5), 3), all.Single(e => e.Name == "news"));
        Assert.DoesNotContain(UwRestCatalog.Jobs(options, ["SPY"]), j => j.Endpoint.Name == "nope");

        options.Include.AddRange(["greek-flow", "news"]);
        Assert.Equal(["greek-flow|SPY", "news|global"], UwRestCatalog.Jobs(options, ["SPY"]).Select(j => j.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Invalid_endpoint_settings_are_refused_naming_the_key()
    {
        var validator = new UnusualWhalesRestOptionsValidator();
        var bad = Bind(new()
        {
            ["Sources:UnusualWhales:Rest:Endpoints:greek-flow:Scope"] = "global",
        });
        var result = validator.Validate(null, bad);
        Assert.True(result.Failed);
        Assert.Contains("Sources:UnusualWhales:Rest:Endpoints:greek-flow:Path must contain {ticker}", result.FailureMessage);

        Assert.Contains("Include names unknown endpoints: bogus", validator.Validate(null, Bind(new() { ["Sources:UnusualWhales:Rest:Include:0"] = "bogus" })).FailureMessage);
        Assert.Contains("Path is required", validator.Validate(null, Bind(new() { ["Sources:UnusualWhales:Rest:Endpoints:new-one:Tier"] = "1" })).FailureMessage);
        Assert.Contains("ReservedFraction", validator.Validate(null, Bind(new() { ["Sources:UnusualWhales:Rest:ReservedFraction"] = "1.5" })).FailureMessage);
        Assert.True(validator.Validate(null, new UnusualWhalesRestOptions()).Succeeded);
    }

    [Fact]
    public void The_limiter_key_is_a_hash_that_never_contains_the_token()
    {
        var key = UwRestCaller.CredentialKey("my-secret-token");
        Assert.DoesNotContain("my-secret-token", key, StringComparison.Ordinal);
        Assert.Equal(key, UwRestCaller.CredentialKey("my-secret-token"));
        Assert.NotEqual(key, UwRestCaller.CredentialKey("another-token"));
        Assert.Matches("^uw-rest/[0-9a-f]{16}$", key);
    }

    /// <summary>Whether a concrete catalogue path fits a replay route template ({x} matches one segment).</summary>
    private static bool Matches(string template, string path)
    {
        var t = template.Split('/');
        var p = path.Split('/');
        return t.Length == p.Length && t.Zip(p).All(x => x.First.StartsWith('{') || x.First == x.Second);
    }
}
