using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Ingestion.Replay.Polygon.Synthetic;

namespace Ingestion.Replay.Polygon;

/// <summary>One subscription topic, "&lt;EV&gt;.&lt;SYMBOL&gt;" (e.g. "AM.O:SPY251219C00590000", "A.*").</summary>
internal readonly record struct PolygonTopic(string Ev, string Symbol)
{
    public const string Wildcard = "*";

    public bool IsWildcard => Symbol == Wildcard;

    public override string ToString() => $"{Ev}.{Symbol}";

    /// <summary>Parses a topic for one market path, with the event prefixes that path accepts.</summary>
    public static bool TryParse(string market, string text, out PolygonTopic topic, [NotNullWhen(false)] out string? error)
    {
        topic = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1)
        {
            error = $"invalid subscription: {text} (expected <EV>.<SYMBOL>)";
            return false;
        }

        var ev = text[..dot];
        var symbol = text[(dot + 1)..];
        if (!PolygonMarkets.EventTypes(market).Contains(ev))
        {
            error = $"invalid subscription: {text} (event type {ev} is not available on /{market})";
            return false;
        }

        error = SymbolError(market, symbol);
        if (error is not null) return false;
        topic = new PolygonTopic(ev, symbol);
        return true;
    }

    private static string? SymbolError(string market, string symbol)
    {
        if (symbol == Wildcard) return null;
        return market switch
        {
            PolygonMarkets.Options when !OccSymbol.TryParse(symbol, out _) =>
                $"invalid subscription: {symbol} is not an O: option ticker (e.g. O:SPY251219C00590000)",
            PolygonMarkets.Indices when !symbol.StartsWith("I:", StringComparison.Ordinal) =>
                $"invalid subscription: {symbol} is not an I: index ticker",
            PolygonMarkets.Stocks when symbol.StartsWith("O:", StringComparison.Ordinal) || symbol.StartsWith("I:", StringComparison.Ordinal) =>
                $"invalid subscription: {symbol} belongs on /options or /indices",
            _ => null,
        };
    }
}

/// <summary>The market paths this server speaks and the event prefixes each accepts (protocols.md §2.1).</summary>
internal static class PolygonMarkets
{
    public const string Stocks = "stocks";
    public const string Options = "options";
    public const string Indices = "indices";

    public static readonly IReadOnlyList<string> All = [Stocks, Options, Indices];

    private static readonly FrozenDictionary<string, FrozenSet<string>> EventTypesByMarket = new Dictionary<string, FrozenSet<string>>
    {
        [Stocks] = FrozenSet.Create(StringComparer.Ordinal, "A", "AM", "T", "Q"),
        [Options] = FrozenSet.Create(StringComparer.Ordinal, "A", "AM", "T", "Q"),
        [Indices] = FrozenSet.Create(StringComparer.Ordinal, "A", "AM", "V"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IReadOnlySet<string> EventTypes(string market) => EventTypesByMarket[market];

    public static bool IsKnown(string market) => EventTypesByMarket.ContainsKey(market);
}
