using Ingestion.Events;
using Npgsql;
using NpgsqlTypes;

namespace Ingestion.Storage.Postgres;

/// <summary>
/// Writes Unusual Whales events to their tables (sql/0004) in one transaction per batch, each kind
/// by <see cref="StagedCopy{T}"/>, and recomputes the 1-minute price bars of every minute the
/// batch's ticks touch.
/// </summary>
public sealed class UnusualWhalesTables(NpgsqlDataSource database, MonthlyPartitions partitions)
{
    private static readonly StagedCopy<UwFlowAlert> FlowAlerts = new("uw_flow_alerts",
    [
        new("alert_id", NpgsqlDbType.Text, e => e.AlertId),
        new("ticker", NpgsqlDbType.Text, e => e.Ticker),
        new("option_chain", NpgsqlDbType.Text, e => e.OptionChain),
        new("rule_name", NpgsqlDbType.Text, e => e.RuleName),
        new("executed_at", NpgsqlDbType.TimestampTz, e => e.EventTime.ToUniversalTime()),
        new("underlying_price", NpgsqlDbType.Numeric, e => e.UnderlyingPrice),
        new("price", NpgsqlDbType.Numeric, e => e.Price),
        new("volume", NpgsqlDbType.Bigint, e => e.Volume),
        new("total_size", NpgsqlDbType.Bigint, e => e.TotalSize),
        new("total_premium", NpgsqlDbType.Numeric, e => e.TotalPremium),
        new("ask_side_premium", NpgsqlDbType.Numeric, e => e.AskSidePremium),
        new("bid_side_premium", NpgsqlDbType.Numeric, e => e.BidSidePremium),
        new("has_sweep", NpgsqlDbType.Boolean, e => e.HasSweep),
        new("has_multileg", NpgsqlDbType.Boolean, e => e.HasMultileg),
        new("open_interest", NpgsqlDbType.Bigint, e => e.OpenInterest),
        new("trade_count", NpgsqlDbType.Integer, e => e.TradeCount),
        new("trade_ids", NpgsqlDbType.Array | NpgsqlDbType.Text, e => e.TradeIds.IsDefault ? Array.Empty<string>() : e.TradeIds.ToArray()),
        new("bid", NpgsqlDbType.Numeric, e => e.Bid),
        new("ask", NpgsqlDbType.Numeric, e => e.Ask),
        .. Ingress<UwFlowAlert>(),
    ]);

    private static readonly StagedCopy<UwOptionTrade> OptionTrades = new("uw_option_trades",
    [
        new("trade_id", NpgsqlDbType.Text, e => e.TradeId),
        new("ticker", NpgsqlDbType.Text, e => e.Ticker),
        new("option_symbol", NpgsqlDbType.Text, e => e.OptionSymbol),
        new("executed_at", NpgsqlDbType.TimestampTz, e => e.EventTime.ToUniversalTime()),
        new("price", NpgsqlDbType.Numeric, e => e.Price),
        new("size", NpgsqlDbType.Bigint, e => e.Size),
        new("premium", NpgsqlDbType.Numeric, e => e.Premium),
        new("strike", NpgsqlDbType.Numeric, e => e.Strike),
        new("expiry", NpgsqlDbType.Date, e => e.Expiry),
        new("option_type", NpgsqlDbType.Text, e => e.OptionType),
        new("side", NpgsqlDbType.Text, e => e.Side),
        new("nbbo_bid", NpgsqlDbType.Numeric, e => e.NbboBid),
        new("nbbo_ask", NpgsqlDbType.Numeric, e => e.NbboAsk),
        new("underlying_price", NpgsqlDbType.Numeric, e => e.UnderlyingPrice),
        new("implied_volatility", NpgsqlDbType.Numeric, e => e.ImpliedVolatility),
        new("delta", NpgsqlDbType.Numeric, e => e.Delta),
        new("gamma", NpgsqlDbType.Numeric, e => e.Gamma),
        new("theta", NpgsqlDbType.Numeric, e => e.Theta),
        new("vega", NpgsqlDbType.Numeric, e => e.Vega),
        new("volume", NpgsqlDbType.Bigint, e => e.Volume),
        new("open_interest", NpgsqlDbType.Bigint, e => e.OpenInterest),
        new("exchange", NpgsqlDbType.Text, e => e.Exchange),
        new("tags", NpgsqlDbType.Array | NpgsqlDbType.Text, e => e.Tags.IsDefault ? Array.Empty<string>() : e.Tags.ToArray()),
        .. Ingress<UwOptionTrade>(),
    ]);

