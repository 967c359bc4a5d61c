-- Unusual Whales REST archive (design §5, seed 000 §6.2): every answer of every polled endpoint, kept verbatim.
-- payload = {"response": <the body as received>, "context": {endpoint, scope, url (never the token), status,
-- fetched_at, rate headers}}; payload_hash = SHA-256 of the canonical JSON of the response alone, so an identical
-- answer fetched again only refreshes fetched_at (and the context of the latest fetch) instead of adding a row.
--
-- Retention (90 days) is a DELETE on fetched_at, not partitions: a partitioned table's unique key must contain the
-- partition column, which would turn the key into (endpoint, scope, payload_hash, first_seen_at) and break the
-- "same payload = same row" rule that ON CONFLICT (endpoint, scope, payload_hash) relies on. At REST rates (tens of
-- rows a minute) a daily indexed DELETE is cheap. A payload still being served keeps its row (fetched_at moves).
CREATE TABLE IF NOT EXISTS uw_rest_payloads (
    endpoint       text        NOT NULL,
    scope          text        NOT NULL,
    payload_hash   bytea       NOT NULL,
    payload        jsonb       NOT NULL,
    status         int         NOT NULL,
    first_seen_at  timestamptz NOT NULL,
    fetched_at     timestamptz NOT NULL,
    fetch_count    bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (endpoint, scope, payload_hash)
);

CREATE INDEX IF NOT EXISTS uw_rest_payloads_latest ON uw_rest_payloads (endpoint, scope, fetched_at DESC);
CREATE INDEX IF NOT EXISTS uw_rest_payloads_fetched_at ON uw_rest_payloads (fetched_at);

-- Retention: deletes archive rows not fetched again within `keep`; returns how many went.
CREATE OR REPLACE FUNCTION prune_uw_rest_payloads(keep interval) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    removed bigint;
BEGIN
    DELETE FROM uw_rest_payloads WHERE fetched_at < now() - keep;
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END;
$$;
