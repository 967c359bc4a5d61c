-- Foundations every feed relies on: monthly partition management and the quarantine table.
-- Idempotent: safe to apply again by hand.

-- Creates the monthly partition of `parent` that holds `month` (any day of it), if missing.
-- Partitions are named <parent>_yYYYYmMM and cover [first day, first day of next month).
-- An advisory lock serialises concurrent creators (two writers meeting a new month at once).
CREATE OR REPLACE FUNCTION ensure_monthly_partition(parent text, month date)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    partition_name text := format('%s_y%sm%s', parent, to_char(first_day, 'YYYY'), to_char(first_day, 'MM'));
BEGIN
    IF to_regclass(partition_name) IS NOT NULL THEN
        RETURN partition_name;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('ensure_monthly_partition:' || partition_name));
    EXECUTE format(
        'CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
        partition_name, parent, first_day, (first_day + interval '1 month')::date);
    RETURN partition_name;
END $$;

-- Creates partitions from `months_back` months ago to `months_ahead` months ahead of today.
CREATE OR REPLACE FUNCTION ensure_monthly_partitions(parent text, months_back int, months_ahead int)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN -months_back..months_ahead LOOP
        PERFORM ensure_monthly_partition(parent, (current_date + make_interval(months => i))::date);
    END LOOP;
END $$;

-- Retention: drops whole monthly partitions of `parent` that end before now() - keep.
CREATE OR REPLACE FUNCTION drop_monthly_partitions_older_than(parent text, keep interval)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    child record;
    dropped int := 0;
    month_start date;
BEGIN
    FOR child IN
        SELECT c.relname
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = parent AND c.relname ~ '_y[0-9]{4}m[0-9]{2}$'
    LOOP
        month_start := to_date(substring(child.relname from '_y([0-9]{4})m') || substring(child.relname from 'm([0-9]{2})$') || '01', 'YYYYMMDD');
        IF month_start + interval '1 month' <= now() - keep THEN
            EXECUTE format('DROP TABLE IF EXISTS %I', child.relname);
            dropped := dropped + 1;
        END IF;
    END LOOP;
    RETURN dropped;
END $$;

-- Input we refused: malformed frames, missing or mistyped fields, unknown event types.
-- `id` is a SHA-256 of the raw input and reason, so a replayed frame does not add a second row.
CREATE TABLE IF NOT EXISTS quarantine (
    source       text        NOT NULL,
    received_at  timestamptz NOT NULL,
    id           text        NOT NULL,
    connection   text        NOT NULL,
    reason       text        NOT NULL,
    raw          text        NOT NULL,
    ingested_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, received_at, id)
);
CREATE INDEX IF NOT EXISTS quarantine_received_at ON quarantine (received_at DESC);
