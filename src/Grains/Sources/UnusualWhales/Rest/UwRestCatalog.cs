namespace Ingestion.Sources.UnusualWhales.Rest;

/// <summary>One polled endpoint: its catalogue name, path template, scope, cadence and priority tier.</summary>
public sealed record UwRestEndpoint(string Name, string Path, string Scope, TimeSpan Cadence, int Tier, bool Enabled = true)
{
    public const string TickerScope = "ticker";
    public const string GlobalScope = "global";

    public bool IsTickerScoped => Scope == TickerScope;

    /// <summary>The request path and query for one scope (a ticker, or <c>global</c>).</summary>
    public string PathFor(string scope) => IsTickerScoped ? Path.Replace("{ticker}", Uri.EscapeDataString(scope), StringComparison.Ordinal) : Path;
}

/// <summary>One job: an endpoint for one scope. Its grain key is <c>endpoint|scope</c>.</summary>
public sealed record UwRestJob(UwRestEndpoint Endpoint, string Scope)
{
    public string Key => KeyOf(Endpoint.Name, Scope);

    public static string KeyOf(string endpoint, string scope) => $"{endpoint}|{scope}";

    public static (string Endpoint, string Scope) Parse(string key)
    {
        var bar = key.LastIndexOf('|');
        return bar <= 0 ? throw new ArgumentException($"'{key}' is not an endpoint|scope job key.", nameof(key)) : (key[..bar], key[(bar + 1)..]);
    }
}

/// <summary>
/// The Unusual Whales REST catalogue (code defaults). Names and tiers are seed 001 §2.2's 42-endpoint set (tier 0
/// every 30 s, tier 1 every 5 min, tier 2 hourly, tier 3 daily), with the deprecated per-ticker flow alerts replaced by
/// <c>/api/option-trades/flow-alerts</c> (protocols.md §1.2); the market-wide and ETF endpoints and their cadences are
/// seed 000 §5.1's. Every entry can be re-timed, re-tiered or switched off under
/// <c>Sources:UnusualWhales:Rest:Endpoints:&lt;name&gt;</c>.
/// </summary>
public static class UwRestCatalog
{
    private const string T = UwRestEndpoint.TickerScope;
    private const string G = UwRestEndpoint.GlobalScope;
    private static readonly TimeSpan S30 = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan M5 = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan M10 = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan M15 = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan H1 = TimeSpan.FromHours(1);
    private static readonly TimeSpan D1 = TimeSpan.FromDays(1);

    /// <summary>The follow-up endpoint (<see cref="Ingestion.UnusualWhales.IUwFollowUpGrain"/>); not polled.</summary>
    public static readonly UwRestEndpoint ContractFlow = new("option-contract-flow", "/api/option-contract/{ticker}/flow", T, D1, 1);

    public static IReadOnlyList<UwRestEndpoint> Defaults { get; } =
    [
        // Tier 0: intraday-critical, every 30 s.
        new("greek-flow", "/api/stock/{ticker}/greek-flow", T, S30, 0),
        new("spot-exposures", "/api/stock/{ticker}/spot-exposures", T, S30, 0),
        new("net-prem-ticks", "/api/stock/{ticker}/net-prem-ticks", T, S30, 0),
        new("options-volume", "/api/stock/{ticker}/options-volume", T, S30, 0),

        // Tier 1: every 5 minutes.
        new("flow-per-expiry", "/api/stock/{ticker}/flow-per-expiry", T, M5, 1),
        new("flow-per-strike", "/api/stock/{ticker}/flow-per-strike", T, M5, 1),
        new("flow-per-strike-intraday", "/api/stock/{ticker}/flow-per-strike-intraday", T, M5, 1),
        new("oi-change", "/api/stock/{ticker}/oi-change", T, M5, 1),
        new("spot-exposures-strike", "/api/stock/{ticker}/spot-exposures/strike?limit=500", T, M5, 1),
        new("stock-state", "/api/stock/{ticker}/stock-state", T, M5, 1),
        new("ohlc-1m", "/api/stock/{ticker}/ohlc/1m?limit=500", T, M5, 1),
        new("flow-recent", "/api/stock/{ticker}/flow-recent", T, M5, 1),
        new("greeks", "/api/stock/{ticker}/greeks", T, M5, 1),
        new("nope", "/api/stock/{ticker}/nope", T, M5, 1),
        new("flow-alerts", "/api/option-trades/flow-alerts?ticker_symbol={ticker}&limit=100", T, M5, 1),
        new("market-tide", "/api/market/market-tide", G, M5, 1),
        new("top-net-impact", "/api/market/top-net-impact", G, M5, 1),
        new("total-options-volume", "/api/market/total-options-volume?limit=100", G, M5, 1),

        // Tier 2: hourly (seed 000's ETF and market-wide endpoints at their own cadences).
        new("greek-exposure", "/api/stock/{ticker}/greek-exposure", T, H1, 2),
        new("greek-exposure-expiry", "/api/stock/{ticker}/greek-exposure/expiry", T, H1, 2),
        new("greek-exposure-strike", "/api/stock/{ticker}/greek-exposure/strike", T, H1, 2),
        new("volume-oi-expiry", "/api/stock/{ticker}/option/volume-oi-expiry", T, H1, 2),
        new("max-pain", "/api/stock/{ticker}/max-pain", T, H1, 2),
        new("oi-per-expiry", "/api/stock/{ticker}/oi-per-expiry", T, H1, 2),
        new("oi-per-strike", "/api/stock/{ticker}/oi-per-strike", T, H1, 2),
        new("interpolated-iv", "/api/stock/{ticker}/interpolated-iv", T, H1, 2),
        new("iv-rank", "/api/stock/{ticker}/iv-rank", T, H1, 2),
        new("volatility-realized", "/api/stock/{ticker}/volatility/realized", T, H1, 2),
        new("volatility-stats", "/api/stock/{ticker}/volatility/stats", T, H1, 2),
        new("volatility-term-structure", "/api/stock/{ticker}/volatility/term-structure", T, H1, 2),
        new("historical-risk-reversal-skew", "/api/stock/{ticker}/historical-risk-reversal-skew", T, H1, 2),
        new("stock-volume-price-levels", "/api/stock/{ticker}/stock-volume-price-levels", T, H1, 2),
        new("analysts", "/api/screener/analysts?ticker={ticker}", T, H1, 2),
        new("insider-buy-sells", "/api/stock/{ticker}/insider-buy-sells", T, H1, 2),
        new("darkpool", "/api/darkpool/{ticker}", T, M5, 2),
        new("etf-tide", "/api/market/{ticker}/etf-tide", T, M10, 2),
        new("etf-exposure", "/api/etfs/{ticker}/exposure", T, M15, 2),
        new("etf-in-outflow", "/api/etfs/{ticker}/in-outflow", T, M15, 2),
        new("market-oi-change", "/api/market/oi-change", G, M15, 2),
        new("net-flow-expiry", "/api/net-flow/expiry", G, M15, 2),

        // Tier 3: daily.
        new("expiry-breakdown", "/api/stock/{ticker}/expiry-breakdown", T, D1, 3),
        new("option-contracts", "/api/stock/{ticker}/option-contracts", T, D1, 3),
        new("atm-chains", "/api/stock/{ticker}/atm-chains", T, D1, 3),
        new("option-chains", "/api/stock/{ticker}/option-chains", T, D1, 3),
        new("stock-price-levels", "/api/stock/{ticker}/option/stock-price-levels", T, D1, 3),
        new("spot-exposures-expiry-strike", "/api/stock/{ticker}/spot-exposures/expiry-strike?limit=500", T, D1, 3),
        new("flow-alerts-global", "/api/option-trades/flow-alerts?limit=200", G, D1, 3),
        new("economic-calendar", "/api/market/economic-calendar", G, D1, 3),
    ];

