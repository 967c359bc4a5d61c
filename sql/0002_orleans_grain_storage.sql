-- =============================================================================
-- 0002_orleans_grain_storage.sql
--
-- Purpose
--   Database objects for Orleans grain persistence on PostgreSQL, i.e. what
--   AddAdoNetGrainStorage(..., o => o.Invariant = "Npgsql") needs at runtime.
--   This is the project's own implementation of the contract expected by
--   Microsoft.Orleans.Persistence.AdoNet 10.4.2 (the NuGet package ships no
--   SQL). Clustering, reminders and streaming are deliberately NOT covered.
--
-- Contract summary (what the provider dictates; everything else is ours)
--   * Table "orleansquery" (querykey, querytext). At silo start the provider
--     loads the rows WriteToStorageKey, ReadFromStorageKey, ClearStorageKey and
--     DeleteStorageKey (the last one is mandatory when DeleteStateOnClear=true).
--   * Each query text receives named parameters (Npgsql "@name" syntax):
--       @GrainIdHash int4, @GrainIdN0 int8, @GrainIdN1 int8, @GrainTypeHash int4,
--       @GrainTypeString text, @GrainIdExtensionString text (NULL allowed),
--       @ServiceId text, and, for write/clear/delete, @GrainStateVersion int4
--       (NULL = the grain holds no ETag), plus @PayloadBinary bytea for write.
--   * Result shapes the provider reads:
--       read   -> columns "payloadbinary" (bytea, NULL = no state) and "version"
--       write  -> column  "newgrainstateversion"
--       clear  -> first column = new version (zero rows = conflict)
--       delete -> first column = a value different from the grain's ETag
--   * Optimistic concurrency: the provider raises InconsistentStateException
--     when the returned version equals the version it sent, is empty/NULL
--     while it sent one, or is NULL/empty when it sent none. So "nothing was
--     written" is signalled by echoing the caller's version back unchanged.
--
-- Grain-key encoding used by the provider (informational)
--   Guid key   -> n0/n1 = the two Int64 halves of Guid.ToByteArray()
--   long key   -> n0 = 0, n1 = key
--   string key -> n0 = n1 = 0, full key in grainidextensionstring
--   "graintypestring" carries the persistent-state NAME (e.g. "probe"), not
--   the grain class, so state names must be unique per storage/key.
--
-- Idempotency
--   Safe to run any number of times, inside a single transaction, on
--   PostgreSQL 15: IF NOT EXISTS for tables/indexes, CREATE OR REPLACE for
--   functions, upserts for the query rows. No data is ever dropped.
-- =============================================================================


-- -----------------------------------------------------------------------------
-- 1. Query catalogue shared by all Orleans ADO.NET providers.
--    Column names and the lookup by querykey are fixed by the provider.
-- -----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64)   NOT NULL,
    querytext varchar(8000) NOT NULL,
    CONSTRAINT orleansquery_pkey PRIMARY KEY (querykey)
);

COMMENT ON TABLE orleansquery IS
    'Named SQL statements executed by the Orleans ADO.NET providers (loaded at silo start).';


-- -----------------------------------------------------------------------------
-- 2. Grain state rows. One row per (service, state name, grain key).
-- -----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS orleansstorage
(
    grainidhash            integer       NOT NULL,  -- hash of the grain key (provider-computed)
    grainidn0              bigint        NOT NULL,  -- Guid high half, else 0
    grainidn1              bigint        NOT NULL,  -- Guid low half / integer key, else 0
    graintypehash          integer       NOT NULL,  -- hash of graintypestring (provider-computed)
    graintypestring        varchar(512)  NOT NULL,  -- persistent-state name
    grainidextensionstring varchar(512),            -- string key or key extension; NULL if none
    serviceid              varchar(150)  NOT NULL,  -- ClusterOptions.ServiceId
    payloadbinary          bytea,                   -- serialized state; NULL after a non-deleting clear
    modifiedon             timestamptz   NOT NULL DEFAULT now(),
    version                integer       NOT NULL   -- the ETag; starts at 1, +1 per write/clear
);

COMMENT ON TABLE orleansstorage IS
    'Orleans grain state written by Microsoft.Orleans.Persistence.AdoNet (see 0002_orleans_grain_storage.sql).';

-- At most one row per logical grain state. The string columns are folded
-- through md5() so the index entry stays small whatever the key length and
-- encoding; coalesce() makes a missing extension compare equal to itself
-- (md5 output is never '-'). The leading hash columns also make this the
-- lookup index for every query below.
CREATE UNIQUE INDEX IF NOT EXISTS orleansstorage_grain_uq
    ON orleansstorage
    (
        grainidhash,
        graintypehash,
        grainidn0,
        grainidn1,
        serviceid,
        md5(graintypestring),
        coalesce(md5(grainidextensionstring), '-')
    );


-- -----------------------------------------------------------------------------
-- 3. Functions behind the query rows. Parameters are typed the way Npgsql
--    binds the provider's values (int4, int8, text, bytea), so no casts are
--    needed in the query texts.
-- -----------------------------------------------------------------------------

-- Read: zero rows when nothing is stored; otherwise the payload (possibly
-- NULL after a clear) and its current version.
CREATE OR REPLACE FUNCTION orleans_grain_state_read(
    p_id_hash   integer,
    p_id_n0     bigint,
    p_id_n1     bigint,
    p_type_hash integer,
    p_type_name text,
    p_id_ext    text,
    p_service   text)