    private static readonly StagedCopy<UwGexSnapshot> GexSnapshots = new("uw_gex_snapshot",
    [
        new("ticker", NpgsqlDbType.Text, e => e.Ticker),
        new("ts", NpgsqlDbType.TimestampTz, e => e.EventTime.ToUniversalTime()),
        new("price", NpgsqlDbType.Numeric, e => e.Price),
        new("gamma_oi", NpgsqlDbType.Numeric, e => e.GammaPerOnePercentOi),
        new("gamma_vol", NpgsqlDbType.Numeric, e => e.GammaPerOnePercentVolume),
        new("gamma_dir", NpgsqlDbType.Numeric, e => e.GammaPerOnePercentDirectional),
        new("delta_oi", NpgsqlDbType.Numeric, e => e.DeltaPerOnePercentOi),
        new("charm_oi", NpgsqlDbType.Numeric, e => e.CharmPerOnePercentOi),
        new("vanna_oi", NpgsqlDbType.Numeric, e => e.VannaPerOnePercentOi),
        .. Ingress<UwGexSnapshot>(),
    ]);

    private static readonly StagedCopy<UwGexStrike> GexStrikes = new("uw_gex_strike", GexStrikeColumns(withExpiry: false));

    private static readonly StagedCopy<UwGexStrike> GexStrikeExpiries = new("uw_gex_strike_expiry", GexStrikeColumns(withExpiry: true));

    private static readonly StagedCopy<UwPriceTick> PriceTicks = new("uw_price_ticks",
    [
        new("ticker", NpgsqlDbType.Text, e => e.Ticker),
        new("ts", NpgsqlDbType.TimestampTz, e => e.EventTime.ToUniversalTime()),
        new("close", NpgsqlDbType.Numeric, e => e.Close),
        new("cumulative_volume", NpgsqlDbType.Bigint, e => e.CumulativeVolume),
        .. Ingress<UwPriceTick>(),
    ]);

    private static readonly StagedCopy<UwNewsHeadline> News = new("uw_news",
    [
        new("headline_id", NpgsqlDbType.Text, e => e.HeadlineId),
        new("ts", NpgsqlDbType.TimestampTz, e => e.EventTime.ToUniversalTime()),
        new("headline", NpgsqlDbType.Text, e => e.Headline),
        new("source", NpgsqlDbType.Text, e => e.Source),
        new("tickers", NpgsqlDbType.Array | NpgsqlDbType.Text, e => e.Tickers.IsDefault ? Array.Empty<string>() : e.Tickers.ToArray()),
        new("is_trump_ts", NpgsqlDbType.Boolean, e => e.IsTrumpTs),
        .. Ingress<UwNewsHeadline>(),
    ]);

    /// <summary>Bars of the minutes the staged ticks fall in, recomputed from every stored tick of those minutes.</summary>
    private const string RecomputeBars = """
        INSERT INTO uw_price_bars_1m (ticker, bar_start, o, h, l, c, volume, ticks, updated_at)
        SELECT t.ticker, date_trunc('minute', t.ts),
               (array_agg(t.close ORDER BY t.ts))[1], max(t.close), min(t.close), (array_agg(t.close ORDER BY t.ts DESC))[1],
               max(t.cumulative_volume) - min(t.cumulative_volume), count(*), clock_timestamp()
        FROM uw_price_ticks t
        JOIN (SELECT DISTINCT ticker, date_trunc('minute', ts) AS minute FROM uw_price_ticks_stage) touched
          ON t.ticker = touched.ticker AND t.ts >= touched.minute AND t.ts < touched.minute + interval '1 minute'
        GROUP BY t.ticker, date_trunc('minute', t.ts)
        ON CONFLICT (ticker, bar_start) DO UPDATE
        SET o = excluded.o, h = excluded.h, l = excluded.l, c = excluded.c, volume = excluded.volume, ticks = excluded.ticks, updated_at = excluded.updated_at
        """;

