using Ingestion.Events;

namespace Ingestion.Sources.Polygon;

/// <summary>One planned Polygon connection: a market path and the topics it subscribes.</summary>
public sealed record PolygonConnectionSpec(string Id, PolygonMarket Market, IReadOnlyList<string> Topics)
{
    public string Path => PolygonNames.Of(Market);
}

/// <summary>
/// Which connections the configuration asks for. Each market is its own connection (an <c>O:</c>
/// ticker cannot go over <c>/stocks</c>); a market with more topics than one connection may carry
/// is sharded as <c>polygon/options/0</c>, <c>polygon/options/1</c>, …
/// </summary>
public static class PolygonConnectionPlan
{
    public static IReadOnlyList<PolygonConnectionSpec> Build(PolygonOptions options)
    {
        if (!options.Enabled)
        {
            return [];
        }
        var plan = new List<PolygonConnectionSpec>();
        Add(plan, PolygonMarket.Stocks, options.Stocks.Select(s => "A." + s), options.MaxSubscriptionsPerConnection);
        Add(plan, PolygonMarket.Indices, options.Indices.Select(s => "A." + s), options.MaxSubscriptionsPerConnection);
        Add(plan, PolygonMarket.Options, options.OptionContracts.Select(c => "AM." + c), options.MaxSubscriptionsPerConnection);
        return plan;
    }

    private static void Add(List<PolygonConnectionSpec> plan, PolygonMarket market, IEnumerable<string> topics, int perConnection)
    {
        var shard = 0;
        foreach (var chunk in topics.Distinct(StringComparer.Ordinal).Chunk(perConnection))
        {
            var spec = new PolygonConnectionSpec("", market, chunk);
            plan.Add(spec with { Id = $"polygon/{spec.Path}/{shard++}" });
        }
    }
}