    /// <summary>The defaults with configuration applied: overrides merged, new entries added, <c>Include</c> honoured.</summary>
    public static IReadOnlyList<UwRestEndpoint> Resolve(UnusualWhalesRestOptions options)
    {
        var byName = Defaults.ToDictionary(e => e.Name, StringComparer.Ordinal);
        foreach (var (name, o) in options.Endpoints)
        {
            var where = $"{UnusualWhalesRestOptions.Section}:Endpoints:{name}";
            if (!byName.TryGetValue(name, out var current))
            {
                if (string.IsNullOrWhiteSpace(o.Path)) throw new ArgumentException($"{where}:Path is required for an endpoint that is not in the catalogue.");
                current = new UwRestEndpoint(name, o.Path, o.Scope ?? (o.Path.Contains("{ticker}", StringComparison.Ordinal) ? T : G), M5, 2);
            }
            var merged = current with
            {
                Path = o.Path ?? current.Path,
                Scope = o.Scope?.Trim().ToLowerInvariant() ?? current.Scope,
                Cadence = o.Cadence ?? current.Cadence,
                Tier = o.Tier ?? current.Tier,
                Enabled = o.Enabled ?? current.Enabled,
            };
            if (merged.Scope is not (T or G)) throw new ArgumentException($"{where}:Scope must be '{T}' or '{G}', got '{merged.Scope}'.");
            if (!merged.Path.StartsWith("/api/", StringComparison.Ordinal)) throw new ArgumentException($"{where}:Path must start with /api/, got '{merged.Path}'.");
            if (merged.Scope == T != merged.Path.Contains("{ticker}", StringComparison.Ordinal))
                throw new ArgumentException($"{where}:Path must contain {{ticker}} exactly when Scope is '{T}'.");
            if (merged.Cadence < TimeSpan.FromMilliseconds(100)) throw new ArgumentException($"{where}:Cadence must be at least 100 ms.");
            if (merged.Tier is < 0 or > 3) throw new ArgumentException($"{where}:Tier must be between 0 and 3, got {merged.Tier}.");
            byName[name] = merged;
        }
        var unknown = options.Include.Where(n => !byName.ContainsKey(n)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"{UnusualWhalesRestOptions.Section}:Include names unknown endpoints: {string.Join(", ", unknown)}.");
        return [.. byName.Values
            .Where(e => options.Include.Count == 0 || options.Include.Contains(e.Name, StringComparer.Ordinal))
            .OrderBy(e => e.Tier).ThenBy(e => e.Name, StringComparer.Ordinal)];
    }

    /// <summary>Every enabled job: ticker-scoped endpoints once per watchlist ticker, global ones once.</summary>
    public static IReadOnlyList<UwRestJob> Jobs(UnusualWhalesRestOptions options, IReadOnlyList<string> tickers) =>
        [.. Resolve(options).Where(e => e.Enabled)
            .SelectMany(e => e.IsTickerScoped ? tickers.Select(t => new UwRestJob(e, t)) : [new UwRestJob(e, G)])];
}
