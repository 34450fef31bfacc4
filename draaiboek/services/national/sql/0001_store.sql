-- draaiboek national store, migration 1: stations, events (checked per batch), refusals and
-- forks, runbook copies and their marks, per-incident summaries and the national timeline.
--
-- Who may do what:
--   the owner (whoever ran `draaiboek db init`) owns every object; draaiboek.ingest(), the one
--     way events come in, runs with the owner's rights.
--   draaiboek_station (a group; `draaiboek db add-station NAME` makes one login role per station)
--     forwards events only through draaiboek.ingest(), which stores them under the station of
--     the role that logged in, inserts runbook copies, and reads back its own rows (row-level
--     security). No direct INSERT of events, no UPDATE or DELETE anywhere.
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
    name text COLLATE "C" PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    role name NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The station of the connected role (NULL for anyone else). Not SECURITY DEFINER: current_user
-- must be the caller.
CREATE FUNCTION draaiboek.current_station() RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog
    AS $$ SELECT name FROM draaiboek.stations WHERE role = current_user $$;

-- Stations and incidents are names, compared byte for byte ("C"): an index on them, and the sort
-- of every batch, then compare bytes rather than call the locale's collation.
--
-- One row per event, exactly the bytes the station's journal hashed (`body`: the canonical JSON
-- of the event without `hash`). draaiboek.ingest() below, the only way a station writes, checks
-- each one (hash = sha256(body), seq and prev against the body and the chain) before it is
-- stored here; a CHECK on the hash would compute every hash a second time.
CREATE TABLE draaiboek.events (
    station text COLLATE "C" NOT NULL,
    incident text COLLATE "C" NOT NULL CHECK (length(incident) BETWEEN 1 AND 200),
    seq integer NOT NULL CHECK (seq >= 0),
    hash text NOT NULL,
    prev text,
    body text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station, incident, seq),
    CONSTRAINT prev_null_only_first CHECK ((seq = 0) = (prev IS NULL))
);

-- Events a station forwarded that the store refused: kept as evidence, never in `events`.
CREATE TABLE draaiboek.refused (
    station text COLLATE "C" NOT NULL,
    incident text COLLATE "C" NOT NULL,
    seq integer NOT NULL,
    hash text NOT NULL,
    reason text NOT NULL,
    body text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station, incident, seq, hash, reason)
);