    /// <summary>Returns how many rows were new, across tables.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<UwEvent> events, CancellationToken cancellationToken)
    {
        var alerts = events.OfType<UwFlowAlert>().ToList();
        var trades = events.OfType<UwOptionTrade>().ToList();
        var gex = events.OfType<UwGexSnapshot>().ToList();
        var strikes = events.OfType<UwGexStrike>().Where(e => e.Expiry is null).ToList();
        var strikeExpiries = events.OfType<UwGexStrike>().Where(e => e.Expiry is not null).ToList();
        var ticks = events.OfType<UwPriceTick>().ToList();
        var news = events.OfType<UwNewsHeadline>().ToList();

        await EnsurePartitions(FlowAlerts, alerts, cancellationToken);
        await EnsurePartitions(OptionTrades, trades, cancellationToken);
        await EnsurePartitions(GexSnapshots, gex, cancellationToken);
        await EnsurePartitions(GexStrikes, strikes, cancellationToken);
        await EnsurePartitions(GexStrikeExpiries, strikeExpiries, cancellationToken);
        await EnsurePartitions(PriceTicks, ticks, cancellationToken);

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = 0;
        if (alerts.Count > 0) inserted += await FlowAlerts.WriteAsync(connection, transaction, alerts, cancellationToken);
        if (trades.Count > 0) inserted += await OptionTrades.WriteAsync(connection, transaction, trades, cancellationToken);
        if (gex.Count > 0) inserted += await GexSnapshots.WriteAsync(connection, transaction, gex, cancellationToken);
        if (strikes.Count > 0) inserted += await GexStrikes.WriteAsync(connection, transaction, strikes, cancellationToken);
        if (strikeExpiries.Count > 0) inserted += await GexStrikeExpiries.WriteAsync(connection, transaction, strikeExpiries, cancellationToken);
        if (news.Count > 0) inserted += await News.WriteAsync(connection, transaction, news, cancellationToken);
        if (ticks.Count > 0)
        {
            inserted += await PriceTicks.WriteAsync(connection, transaction, ticks, cancellationToken);
            await using var bars = new NpgsqlCommand(RecomputeBars, connection, transaction);
            await bars.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    private Task EnsurePartitions<T>(StagedCopy<T> table, List<T> rows, CancellationToken cancellationToken) where T : UwEvent =>
        rows.Count == 0 ? Task.CompletedTask : partitions.EnsureAsync(table.Table, rows.Select(r => r.EventTime), cancellationToken);

    private static CopyColumn<UwGexStrike>[] GexStrikeColumns(bool withExpiry) =>
    [
        new("ticker", NpgsqlDbType.Text, e => e.Ticker),
        new("ts", NpgsqlDbType.TimestampTz, e => e.EventTime.ToUniversalTime()),
        new("strike", NpgsqlDbType.Numeric, e => e.Strike),
        .. withExpiry ? [new CopyColumn<UwGexStrike>("expiry", NpgsqlDbType.Date, e => e.Expiry)] : Array.Empty<CopyColumn<UwGexStrike>>(),
        new("price", NpgsqlDbType.Numeric, e => e.Price),
        new("call_gamma_oi", NpgsqlDbType.Numeric, e => e.CallGammaOi),
        new("put_gamma_oi", NpgsqlDbType.Numeric, e => e.PutGammaOi),
        new("call_gamma_vol", NpgsqlDbType.Numeric, e => e.CallGammaVolume),
        new("put_gamma_vol", NpgsqlDbType.Numeric, e => e.PutGammaVolume),
        .. Ingress<UwGexStrike>(),
    ];

    private static CopyColumn<T>[] Ingress<T>() where T : UwEvent =>
    [
        new("received_at", NpgsqlDbType.TimestampTz, e => e.Ingress.ReceivedAt.ToUniversalTime()),
        new("ingress_hash", NpgsqlDbType.Bytea, e => e.Ingress.PayloadHash),
        new("raw_payload", NpgsqlDbType.Jsonb, e => e.Ingress.RawJson),
    ];
}
