-- Unusual Whales WebSocket channels (seed 000 §6.1, design §5). Every table keeps the structured
-- columns analytics query, the raw payload (unknown fields included) and the ingress hash.
-- High-volume tables are range-partitioned by month on event time; their primary keys carry the
-- event time because PostgreSQL requires the partition key in every unique key (an id always comes
-- with the same event time, so the id alone stays unique). Duplicates never add a row.

CREATE TABLE IF NOT EXISTS uw_flow_alerts (
    alert_id          text        NOT NULL,
    ticker            text        NOT NULL,
    option_chain      text        NOT NULL,
    rule_name         text        NOT NULL,
    executed_at       timestamptz NOT NULL,
    underlying_price  numeric,
    price             numeric,
    volume            bigint,
    total_size        bigint,
    total_premium     numeric     NOT NULL,
    ask_side_premium  numeric,
    bid_side_premium  numeric,
    has_sweep         boolean     NOT NULL,
    has_multileg      boolean     NOT NULL,
    open_interest     bigint,
    trade_count       integer,
    trade_ids         text[]      NOT NULL,
    bid               numeric,
    ask               numeric,
    received_at       timestamptz NOT NULL,
    ingested_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    ingress_hash      bytea       NOT NULL,
    raw_payload       jsonb       NOT NULL,
    PRIMARY KEY (alert_id, executed_at)
) PARTITION BY RANGE (executed_at);
CREATE INDEX IF NOT EXISTS uw_flow_alerts_ticker_time ON uw_flow_alerts (ticker, executed_at DESC);
SELECT ensure_monthly_partitions('uw_flow_alerts', 1, 3);

CREATE TABLE IF NOT EXISTS uw_option_trades (
    trade_id           text        NOT NULL,
    ticker             text        NOT NULL,
    option_symbol      text        NOT NULL,
    executed_at        timestamptz NOT NULL,
    price              numeric     NOT NULL,
    size               bigint      NOT NULL,
    premium            numeric     NOT NULL,
    strike             numeric     NOT NULL,
    expiry             date        NOT NULL,
    option_type        text        NOT NULL CHECK (option_type IN ('call', 'put')),
    side               text        CHECK (side IN ('ask', 'bid', 'mid')),
    nbbo_bid           numeric,
    nbbo_ask           numeric,
    underlying_price   numeric,
    implied_volatility numeric,
    delta              numeric,
    gamma              numeric,
    theta              numeric,
    vega               numeric,
    volume             bigint,
    open_interest      bigint,
    exchange           text,
    tags               text[]      NOT NULL,
    received_at        timestamptz NOT NULL,
    ingested_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    ingress_hash       bytea       NOT NULL,
    raw_payload        jsonb       NOT NULL,
    PRIMARY KEY (trade_id, executed_at)
) PARTITION BY RANGE (executed_at);
CREATE INDEX IF NOT EXISTS uw_option_trades_ticker_time ON uw_option_trades (ticker, executed_at DESC);
SELECT ensure_monthly_partitions('uw_option_trades', 1, 3);

CREATE TABLE IF NOT EXISTS uw_gex_snapshot (
    ticker          text        NOT NULL,
    ts              timestamptz NOT NULL,
    price           numeric,
    gamma_oi        numeric,
    gamma_vol       numeric,
    gamma_dir       numeric,
    delta_oi        numeric,
    charm_oi        numeric,
    vanna_oi        numeric,
    received_at     timestamptz NOT NULL,
    ingested_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    ingress_hash    bytea       NOT NULL,
    raw_payload     jsonb       NOT NULL,
    PRIMARY KEY (ticker, ts)
) PARTITION BY RANGE (ts);
SELECT ensure_monthly_partitions('uw_gex_snapshot', 1, 3);

CREATE TABLE IF NOT EXISTS uw_gex_strike (
    ticker          text        NOT NULL,
    ts              timestamptz NOT NULL,
    strike          numeric     NOT NULL,
    price           numeric,
    call_gamma_oi   numeric,
    put_gamma_oi    numeric,
    call_gamma_vol  numeric,
    put_gamma_vol   numeric,
    received_at     timestamptz NOT NULL,
    ingested_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    ingress_hash    bytea       NOT NULL,
    raw_payload     jsonb       NOT NULL,
    PRIMARY KEY (ticker, ts, strike)
) PARTITION BY RANGE (ts);
SELECT ensure_monthly_partitions('uw_gex_strike', 1, 3);

CREATE TABLE IF NOT EXISTS uw_gex_strike_expiry (
    ticker          text        NOT NULL,
    ts              timestamptz NOT NULL,
    strike          numeric     NOT NULL,
    expiry          date        NOT NULL,
    price           numeric,
    call_gamma_oi   numeric,
    put_gamma_oi    numeric,
    call_gamma_vol  numeric,
    put_gamma_vol   numeric,
    received_at     timestamptz NOT NULL,
    ingested_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    ingress_hash    bytea       NOT NULL,
    raw_payload     jsonb       NOT NULL,
    PRIMARY KEY (ticker, ts, strike, expiry)
) PARTITION BY RANGE (ts);
SELECT ensure_monthly_partitions('uw_gex_strike_expiry', 1, 3);

CREATE TABLE IF NOT EXISTS uw_price_ticks (
    ticker            text        NOT NULL,
    ts                timestamptz NOT NULL,
    close             numeric     NOT NULL,
    cumulative_volume bigint,
    received_at       timestamptz NOT NULL,
    ingested_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    ingress_hash      bytea       NOT NULL,
    raw_payload       jsonb       NOT NULL,
    PRIMARY KEY (ticker, ts)
) PARTITION BY RANGE (ts);
SELECT ensure_monthly_partitions('uw_price_ticks', 1, 3);

-- 1-minute bars, recomputed from the stored ticks of every minute a write touches, so a late or
-- repeated tick always leaves the bar its ticks imply. volume = growth of the cumulative day
-- volume within the minute.
CREATE TABLE IF NOT EXISTS uw_price_bars_1m (
    ticker      text        NOT NULL,
    bar_start   timestamptz NOT NULL,
    o           numeric     NOT NULL,
    h           numeric     NOT NULL,
    l           numeric     NOT NULL,
    c           numeric     NOT NULL,
    volume      bigint,
    ticks       integer     NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (ticker, bar_start)
);

CREATE TABLE IF NOT EXISTS uw_news (
    headline_id   text        PRIMARY KEY,
    ts            timestamptz NOT NULL,
    headline      text        NOT NULL,
    source        text,
    tickers       text[]      NOT NULL,
    is_trump_ts   boolean     NOT NULL,
    received_at   timestamptz NOT NULL,
    ingested_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    ingress_hash  bytea       NOT NULL,
    raw_payload   jsonb       NOT NULL
);
CREATE INDEX IF NOT EXISTS uw_news_ts ON uw_news (ts DESC);
