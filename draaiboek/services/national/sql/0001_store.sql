-- draaiboek national store, migration 1: stations, events (checked per batch), refusals and
-- forks, runbook copies and their marks, per-incident summaries and the national timeline.
--
-- Who may do what:
--   the owner (whoever ran `draaiboek db init`) owns every object; the trigger that keeps the
--     summaries runs with the owner's rights.
--   draaiboek_station (a group; `draaiboek db add-station NAME` makes one login role per station)
--     may insert its own station's events, refusals and forks (row-level security) and runbook
--     copies, and read back its own rows. No UPDATE or DELETE anywhere.
--   draaiboek_reader (a group; `draaiboek db add-reader NAME`) reads everything, writes nothing.

CREATE SCHEMA draaiboek;
REVOKE ALL ON SCHEMA draaiboek FROM PUBLIC;
GRANT USAGE ON SCHEMA draaiboek TO draaiboek_station, draaiboek_reader;

CREATE TABLE draaiboek.migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE draaiboek.stations (
    name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    role name NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The station of the connected role (NULL for anyone else). Not SECURITY DEFINER: current_user
-- must be the caller.
CREATE FUNCTION draaiboek.current_station() RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog
    AS $$ SELECT name FROM draaiboek.stations WHERE role = current_user $$;

-- One row per event, exactly the bytes the station's journal hashed (`body`: the canonical JSON
-- of the event without `hash`). The hash is checked here for every row; seq, prev and the chain
-- are checked per statement by the trigger below.
CREATE TABLE draaiboek.events (
    station text NOT NULL DEFAULT draaiboek.current_station(),
    incident text NOT NULL CHECK (length(incident) BETWEEN 1 AND 200),
    seq integer NOT NULL CHECK (seq >= 0),
    hash text NOT NULL,
    prev text,
    body text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station, incident, seq),
    CONSTRAINT hash_covers_body CHECK (hash = encode(sha256(convert_to(body, 'UTF8')), 'hex')),
    CONSTRAINT prev_null_only_first CHECK ((seq = 0) = (prev IS NULL))
);

-- Events a station forwarded that the store refused: kept as evidence, never in `events`.
CREATE TABLE draaiboek.refused (
    station text NOT NULL DEFAULT draaiboek.current_station(),
    incident text NOT NULL,
    seq integer NOT NULL,
    hash text NOT NULL,
    reason text NOT NULL,
    body text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station, incident, seq, hash, reason)
);

-- A different event for a seq already stored: the stored one stays, this one is recorded.
CREATE TABLE draaiboek.forks (
    station text NOT NULL DEFAULT draaiboek.current_station(),
    incident text NOT NULL,
    seq integer NOT NULL,
    hash text NOT NULL,
    stored_hash text NOT NULL,
    body text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station, incident, seq, hash)
);

-- Byte-exact runbook files, named by their sha256 (as in the incident folders).
CREATE TABLE draaiboek.runbook_copies (
    sha256 text PRIMARY KEY CHECK (sha256 = encode(sha256(content), 'hex')),
    runbook text NOT NULL,
    version text NOT NULL,
    content bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- What the overview reads from a runbook at ingest: which steps are published (publishes:*),
-- matter nationally (national:*) or record time zero (time-zero). Sent with the copy.
CREATE TABLE draaiboek.runbook_marks (
    sha256 text NOT NULL REFERENCES draaiboek.runbook_copies,
    step text NOT NULL,
    kind text NOT NULL CHECK (kind ~ '^(time-zero|publishes:[a-z-]+|national:[a-z-]+)$'),
    PRIMARY KEY (sha256, step, kind)
);

-- Maintained by the trigger, per batch: which runbook copy an incident uses for a runbook id.
CREATE TABLE draaiboek.incident_runbooks (
    station text NOT NULL,
    incident text NOT NULL,
    runbook text NOT NULL,
    sha256 text NOT NULL,
    PRIMARY KEY (station, incident, runbook)
);

-- Maintained by the trigger, per batch: one row per incident, all the overview reads.
-- `marks` maps what the targets look for to the station's time of it (ISO 8601):
--   e:RUNBOOK/STEP (entered), o:RUNBOOK/STEP/OPTION (chosen), a:RUNBOOK/STEP (action done),
--   i:RUNBOOK/STEP/ITEM (item done), r:RUNBOOK/STEP (value recorded).
CREATE TABLE draaiboek.summaries (
    station text NOT NULL,
    incident text NOT NULL,
    mode text,
    runbook text,
    version text,
    sha256 text,
    operator text,
    timezone text,
    opened_at timestamptz,
    events integer NOT NULL DEFAULT 0,
    last_seq integer NOT NULL,
    last_hash text NOT NULL,
    last_type text NOT NULL,
    last_at timestamptz NOT NULL,
    last_arrival timestamptz NOT NULL,
    current_runbook text,
    current_step text,
    closed_at timestamptz,
    outcome text,
    marks jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (station, incident)
);
CREATE INDEX summaries_closed ON draaiboek.summaries (closed_at);

-- Maintained by the trigger: the events at steps the runbooks mark (see runbook_marks).
CREATE TABLE draaiboek.timeline (
    station text NOT NULL,
    incident text NOT NULL,
    seq integer NOT NULL,
    kind text NOT NULL,
    at timestamptz NOT NULL,
    type text NOT NULL,
    runbook text NOT NULL,
    step text NOT NULL,
    option text,
    result text,
    value text,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station, incident, seq, kind)
);
CREATE INDEX timeline_at ON draaiboek.timeline (at);

