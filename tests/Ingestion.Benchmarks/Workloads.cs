using Ingestion.Replay;

namespace Ingestion.Benchmarks;

/// <summary>One benchmark phase: a name for the command line, a column label, the stream profile, and what it feeds.</summary>
sealed record Phase(string Key, string Label, string Streams, Workload Workload);

/// <summary>
/// Everything that differs between phases: what the replay server sends, how the silo is pointed at it,
/// how many events the replay counted as sent, and where the rows land (table, this phase's rows, Redis streams).
/// The measuring itself is <see cref="PhaseRunner"/>'s, the same for every phase.
/// </summary>
sealed record Workload(
    string Description,
    long Expected,
    ReplayServerOptions Replay,
    Func<ReplayServer, Dictionary<string, string?>> SourceSettings,
    Func<ReplayServer, long> Sent,
    string Table,
    string Filter,
    IReadOnlyList<string> RedisStreams,
    Ceiling Ceiling)
{
    /// <summary>Polygon per-second bars: <paramref name="symbols"/> stocks named prefix00.., one stocks connection.</summary>
    public static Workload PolygonBars(string prefix, int symbols, int barsPerSymbol, double speed)
    {
        var names = Enumerable.Range(0, symbols).Select(i => $"{prefix}{i:D2}").ToArray();
        return new Workload(
            $"{symbols * barsPerSymbol:N0} per-second bars ({symbols} symbols × {barsPerSymbol:N0}) through one Polygon connection, replay speed {Speed(speed)}",
            symbols * barsPerSymbol,
            new ReplayServerOptions { Speed = speed, MaxEventsPerSymbol = barsPerSymbol, MaxEventsPerFrame = 200 },
            replay =>
            {
                var settings = new Dictionary<string, string?>
                {
                    ["Sources:Polygon:WebSocketUrl"] = replay.PolygonWebSocketRoot.ToString().TrimEnd('/'),
                    ["Sources:Polygon:ApiKey"] = "replay-key",
                    ["Sources:Polygon:RespectMarketHours"] = "false",
                    ["Sources:UnusualWhales:Enabled"] = "false",
                };
                for (var i = 0; i < names.Length; i++) settings[$"Sources:Polygon:Stocks:{i}"] = names[i];
                return settings;
            },
            replay => replay.Stats.EventsSent("stocks"),
            "polygon_aggregates",
            $"symbol LIKE '{prefix}%'",
            [.. names.Select(s => $"polygon:aggs:{s}")],
            Ceiling.PolygonBars);
    }

    /// <summary>
    /// Unusual Whales option trades: the synthetic tape of each watchlist ticker on <c>option_trades:&lt;T&gt;</c>, one
    /// payload per frame, through the trades socket (<c>uw/trades</c>) only: the other channel families and scheduled REST off.
    /// </summary>
    public static Workload UwOptionTrades(string[] tickers, int tradesPerTicker, double speed)
    {
        var list = string.Join(",", tickers);
        return new Workload(
            $"{tickers.Length * tradesPerTicker:N0} option_trades frames ({tickers.Length} tickers × {tradesPerTicker:N0}: {list}) through one Unusual Whales connection (uw/trades), replay speed {Speed(speed)}",
            tickers.Length * tradesPerTicker,
            new ReplayServerOptions { Speed = speed, MaxEventsPerSymbol = tradesPerTicker, UnusualWhalesTickers = list },
            replay =>
            {
                var settings = new Dictionary<string, string?>
                {
                    ["Sources:Polygon:Enabled"] = "false",
                    ["Sources:UnusualWhales:Enabled"] = "true",
                    ["Sources:UnusualWhales:Token"] = "replay-token",
                    ["Sources:UnusualWhales:WebSocketUrl"] = replay.UnusualWhalesWebSocketUrl.ToString(),
                    ["Sources:UnusualWhales:RestBaseUrl"] = replay.UnusualWhalesRestRoot.ToString().TrimEnd('/'),
                    ["Sources:UnusualWhales:Rest:Enabled"] = "false",
                    ["Sources:UnusualWhales:Channels:OptionTradesPerTicker"] = "true",
                    ["Sources:UnusualWhales:Channels:OptionTradesFullTape"] = "false",
                };
                foreach (var family in new[] { "FlowAlerts", "Prices", "Gex", "GexStrike", "GexStrikeExpiry", "News" })
                    settings[$"Sources:UnusualWhales:Channels:{family}"] = "false";
                for (var i = 0; i < tickers.Length; i++) settings[$"Watchlist:Tickers:{i}"] = tickers[i];
                return settings;
            },
            replay => tickers.Sum(t => replay.Stats.UnusualWhales.FramesSent($"option_trades:{t}")),
            "uw_option_trades",
            $"ticker IN ({string.Join(", ", tickers.Select(t => $"'{t}'"))})",
            [.. tickers.Select(t => $"uw:option_trades:{t}")],
            Ceiling.UwOptionTrades);
    }

    private static string Speed(double speed) => speed == 0 ? "unlimited" : speed + "×";
}

/// <summary>
/// The plain binary COPY a workload's throughput is compared with: every pipeline row of <see cref="Table"/>
/// (all columns but <c>ingested_at</c>), copied in one COPY into <see cref="Target"/> after <see cref="Prepare"/>.
/// </summary>
sealed record Ceiling(string Name, string Table, string Target, string? Prepare, Action<string[], object?[]>? Rewrite)
{
    /// <summary>As since the first figures: into the same table, under other symbols ("C" + symbol), so history stays comparable.</summary>
    public static readonly Ceiling PolygonBars = new("Polygon bars", "polygon_aggregates", "polygon_aggregates", null,
        (columns, row) => row[Array.IndexOf(columns, "symbol")] = "C" + row[Array.IndexOf(columns, "symbol")]);

    /// <summary>Into an empty scratch copy of the table: same columns, keys, indexes and range partitioning (one default partition).</summary>
    public static readonly Ceiling UwOptionTrades = new("UW option trades", "uw_option_trades", "uw_option_trades_ceiling",
        """
        DROP TABLE IF EXISTS uw_option_trades_ceiling;
        CREATE TABLE uw_option_trades_ceiling (LIKE uw_option_trades INCLUDING ALL) PARTITION BY RANGE (executed_at);
        CREATE TABLE uw_option_trades_ceiling_all PARTITION OF uw_option_trades_ceiling DEFAULT;
        """,
        null);
}
