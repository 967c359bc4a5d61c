-- Polygon/Massive aggregate bars: per-second (A) and per-minute (AM) for stocks, indices and options.
-- One row per (symbol, timespan, window start): a repeated event never adds a row.
-- Range-partitioned by month on the window start; partitions are created ahead by the silo and on
-- demand by the writer (ensure_monthly_partition), and old ones dropped for retention.
CREATE TABLE IF NOT EXISTS polygon_aggregates (
    symbol        text        NOT NULL,
    timespan      text        NOT NULL CHECK (timespan IN ('second', 'minute')),
    start_ts      timestamptz NOT NULL,
    end_ts        timestamptz NOT NULL,
    market        text        NOT NULL CHECK (market IN ('stocks', 'options', 'indices')),
    o             numeric     NOT NULL,
    h             numeric     NOT NULL,
    l             numeric     NOT NULL,
    c             numeric     NOT NULL,
    v             numeric,
    vw            numeric,
    av            numeric,
    op            numeric,
    a             numeric,
    z             numeric,
    otc           boolean     NOT NULL DEFAULT false,
    received_at   timestamptz NOT NULL,
    ingested_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    ingress_hash  bytea       NOT NULL,
    raw_payload   jsonb       NOT NULL,
    PRIMARY KEY (symbol, timespan, start_ts)
) PARTITION BY RANGE (start_ts);

CREATE INDEX IF NOT EXISTS polygon_aggregates_symbol_start ON polygon_aggregates (symbol, start_ts DESC);

SELECT ensure_monthly_partitions('polygon_aggregates', 1, 3);