CREATE TABLE draaiboek.settings (
    key text PRIMARY KEY,
    value text NOT NULL
);

-- Refuses the statement that calls it: a way to raise from inside a query.
CREATE FUNCTION draaiboek.refuse(message text) RETURNS boolean
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RAISE EXCEPTION 'draaiboek: %', message USING ERRCODE = 'check_violation'; END $$;

-- After every INSERT statement on events (so once per batch, whatever path the rows took):
-- refuse the whole statement unless every new row continues its chain and agrees with its own
-- body, then bring the summaries, the incidents' runbooks and the timeline up to date. One
-- statement, no temporary tables: it runs with the owner's rights, and a temporary table a
-- station made could stand in for ours.
CREATE FUNCTION draaiboek.events_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    WITH b AS MATERIALIZED (
        SELECT n.station, n.incident, n.seq, n.hash, n.prev, n.body::jsonb AS j
        FROM new_rows n
    ),
    bad_body AS (
        SELECT draaiboek.refuse(format('event %s of incident %s does not match its body',
                                       b.seq, b.incident)) AS refused
        FROM b
        WHERE jsonb_typeof(b.j) IS DISTINCT FROM 'object'
           OR NOT (b.j @> jsonb_build_object('seq', b.seq, 'prev', b.prev))
           OR b.j ? 'hash'
           OR jsonb_typeof(b.j -> 'type') IS DISTINCT FROM 'string'
           OR jsonb_typeof(b.j -> 'at') IS DISTINCT FROM 'string'
           OR (b.seq = 0 AND (b.j ->> 'type' IS DISTINCT FROM 'opened'
                              OR b.j ->> 'incident' IS DISTINCT FROM b.incident
                              OR (b.j ? 'station'
                                  AND b.j ->> 'station' IS DISTINCT FROM b.station)))
        LIMIT 1
    ),
    -- Within the batch each row must follow the one before it; only the first row of each
    -- incident in the batch is looked up among the stored events.
    ordered AS (
        SELECT b.station, b.incident, b.seq, b.prev,
               lag(b.seq) OVER w AS before_seq, lag(b.hash) OVER w AS before_hash
        FROM b
        WINDOW w AS (PARTITION BY b.station, b.incident ORDER BY b.seq)
    ),
    bad_chain AS (
        SELECT draaiboek.refuse(format('event %s of incident %s does not continue its chain',
                                       o.seq, o.incident)) AS refused
        FROM ordered o
        WHERE o.seq > 0 AND CASE
            WHEN o.before_seq IS NOT NULL
                THEN o.before_seq <> o.seq - 1 OR o.before_hash IS DISTINCT FROM o.prev
            ELSE NOT EXISTS (
                SELECT 1 FROM draaiboek.events e
                WHERE e.station = o.station AND e.incident = o.incident AND e.seq = o.seq - 1
                  AND e.hash = o.prev)
        END
        LIMIT 1
    ),
    checked AS MATERIALIZED (
        SELECT b.station, b.incident, b.seq, b.hash, b.j, (b.j ->> 'at')::timestamptz AS at
        FROM b
        WHERE NOT EXISTS (SELECT 1 FROM bad_body) AND NOT EXISTS (SELECT 1 FROM bad_chain)
    ),
    new_runbooks AS (
        SELECT DISTINCT ON (c.station, c.incident, c.j ->> 'runbook')
               c.station, c.incident, c.j ->> 'runbook' AS runbook, c.j ->> 'sha256' AS sha256
        FROM checked c
        WHERE c.j ->> 'type' IN ('opened', 'called')
          AND c.j ->> 'runbook' IS NOT NULL AND c.j ->> 'sha256' IS NOT NULL
        ORDER BY c.station, c.incident, c.j ->> 'runbook', c.seq
    ),
    add_runbooks AS (
        INSERT INTO draaiboek.incident_runbooks (station, incident, runbook, sha256)
        SELECT * FROM new_runbooks
        ON CONFLICT DO NOTHING
    ),
    -- The sibling INSERT above is not visible to this statement: read both.
    runbooks AS (
        SELECT r.station, r.incident, r.runbook, r.sha256 FROM draaiboek.incident_runbooks r
        WHERE (r.station, r.incident) IN (SELECT c.station, c.incident FROM checked c)
        UNION
        SELECT * FROM new_runbooks
    ),
    add_timeline AS (
        INSERT INTO draaiboek.timeline
            (station, incident, seq, kind, at, type, runbook, step, option, result, value)
        SELECT c.station, c.incident, c.seq, m.kind, c.at, c.j ->> 'type', c.j ->> 'runbook',
               c.j ->> 'step', c.j ->> 'option', c.j ->> 'result',
               CASE WHEN jsonb_typeof(c.j -> 'value') = 'string' THEN c.j ->> 'value'
                    ELSE (c.j -> 'value')::text END
        FROM checked c
        JOIN runbooks r
          ON r.station = c.station AND r.incident = c.incident AND r.runbook = c.j ->> 'runbook'
        JOIN draaiboek.runbook_marks m ON m.sha256 = r.sha256 AND m.step = c.j ->> 'step'
        WHERE c.j ->> 'type' IN ('answered', 'recorded', 'action', 'item')
        ON CONFLICT DO NOTHING
    ),
    groups AS (
        SELECT c.station, c.incident, max(c.seq) AS last_seq,
               coalesce(jsonb_object_agg(k.key, c.j ->> 'at' ORDER BY c.seq)
                        FILTER (WHERE k.key IS NOT NULL), '{}') AS marks
        FROM checked c
        CROSS JOIN LATERAL (SELECT CASE c.j ->> 'type'
            WHEN 'entered' THEN 'e:' || (c.j ->> 'runbook') || '/' || (c.j ->> 'step')
            WHEN 'answered' THEN 'o:' || (c.j ->> 'runbook') || '/' || (c.j ->> 'step') || '/'
                                 || (c.j ->> 'option')
            WHEN 'action' THEN CASE WHEN c.j ->> 'result' = 'done'
                                    THEN 'a:' || (c.j ->> 'runbook') || '/' || (c.j ->> 'step')
                               END
            WHEN 'item' THEN CASE WHEN c.j ->> 'result' = 'done'
                                  THEN 'i:' || (c.j ->> 'runbook') || '/' || (c.j ->> 'step')
                                       || '/' || (c.j ->> 'item')
                             END
            WHEN 'recorded' THEN 'r:' || (c.j ->> 'runbook') || '/' || (c.j ->> 'step')
            END AS key) k
        GROUP BY c.station, c.incident
    )
    INSERT INTO draaiboek.summaries AS s
        (station, incident, mode, runbook, version, sha256, operator, timezone, opened_at,
         events, last_seq, last_hash, last_type, last_at, last_arrival, current_runbook,
         current_step, closed_at, outcome, marks)
    SELECT g.station, g.incident, o.j ->> 'mode', o.j ->> 'runbook', o.j ->> 'version',
           o.j ->> 'sha256', o.j ->> 'operator', o.j ->> 'timezone', o.at,
           g.last_seq + 1, g.last_seq, l.hash, l.j ->> 'type', l.at, now(),
           en.j ->> 'runbook', en.j ->> 'step', cl.at, cl.j ->> 'outcome', g.marks
    FROM groups g
    JOIN checked l ON l.station = g.station AND l.incident = g.incident AND l.seq = g.last_seq
    LEFT JOIN checked o ON o.station = g.station AND o.incident = g.incident AND o.seq = 0
    LEFT JOIN LATERAL (
        SELECT c.j FROM checked c
        WHERE c.station = g.station AND c.incident = g.incident AND c.j ->> 'type' = 'entered'
        ORDER BY c.seq DESC LIMIT 1) en ON true
    LEFT JOIN LATERAL (
        SELECT c.j, c.at FROM checked c
        WHERE c.station = g.station AND c.incident = g.incident AND c.j ->> 'type' = 'closed'
        ORDER BY c.seq DESC LIMIT 1) cl ON true
    ON CONFLICT (station, incident) DO UPDATE SET
        events = EXCLUDED.events,
        last_seq = EXCLUDED.last_seq,
        last_hash = EXCLUDED.last_hash,
        last_type = EXCLUDED.last_type,
        last_at = EXCLUDED.last_at,
        last_arrival = EXCLUDED.last_arrival,
        current_runbook = coalesce(EXCLUDED.current_runbook, s.current_runbook),
        current_step = coalesce(EXCLUDED.current_step, s.current_step),
        closed_at = coalesce(EXCLUDED.closed_at, s.closed_at),
        outcome = coalesce(EXCLUDED.outcome, s.outcome),
        marks = s.marks || EXCLUDED.marks;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_inserted AFTER INSERT ON draaiboek.events
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION draaiboek.events_inserted();