RETURNS TABLE (payloadbinary bytea, version integer)
LANGUAGE sql
STABLE
AS $body$
    SELECT s.payloadbinary, s.version
      FROM orleansstorage AS s
     WHERE s.grainidhash   = p_id_hash
       AND s.graintypehash = p_type_hash
       AND s.grainidn0     = p_id_n0
       AND s.grainidn1     = p_id_n1
       AND s.serviceid     = p_service
       AND s.graintypestring = p_type_name
       AND s.grainidextensionstring IS NOT DISTINCT FROM p_id_ext;
$body$;


-- Write: optimistic upsert.
--   p_expected IS NULL     -> the grain believes no row exists: insert with
--                             version 1, unless a row is already there.
--   p_expected IS NOT NULL -> update only if the stored version still equals
--                             p_expected; the version then advances by one.
-- Returns the new version on success and p_expected unchanged (possibly NULL)
-- when nothing was written, which the provider reports as a version conflict.
CREATE OR REPLACE FUNCTION orleans_grain_state_write(
    p_id_hash   integer,
    p_id_n0     bigint,
    p_id_n1     bigint,
    p_type_hash integer,
    p_type_name text,
    p_id_ext    text,
    p_service   text,
    p_expected  integer,
    p_payload   bytea)
RETURNS TABLE (newgrainstateversion integer)
LANGUAGE plpgsql
VOLATILE
AS $body$
DECLARE
    v_new integer;
BEGIN
    IF p_expected IS NULL THEN
        -- First write. The unique index arbitrates concurrent first writers
        -- (e.g. a duplicate activation during a split brain): exactly one wins.
        INSERT INTO orleansstorage AS s
               (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
                grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
        VALUES (p_id_hash, p_id_n0, p_id_n1, p_type_hash, p_type_name,
                p_id_ext, p_service, p_payload, now(), 1)
        ON CONFLICT DO NOTHING
        RETURNING s.version INTO v_new;
    ELSE
        UPDATE orleansstorage AS s
           SET payloadbinary = p_payload,
               modifiedon    = now(),
               version       = s.version + 1
         WHERE s.grainidhash   = p_id_hash
           AND s.graintypehash = p_type_hash
           AND s.grainidn0     = p_id_n0
           AND s.grainidn1     = p_id_n1
           AND s.serviceid     = p_service
           AND s.graintypestring = p_type_name
           AND s.grainidextensionstring IS NOT DISTINCT FROM p_id_ext
           AND s.version       = p_expected
        RETURNING s.version INTO v_new;
    END IF;

    -- v_new stays NULL when no row was touched: echo the caller's version.
    newgrainstateversion := coalesce(v_new, p_expected);
    RETURN NEXT;
END;
$body$;


-- Clear (DeleteStateOnClear = false): keep the row, drop the payload and
-- advance the version. Zero rows returned = stale ETag = conflict.
CREATE OR REPLACE FUNCTION orleans_grain_state_clear(
    p_id_hash   integer,
    p_id_n0     bigint,
    p_id_n1     bigint,
    p_type_hash integer,
    p_type_name text,
    p_id_ext    text,
    p_service   text,
    p_expected  integer)
RETURNS TABLE (newgrainstateversion integer)
LANGUAGE sql
VOLATILE
AS $body$
    UPDATE orleansstorage AS s
       SET payloadbinary = NULL,
           modifiedon    = now(),
           version       = s.version + 1
     WHERE s.grainidhash   = p_id_hash
       AND s.graintypehash = p_type_hash
       AND s.grainidn0     = p_id_n0
       AND s.grainidn1     = p_id_n1
       AND s.serviceid     = p_service
       AND s.graintypestring = p_type_name
       AND s.grainidextensionstring IS NOT DISTINCT FROM p_id_ext
       AND s.version       = p_expected
    RETURNING s.version;
$body$;


-- Delete (DeleteStateOnClear = true): remove the row if the ETag matches.
-- The provider only checks that the returned value differs from the ETag it
-- sent, so report "deleted version + 1". Zero rows returned = conflict.
CREATE OR REPLACE FUNCTION orleans_grain_state_delete(
    p_id_hash   integer,
    p_id_n0     bigint,
    p_id_n1     bigint,
    p_type_hash integer,
    p_type_name text,
    p_id_ext    text,
    p_service   text,
    p_expected  integer)
RETURNS TABLE (newgrainstateversion integer)
LANGUAGE sql
VOLATILE
AS $body$
    DELETE FROM orleansstorage AS s
     WHERE s.grainidhash   = p_id_hash
       AND s.graintypehash = p_type_hash
       AND s.grainidn0     = p_id_n0
       AND s.grainidn1     = p_id_n1
       AND s.serviceid     = p_service
       AND s.graintypestring = p_type_name
       AND s.grainidextensionstring IS NOT DISTINCT FROM p_id_ext
       AND s.version       = p_expected
    RETURNING s.version + 1;
$body$;


-- -----------------------------------------------------------------------------
-- 4. Query rows. Keys and "@Parameter" names are fixed by the provider; the
--    texts just forward to the functions above. Upserted so that re-running
--    this file (or a later edit of it) refreshes the stored texts.
-- -----------------------------------------------------------------------------
INSERT INTO orleansquery AS q (querykey, querytext)
VALUES
    ('ReadFromStorageKey',
     'SELECT payloadbinary, version FROM orleans_grain_state_read(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId)'),
    ('WriteToStorageKey',
     'SELECT newgrainstateversion FROM orleans_grain_state_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary)'),
    ('ClearStorageKey',
     'SELECT newgrainstateversion FROM orleans_grain_state_clear(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion)'),
    ('DeleteStorageKey',
     'SELECT newgrainstateversion FROM orleans_grain_state_delete(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion)')
ON CONFLICT (querykey) DO UPDATE
    SET querytext = EXCLUDED.querytext
  WHERE q.querytext IS DISTINCT FROM EXCLUDED.querytext;