-- A different event for a seq already stored: the stored one stays, this one is recorded.
CREATE TABLE draaiboek.forks (
    station text COLLATE "C" NOT NULL,
    incident text COLLATE "C" NOT NULL,
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

-- Maintained by draaiboek.ingest(), per batch: which runbook copy an incident uses for a
-- runbook id.
CREATE TABLE draaiboek.incident_runbooks (
    station text COLLATE "C" NOT NULL,
    incident text COLLATE "C" NOT NULL,
    runbook text NOT NULL,
    sha256 text NOT NULL,
    PRIMARY KEY (station, incident, runbook)
);

-- Maintained by draaiboek.ingest(), per batch: one row per incident, all the overview reads.
-- `marks` maps what the targets look for to the station's time of it (ISO 8601):
--   e:RUNBOOK/STEP (entered), o:RUNBOOK/STEP/OPTION (chosen), a:RUNBOOK/STEP (action done),
--   i:RUNBOOK/STEP/ITEM (item done), r:RUNBOOK/STEP (value recorded).
CREATE TABLE draaiboek.summaries (
    station text COLLATE "C" NOT NULL,
    incident text COLLATE "C" NOT NULL,
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

-- Maintained by draaiboek.ingest(), per batch: the events at steps the runbooks mark (see
-- runbook_marks).
CREATE TABLE draaiboek.timeline (
    station text COLLATE "C" NOT NULL,
    incident text COLLATE "C" NOT NULL,
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

-- The station of the role that logged in (NULL for anyone else). For the functions below, which
-- run with the owner's rights: inside them current_user is the owner and session_user the
-- caller (a station role cannot change its session_user; only a superuser can).
CREATE FUNCTION draaiboek.calling_station() RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog
    AS $$ SELECT name FROM draaiboek.stations WHERE role = session_user $$;

-- Refuses the call unless pg_temp.<name> is a plain table this function's owner made. The
-- functions below read and write such tables with the owner's rights: one that a station made
-- (a view, a table with a policy or a trigger, or a column of a type of its own) could run the
-- station's code with those rights.
CREATE FUNCTION draaiboek.require_own_temp(name text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF to_regclass('pg_temp.' || quote_ident(name)) IS NULL THEN
        RAISE EXCEPTION 'draaiboek: no batch in this session: call draaiboek.open_batch() and '
            'COPY the batch into pg_temp.% first', name
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM pg_class c
        WHERE c.oid = to_regclass('pg_temp.' || quote_ident(name)) AND c.relkind = 'r'
          AND c.relowner = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user))
    THEN
        RAISE EXCEPTION 'draaiboek: the temporary table % of this session was not made by the '
            'store: forward from a new connection', name USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

-- What a station calls before it COPYs a batch into pg_temp.draaiboek_batch (see
-- draaiboek/services/national/ingest.py): makes that table once per session, owned by the
-- store's owner, the station allowed only to insert into it; emptied at every commit.
CREATE FUNCTION draaiboek.open_batch() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF draaiboek.calling_station() IS NULL THEN
        RAISE EXCEPTION 'draaiboek: role % is not a station (draaiboek db add-station NAME)',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF to_regclass('pg_temp.draaiboek_batch') IS NULL THEN
        CREATE TEMP TABLE draaiboek_batch (
            incident text COLLATE "C", seq integer, hash text, body text
        ) ON COMMIT DELETE ROWS;
        EXECUTE format('GRANT INSERT ON pg_temp.draaiboek_batch TO %I', session_user);
    END IF;
    PERFORM draaiboek.require_own_temp('draaiboek_batch');
END
$$;

-- The one way events come in. Reads the batch the station COPYed into pg_temp.draaiboek_batch,
-- parses each body once, checks the rows as a set, and in the same statement inserts the valid
-- continuation of each chain into `events`, diverts the rest into `refused` or `forks` (rather
-- than raising: PostgreSQL has no autonomous transactions, so a raise would lose the evidence
-- too), brings the summaries, the incidents' runbooks and the timeline up to date from the
-- parsed rows, and says per incident what is stored now. Runs with the owner's rights; the
-- station is that of the role that logged in. A body that is not JSON refuses the batch, and so
-- does an `at` that is no time where the store reads it as one (the opening, the last event,
-- the closing, the timeline): a journal never writes either, and a pattern check per row would
-- cost more than the parse.
CREATE FUNCTION draaiboek.ingest()
    RETURNS TABLE (incident text, stored_seq integer, stored_hash text, accepted integer,
                   duplicates integer, refused integer, forks integer, first_problem text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    -- Compiling these statements would take far longer than running them on a batch; a batch
    -- (at most a few MB) is sorted and windowed in memory.
    SET jit = off
    SET work_mem = '64MB'
    -- Planned once per session: the plan does not depend on the batch's size or station.
    SET plan_cache_mode = force_generic_plan
    AS $$
DECLARE
    me text := draaiboek.calling_station();
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'draaiboek: role % is not a station (draaiboek db add-station NAME)',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM draaiboek.require_own_temp('draaiboek_batch');

    -- One forwarder per incident at a time (a walk's background thread and `sync` may race);
    -- in a fixed order, so two batches never wait for each other in a circle.
    PERFORM pg_advisory_xact_lock(hashtextextended(me || '/' || i.incident, 0))
    FROM (SELECT DISTINCT x.incident FROM ONLY pg_temp.draaiboek_batch x ORDER BY 1) i;

    -- One statement: the checked rows stay in memory for every insert below, rather than being
    -- written to a table and read back once per insert.
    RETURN QUERY
    WITH parsed AS (
        -- Each body is parsed once, here, and all that is read from it is taken here, before
        -- the rows are sorted: what is wrong with the event by itself, and the few fields the
        -- store reads, so that few columns travel through the sort and the windows below.
        -- (OFFSET 0 keeps each subquery apart: its columns are computed once per row.)
        SELECT q.incident, q.seq, q.hash, q.body, q.type, q.j ->> 'prev' AS prev,
            q.j ->> 'at' AS at,
            CASE
                WHEN length(q.incident) NOT BETWEEN 1 AND 200 THEN 'bad-incident'
                WHEN jsonb_typeof(q.j) IS DISTINCT FROM 'object' THEN 'not-an-object'
                WHEN q.j ? 'hash' THEN 'hash-in-body'
                WHEN q.hash IS DISTINCT FROM encode(sha256(convert_to(q.body, 'UTF8')), 'hex')
                    THEN 'hash-mismatch'
                WHEN jsonb_typeof(q.j -> 'seq') IS DISTINCT FROM 'number'
                  OR q.j ->> 'seq' <> q.seq::text THEN 'seq-mismatch'
                WHEN jsonb_typeof(q.j -> 'type') IS DISTINCT FROM 'string'
                  OR jsonb_typeof(q.j -> 'at') IS DISTINCT FROM 'string'
                  OR NOT q.j ? 'prev' THEN 'fields-missing'
                WHEN q.seq = 0 AND (q.type IS DISTINCT FROM 'opened'
                                    OR q.j ->> 'incident' IS DISTINCT FROM q.incident
                                    OR jsonb_typeof(q.j -> 'prev') IS DISTINCT FROM 'null')
                    THEN 'bad-opening'
                WHEN q.seq = 0 AND q.j ? 'station' AND q.j ->> 'station' IS DISTINCT FROM me
                    THEN 'wrong-station'
            END AS own_problem,
            -- What the summaries, the incidents' runbooks and the timeline read, from the
            -- events that carry it (a note carries none of it): runbook, step, option, result,
            -- value, sha256, mode, version, operator, timezone, outcome.
            CASE WHEN q.type IN ('opened', 'called', 'entered', 'answered', 'action', 'item',
                                 'recorded', 'closed')
                 THEN ARRAY[q.j ->> 'runbook', q.j ->> 'step', q.j ->> 'option',
                            q.j ->> 'result',
                            CASE WHEN jsonb_typeof(q.j -> 'value') = 'string'
                                 THEN q.j ->> 'value' ELSE (q.j -> 'value')::text END,
                            q.j ->> 'sha256', q.j ->> 'mode', q.j ->> 'version',
                            q.j ->> 'operator', q.j ->> 'timezone', q.j ->> 'outcome']
            END AS extra,
            -- What the targets look for, mapped to the station's time of it (see summaries).
            CASE q.type
                WHEN 'entered' THEN 'e:' || (q.j ->> 'runbook') || '/' || (q.j ->> 'step')
                WHEN 'answered' THEN 'o:' || (q.j ->> 'runbook') || '/' || (q.j ->> 'step')
                                     || '/' || (q.j ->> 'option')
                WHEN 'action' THEN CASE WHEN q.j ->> 'result' = 'done'
                                        THEN 'a:' || (q.j ->> 'runbook') || '/'
                                             || (q.j ->> 'step') END
                WHEN 'item' THEN CASE WHEN q.j ->> 'result' = 'done'
                                      THEN 'i:' || (q.j ->> 'runbook') || '/'
                                           || (q.j ->> 'step') || '/' || (q.j ->> 'item') END
                WHEN 'recorded' THEN 'r:' || (q.j ->> 'runbook') || '/' || (q.j ->> 'step')
            END AS mark
        FROM (SELECT t.*, t.j ->> 'type' AS type
              FROM (SELECT x.incident, x.seq, x.hash, x.body, x.body::jsonb AS j
                    FROM ONLY pg_temp.draaiboek_batch x OFFSET 0) t
              OFFSET 0) q
        OFFSET 0
    ),
    -- Stored events are contiguous from seq 0, so each incident's stored head says which rows
    -- can have a stored twin: only those are looked up (none at all in a catch-up).
    heads AS (
        SELECT i.incident, h.seq AS head_seq, h.hash AS head_hash
        FROM (SELECT DISTINCT x.incident FROM ONLY pg_temp.draaiboek_batch x) i
        LEFT JOIN LATERAL (
            SELECT e.seq, e.hash FROM draaiboek.events e
            WHERE e.station = me AND e.incident = i.incident
            ORDER BY e.seq DESC LIMIT 1) h ON true
    ),
    fields AS (
        SELECT p.*, h.head_seq, h.head_hash,
            lag(p.seq) OVER chain AS before_seq, lag(p.hash) OVER chain AS before_hash,
            lead(p.seq) OVER chain AS after_seq
        FROM parsed p JOIN heads h ON h.incident = p.incident
        WINDOW chain AS (PARTITION BY p.incident ORDER BY p.seq)
    ),
    looked AS (
        SELECT f.*,
            CASE WHEN f.seq = f.head_seq THEN f.head_hash
                 WHEN f.seq < f.head_seq THEN (
                     SELECT e.hash FROM draaiboek.events e
                     WHERE e.station = me AND e.incident = f.incident AND e.seq = f.seq)
            END AS stored_hash,
            CASE WHEN f.seq = 0 THEN NULL
                 WHEN f.seq - 1 = f.head_seq THEN f.head_hash
                 WHEN f.seq - 1 < f.head_seq THEN (
                     SELECT e.hash FROM draaiboek.events e
                     WHERE e.station = me AND e.incident = f.incident AND e.seq = f.seq - 1)
                 WHEN f.before_seq = f.seq - 1 THEN f.before_hash
            END AS expected_prev
        FROM fields f
    ),
    judged AS (
        SELECT l.*,
            CASE
                WHEN l.own_problem IS NOT NULL THEN l.own_problem
                -- A forwarder sends each seq once per batch; two rows for one seq (even the
                -- same event twice) are both refused rather than sorted out here.
                WHEN l.before_seq = l.seq OR l.after_seq = l.seq THEN 'conflict-in-batch'
                WHEN l.stored_hash = l.hash THEN 'duplicate'
                WHEN l.stored_hash IS NOT NULL THEN 'fork'
                WHEN l.seq = 0 THEN NULL
                WHEN l.expected_prev IS NULL THEN 'gap'
                WHEN l.prev IS DISTINCT FROM l.expected_prev THEN 'prev-mismatch'
            END AS problem
        FROM looked l
    ),
    -- Nothing after the first refused event of an incident is stored (duplicates and forks
    -- leave the chain as it is). What is accepted continues the stored head without a hole:
    -- nothing, unless the event right after the head is fine, else up to the first refused
    -- event or the batch's end. So the last accepted event is known per incident.
    firsts AS (
        SELECT j.*,
            min(j.seq) FILTER (WHERE j.problem NOT IN ('duplicate', 'fork')) OVER inc
                AS first_bad,
            min(j.seq) FILTER (WHERE j.problem IS NULL) OVER inc AS first_ok,
            min(j.seq) FILTER (WHERE j.problem <> 'duplicate') OVER inc AS first_problem,
            max(j.seq) OVER inc AS batch_last
        FROM judged j
        WINDOW inc AS (PARTITION BY j.incident)
    ),
    staged AS MATERIALIZED (
        SELECT f.incident, f.seq, f.hash, f.body, f.prev, f.type, f.at, f.extra, f.mark,
            f.stored_hash, f.head_seq, f.head_hash,
            CASE WHEN f.problem IN ('duplicate', 'fork') THEN f.problem
                 WHEN f.seq > f.first_bad THEN 'after-refused'
                 WHEN f.problem IS NULL THEN 'accepted'
                 ELSE f.problem
            END AS verdict,
            coalesce(f.first_ok = coalesce(f.head_seq, -1) + 1
                     AND f.seq = least(f.first_bad - 1, f.batch_last), false) AS last_accepted,
            coalesce(f.seq = f.first_problem, false) AS first_problem
        FROM firsts f
    ),
    accepted AS (
        SELECT * FROM staged s WHERE s.verdict = 'accepted'
    ),
    add_events AS (
        INSERT INTO draaiboek.events (station, incident, seq, hash, prev, body)
        SELECT me, a.incident, a.seq, a.hash, a.prev, a.body FROM accepted a
    ),
    add_forks AS (
        INSERT INTO draaiboek.forks (station, incident, seq, hash, stored_hash, body)
        SELECT me, s.incident, s.seq, s.hash, s.stored_hash, s.body
        FROM staged s WHERE s.verdict = 'fork'
        ON CONFLICT DO NOTHING
    ),
    -- A gap (events missing before these) or what follows a refused event is not wrong in
    -- itself: it is sent again once what comes before it is stored, so it is not recorded.
    add_refused AS (
        INSERT INTO draaiboek.refused (station, incident, seq, hash, reason, body)
        SELECT me, s.incident, s.seq, s.hash, s.verdict, s.body
        FROM staged s
        WHERE s.verdict NOT IN ('accepted', 'duplicate', 'fork', 'gap', 'after-refused')
        ON CONFLICT DO NOTHING
    ),
    new_runbooks AS (
        SELECT DISTINCT ON (a.incident, a.extra[1]) a.incident, a.extra[1] AS runbook,
               a.extra[6] AS sha256
        FROM accepted a
        WHERE a.type IN ('opened', 'called') AND a.extra[1] IS NOT NULL
          AND a.extra[6] IS NOT NULL
        ORDER BY a.incident, a.extra[1], a.seq
    ),
    add_runbooks AS (
        INSERT INTO draaiboek.incident_runbooks (station, incident, runbook, sha256)
        SELECT me, n.incident, n.runbook, n.sha256 FROM new_runbooks n
        ON CONFLICT DO NOTHING
    ),
    -- The sibling insert above is not visible to this statement: read both.
    runbooks AS (
        SELECT r.incident, r.runbook, r.sha256 FROM draaiboek.incident_runbooks r
        WHERE r.station = me AND r.incident IN (SELECT a.incident FROM accepted a)
        UNION
        SELECT * FROM new_runbooks
    ),
    add_timeline AS (
        INSERT INTO draaiboek.timeline
            (station, incident, seq, kind, at, type, runbook, step, option, result, value)
        SELECT me, a.incident, a.seq, m.kind, a.at::timestamptz, a.type, a.extra[1],
               a.extra[2], a.extra[3], a.extra[4], a.extra[5]
        FROM accepted a
        JOIN runbooks r ON r.incident = a.incident AND r.runbook = a.extra[1]
        JOIN draaiboek.runbook_marks m ON m.sha256 = r.sha256 AND m.step = a.extra[2]
        WHERE a.type IN ('answered', 'recorded', 'action', 'item')
        ON CONFLICT DO NOTHING
    ),
    -- Per incident: one pass over the accepted rows (the last one is flagged, the opening is
    -- seq 0), and the events the overview reads by their order (steps entered, the closing,
    -- the marks) taken in seq order from those events only.
    counted AS (
        SELECT a.incident, max(a.seq) AS last_seq,
               max(a.hash) FILTER (WHERE a.last_accepted) AS last_hash,
               max(a.type) FILTER (WHERE a.last_accepted) AS last_type,
               max(a.at) FILTER (WHERE a.last_accepted) AS last_at,
               max(a.extra[7]) FILTER (WHERE a.seq = 0) AS mode,
               max(a.extra[1]) FILTER (WHERE a.seq = 0) AS runbook,
               max(a.extra[8]) FILTER (WHERE a.seq = 0) AS version,
               max(a.extra[6]) FILTER (WHERE a.seq = 0) AS sha256,
               max(a.extra[9]) FILTER (WHERE a.seq = 0) AS operator,
               max(a.extra[10]) FILTER (WHERE a.seq = 0) AS timezone,
               max(a.at) FILTER (WHERE a.seq = 0) AS opened_at
        FROM accepted a
        GROUP BY a.incident
    ),
    ordered AS (
        SELECT a.incident,
               (array_agg(a.extra[1] ORDER BY a.seq DESC) FILTER (WHERE a.type = 'entered'))[1]
                   AS current_runbook,
               (array_agg(a.extra[2] ORDER BY a.seq DESC) FILTER (WHERE a.type = 'entered'))[1]
                   AS current_step,
               (array_agg(a.at ORDER BY a.seq DESC) FILTER (WHERE a.type = 'closed'))[1]
                   AS closed_at,
               (array_agg(a.extra[11] ORDER BY a.seq DESC) FILTER (WHERE a.type = 'closed'))[1]
                   AS outcome,
               coalesce(jsonb_object_agg(a.mark, a.at ORDER BY a.seq)
                        FILTER (WHERE a.mark IS NOT NULL), '{}') AS marks
        FROM accepted a
        WHERE a.type IN ('entered', 'closed') OR a.mark IS NOT NULL
        GROUP BY a.incident
    ),
    add_summaries AS (
        INSERT INTO draaiboek.summaries AS s
            (station, incident, mode, runbook, version, sha256, operator, timezone, opened_at,
             events, last_seq, last_hash, last_type, last_at, last_arrival, current_runbook,
             current_step, closed_at, outcome, marks)
        SELECT me, c.incident, c.mode, c.runbook, c.version, c.sha256, c.operator, c.timezone,
               c.opened_at::timestamptz, c.last_seq + 1, c.last_seq, c.last_hash, c.last_type,
               c.last_at::timestamptz, now(), o.current_runbook, o.current_step,
               o.closed_at::timestamptz, o.outcome, coalesce(o.marks, '{}')
        FROM counted c LEFT JOIN ordered o ON o.incident = c.incident
        ON CONFLICT ON CONSTRAINT summaries_pkey DO UPDATE SET
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
            marks = s.marks || EXCLUDED.marks
    )
    SELECT s.incident,
           coalesce(max(s.seq) FILTER (WHERE s.last_accepted), max(s.head_seq)),
           coalesce(max(s.hash) FILTER (WHERE s.last_accepted), max(s.head_hash)),
           (count(*) FILTER (WHERE s.verdict = 'accepted'))::integer,
           (count(*) FILTER (WHERE s.verdict = 'duplicate'))::integer,
           (count(*) FILTER (WHERE s.verdict NOT IN ('accepted', 'duplicate', 'fork')))::integer,
           (count(*) FILTER (WHERE s.verdict = 'fork'))::integer,
           max(s.verdict || ' at seq ' || s.seq) FILTER (WHERE s.first_problem)
    FROM staged s
    GROUP BY s.incident;

    DELETE FROM ONLY pg_temp.draaiboek_batch;  -- read once, whatever the transaction does next
END
$$;

ALTER TABLE draaiboek.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE draaiboek.refused ENABLE ROW LEVEL SECURITY;
ALTER TABLE draaiboek.forks ENABLE ROW LEVEL SECURITY;
ALTER TABLE draaiboek.summaries ENABLE ROW LEVEL SECURITY;
ALTER TABLE draaiboek.timeline ENABLE ROW LEVEL SECURITY;
ALTER TABLE draaiboek.incident_runbooks ENABLE ROW LEVEL SECURITY;

-- `(SELECT ...)` makes the station an InitPlan: looked up once per statement, not per row.
CREATE POLICY station_read ON draaiboek.events FOR SELECT TO draaiboek_station
    USING (station = (SELECT draaiboek.current_station()));
CREATE POLICY reader_read ON draaiboek.events FOR SELECT TO draaiboek_reader USING (true);

CREATE POLICY station_read ON draaiboek.refused FOR SELECT TO draaiboek_station
    USING (station = (SELECT draaiboek.current_station()));
CREATE POLICY reader_read ON draaiboek.refused FOR SELECT TO draaiboek_reader USING (true);

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
GRANT EXECUTE ON FUNCTION draaiboek.open_batch(), draaiboek.ingest() TO draaiboek_station;
GRANT SELECT ON draaiboek.stations, draaiboek.runbook_copies, draaiboek.runbook_marks
    TO draaiboek_station;
GRANT SELECT ON draaiboek.events, draaiboek.refused, draaiboek.forks TO draaiboek_station;
GRANT INSERT ON draaiboek.runbook_copies, draaiboek.runbook_marks TO draaiboek_station;
GRANT SELECT ON draaiboek.summaries TO draaiboek_station;
GRANT SELECT ON ALL TABLES IN SCHEMA draaiboek TO draaiboek_reader;