-- What a station calls after COPYing a batch into its temporary table `incoming` (see
-- draaiboek/services/national/ingest.py): checks every row as a set, inserts the valid
-- continuation of each chain, diverts the rest into `refused` or `forks`, and says per incident
-- what is stored now. Runs with the caller's rights, so row-level security applies.
CREATE FUNCTION draaiboek.ingest()
    RETURNS TABLE (incident text, stored_seq integer, stored_hash text, accepted integer,
                   duplicates integer, refused integer, forks integer, first_problem text)
    LANGUAGE plpgsql SECURITY INVOKER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    me text := draaiboek.current_station();
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'draaiboek: role % is not a station (draaiboek db add-station NAME)',
            current_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- One forwarder per incident at a time (a walk's background thread and `sync` may race);
    -- in a fixed order, so two batches never wait for each other in a circle.
    PERFORM pg_advisory_xact_lock(hashtextextended(me || '/' || i.incident, 0))
    FROM (SELECT DISTINCT x.incident FROM pg_temp.incoming x ORDER BY 1) i;

    -- Made once per session, emptied at every commit: a table per batch would churn the
    -- catalogue. The caller's own temporary table: this function runs with its rights.
    CREATE TEMP TABLE IF NOT EXISTS draaiboek_checked (
        incident text, seq integer, hash text, prev text, body text, verdict text,
        stored_hash text
    ) ON COMMIT DELETE ROWS;

    WITH uniq AS MATERIALIZED (
        -- Each body is parsed once, here; a body that is not JSON refuses the whole batch.
        SELECT x.incident, x.seq, x.hash, x.body, x.body::jsonb AS j
        FROM pg_temp.incoming x
    ),
    -- A forwarder sends each seq once per batch; two rows for one seq (even the same event
    -- twice) are both refused rather than sorted out here, which would cost a sort per batch.
    conflicting AS (
        SELECT u.incident, u.seq FROM uniq u GROUP BY u.incident, u.seq HAVING count(*) > 1
    ),
    -- Stored events are contiguous from seq 0, so the stored head says which rows can have
    -- a stored twin: only those are looked up (none at all in a catch-up of new events).
    heads AS (
        SELECT i.incident, h.seq AS head_seq, h.hash AS head_hash
        FROM (SELECT DISTINCT x.incident FROM uniq x) i
        LEFT JOIN LATERAL (
            SELECT e.seq, e.hash FROM draaiboek.events e
            WHERE e.station = me AND e.incident = i.incident
            ORDER BY e.seq DESC LIMIT 1) h ON true
    ),
    looked AS (
        SELECT u.*,
            CASE WHEN u.seq = hd.head_seq THEN hd.head_hash
                 WHEN u.seq < hd.head_seq THEN (
                     SELECT e.hash FROM draaiboek.events e
                     WHERE e.station = me AND e.incident = u.incident AND e.seq = u.seq)
            END AS stored_hash,
            CASE WHEN u.seq - 1 = hd.head_seq THEN hd.head_hash
                 WHEN u.seq > 0 AND u.seq - 1 < hd.head_seq THEN (
                     SELECT e.hash FROM draaiboek.events e
                     WHERE e.station = me AND e.incident = u.incident AND e.seq = u.seq - 1)
            END AS stored_prev
        FROM uniq u JOIN heads hd ON hd.incident = u.incident
    ),
    own AS (
        SELECT u.*,
            CASE
                WHEN jsonb_typeof(u.j) IS DISTINCT FROM 'object' THEN 'not-an-object'
                WHEN u.j ? 'hash' THEN 'hash-in-body'
                WHEN u.hash IS DISTINCT FROM encode(sha256(convert_to(u.body, 'UTF8')), 'hex')
                    THEN 'hash-mismatch'
                WHEN (u.j -> 'seq') IS DISTINCT FROM to_jsonb(u.seq) THEN 'seq-mismatch'
                -- A time that is no time refuses the whole batch (the trigger reads it): a
                -- journal never writes one, and checking each here would cost a regex per row.
                WHEN jsonb_typeof(u.j -> 'type') IS DISTINCT FROM 'string'
                  OR jsonb_typeof(u.j -> 'at') IS DISTINCT FROM 'string'
                  OR NOT (u.j ? 'prev') THEN 'fields-missing'
                WHEN u.seq = 0 AND (u.j ->> 'type' IS DISTINCT FROM 'opened'
                                    OR u.j ->> 'incident' IS DISTINCT FROM u.incident
                                    OR u.j -> 'prev' <> 'null'::jsonb) THEN 'bad-opening'
                WHEN u.seq = 0 AND u.j ? 'station' AND u.j ->> 'station' IS DISTINCT FROM me
                    THEN 'wrong-station'
                WHEN c.seq IS NOT NULL THEN 'conflict-in-batch'
                WHEN u.stored_hash = u.hash THEN 'duplicate'
                WHEN u.stored_hash IS NOT NULL THEN 'fork'
            END AS verdict
        FROM looked u
        LEFT JOIN conflicting c ON c.incident = u.incident AND c.seq = u.seq
    ),
    linked AS (
        SELECT o.*,
            CASE
                WHEN o.verdict IS NOT NULL OR o.seq = 0 THEN o.verdict
                WHEN coalesce(o.stored_prev, b.hash) IS NULL THEN 'gap'
                WHEN (o.j ->> 'prev') IS DISTINCT FROM coalesce(o.stored_prev, b.hash)
                    THEN 'prev-mismatch'
            END AS verdict2
        FROM own o
        LEFT JOIN own b ON b.incident = o.incident AND b.seq = o.seq - 1 AND b.verdict IS NULL
    ),
    firsts AS (
        SELECT l.incident, min(l.seq) FILTER (
                   WHERE l.verdict2 IS NOT NULL AND l.verdict2 NOT IN ('duplicate', 'fork')
               ) AS first_bad
        FROM linked l GROUP BY l.incident
    )
    INSERT INTO draaiboek_checked
    SELECT l.incident, l.seq, l.hash, l.j ->> 'prev', l.body,
        CASE
            WHEN l.verdict2 IN ('duplicate', 'fork') THEN l.verdict2
            WHEN f.first_bad IS NOT NULL AND l.seq > f.first_bad THEN 'after-refused'
            WHEN l.verdict2 IS NULL THEN 'accepted'
            ELSE l.verdict2
        END,
        l.stored_hash
    FROM linked l JOIN firsts f ON f.incident = l.incident;

    INSERT INTO draaiboek.events (station, incident, seq, hash, prev, body)
        SELECT me, c.incident, c.seq, c.hash, c.prev, c.body
        FROM draaiboek_checked c WHERE c.verdict = 'accepted'
        ORDER BY c.incident, c.seq;
    INSERT INTO draaiboek.forks (station, incident, seq, hash, stored_hash, body)
        SELECT me, c.incident, c.seq, c.hash, c.stored_hash, c.body
        FROM draaiboek_checked c WHERE c.verdict = 'fork'
    ON CONFLICT DO NOTHING;
    -- A gap (events missing before these) or what follows a refused event is not wrong in
    -- itself: it is sent again once what comes before it is stored, so it is not recorded.
    INSERT INTO draaiboek.refused (station, incident, seq, hash, reason, body)
        SELECT me, c.incident, c.seq, c.hash, c.verdict, c.body
        FROM draaiboek_checked c
        WHERE c.verdict NOT IN ('accepted', 'duplicate', 'fork', 'gap', 'after-refused')
    ON CONFLICT DO NOTHING;

    -- Per incident first, then one look at its stored head (not one per row).
    RETURN QUERY
        WITH g AS (
            SELECT c.incident,
                   (count(*) FILTER (WHERE c.verdict = 'accepted'))::integer AS accepted,
                   (count(*) FILTER (WHERE c.verdict = 'duplicate'))::integer AS duplicates,
                   (count(*) FILTER (
                        WHERE c.verdict NOT IN ('accepted', 'duplicate', 'fork')))::integer
                       AS refused,
                   (count(*) FILTER (WHERE c.verdict = 'fork'))::integer AS forks,
                   min(c.seq) FILTER (WHERE c.verdict NOT IN ('accepted', 'duplicate'))
                       AS problem_seq
            FROM draaiboek_checked c
            GROUP BY c.incident
        )
        SELECT g.incident, h.seq, h.hash, g.accepted, g.duplicates, g.refused, g.forks,
               (SELECT c.verdict || ' at seq ' || c.seq FROM draaiboek_checked c
                WHERE c.incident = g.incident AND c.seq = g.problem_seq LIMIT 1)
        FROM g
        LEFT JOIN LATERAL (
            SELECT e.seq, e.hash FROM draaiboek.events e
            WHERE e.station = me AND e.incident = g.incident
            ORDER BY e.seq DESC LIMIT 1) h ON true;
END
$$;

ALTER TABLE draaiboek.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE draaiboek.refused ENABLE ROW LEVEL SECURITY;
ALTER TABLE draaiboek.forks ENABLE ROW LEVEL SECURITY;
ALTER TABLE draaiboek.summaries ENABLE ROW LEVEL SECURITY;
ALTER TABLE draaiboek.timeline ENABLE ROW LEVEL SECURITY;
ALTER TABLE draaiboek.incident_runbooks ENABLE ROW LEVEL SECURITY;

-- `(SELECT ...)` makes the station an InitPlan: looked up once per statement, not per row.
CREATE POLICY station_insert ON draaiboek.events FOR INSERT TO draaiboek_station
    WITH CHECK (station = (SELECT draaiboek.current_station()));
CREATE POLICY station_read ON draaiboek.events FOR SELECT TO draaiboek_station
    USING (station = (SELECT draaiboek.current_station()));
CREATE POLICY reader_read ON draaiboek.events FOR SELECT TO draaiboek_reader USING (true);

CREATE POLICY station_insert ON draaiboek.refused FOR INSERT TO draaiboek_station
    WITH CHECK (station = (SELECT draaiboek.current_station()));
CREATE POLICY station_read ON draaiboek.refused FOR SELECT TO draaiboek_station
    USING (station = (SELECT draaiboek.current_station()));
CREATE POLICY reader_read ON draaiboek.refused FOR SELECT TO draaiboek_reader USING (true);

CREATE POLICY station_insert ON draaiboek.forks FOR INSERT TO draaiboek_station
    WITH CHECK (station = (SELECT draaiboek.current_station()));
CREATE POLICY station_read ON draaiboek.forks FOR SELECT TO draaiboek_station
    USING (station = (SELECT draaiboek.current_station()));
CREATE POLICY reader_read ON draaiboek.forks FOR SELECT TO draaiboek_reader USING (true);

CREATE POLICY station_read ON draaiboek.summaries FOR SELECT TO draaiboek_station
    USING (station = (SELECT draaiboek.current_station()));
CREATE POLICY reader_read ON draaiboek.summaries FOR SELECT TO draaiboek_reader USING (true);
CREATE POLICY reader_read ON draaiboek.timeline FOR SELECT TO draaiboek_reader USING (true);
CREATE POLICY reader_read ON draaiboek.incident_runbooks FOR SELECT TO draaiboek_reader
    USING (true);

REVOKE ALL ON ALL TABLES IN SCHEMA draaiboek FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA draaiboek FROM PUBLIC;
GRANT EXECUTE ON FUNCTION draaiboek.current_station() TO draaiboek_station, draaiboek_reader;
GRANT EXECUTE ON FUNCTION draaiboek.ingest() TO draaiboek_station;
GRANT SELECT ON draaiboek.stations, draaiboek.runbook_copies, draaiboek.runbook_marks
    TO draaiboek_station;
GRANT SELECT, INSERT ON draaiboek.events, draaiboek.refused, draaiboek.forks,
    draaiboek.runbook_copies, draaiboek.runbook_marks TO draaiboek_station;
GRANT SELECT ON draaiboek.summaries TO draaiboek_station;
GRANT SELECT ON ALL TABLES IN SCHEMA draaiboek TO draaiboek_reader;
