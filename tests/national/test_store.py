"""The store as the witness: what PostgreSQL itself refuses, records and lets each role do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from draaiboek.services.national import ingest, migrations
from draaiboek.services.national.connect import NationalError, connect
from national.conftest import Store
from national.helpers import chain, rehash, rows

pytestmark = pytest.mark.postgres


def _station(store: Store, name: str = "oost") -> Any:
    return connect(store.station(name), autocommit=True)


def _count(store: Store, sql: str, *params: Any) -> int:
    with connect(store.admin, autocommit=True) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None
    return int(row[0])


def test_init_twice_is_refused_and_upgrade_is_a_no_op(store: Store) -> None:
    with connect(store.admin, autocommit=True) as conn:
        with pytest.raises(NationalError, match="already initialised"):
            migrations.init(conn)
        assert migrations.upgrade(conn) == []
        assert migrations.current_version(conn) == migrations.migrations()[-1].version


def test_a_batch_sent_twice_or_overlapping_is_stored_once(store: Store) -> None:
    events = rows("inc-a", chain("inc-a", 20))
    with _station(store) as conn:
        first = ingest.send(conn, events[:10])
        again = ingest.send(conn, events[5:])
        whole = ingest.send(conn, events)
    assert (first[0].accepted, first[0].stored_seq) == (10, 9)
    assert (again[0].accepted, again[0].duplicates, again[0].stored_seq) == (10, 5, 19)
    assert (whole[0].accepted, whole[0].duplicates, whole[0].problem) == (0, 20, None)
    assert _count(store, "SELECT count(*) FROM draaiboek.events") == 20
    assert _count(store, "SELECT events FROM draaiboek.summaries") == 20


def test_a_changed_event_is_refused_and_kept_as_evidence(store: Store) -> None:
    events = chain("inc-a", 10)
    events[5]["text"] = "vervalst"  # the hash no longer covers the content
    with _station(store) as conn:
        [outcome] = ingest.send(conn, rows("inc-a", events))
    assert (outcome.accepted, outcome.stored_seq) == (5, 4)
    assert outcome.problem == "hash-mismatch at seq 5"
    assert _count(store, "SELECT count(*) FROM draaiboek.refused WHERE seq = 5") == 1
    assert _count(store, "SELECT max(seq) FROM draaiboek.events") == 4


def test_an_event_forged_with_a_new_hash_breaks_the_chain_after_it(store: Store) -> None:
    events = chain("inc-a", 10)
    events[5] = rehash({**events[5], "text": "vervalst"})
    with _station(store) as conn:
        [outcome] = ingest.send(conn, rows("inc-a", events))
    assert outcome.stored_seq == 5
    assert outcome.problem == "prev-mismatch at seq 6"


def test_a_reordered_chain_is_refused(store: Store) -> None:
    events = chain("inc-a", 6)
    third, fourth = events[3], events[4]
    events[3] = rehash({**fourth, "seq": 3})
    events[4] = rehash({**third, "seq": 4})
    with _station(store) as conn:
        [outcome] = ingest.send(conn, rows("inc-a", events))
    assert outcome.stored_seq == 2
    assert outcome.problem == "prev-mismatch at seq 3"


def test_a_gap_is_not_stored_and_not_recorded_as_refused(store: Store) -> None:
    events = rows("inc-a", chain("inc-a", 10))
    with _station(store) as conn:
        ingest.send(conn, events[:3])
        [outcome] = ingest.send(conn, events[5:])
    assert (outcome.stored_seq, outcome.problem) == (2, "gap at seq 5")
    assert _count(store, "SELECT count(*) FROM draaiboek.refused") == 0


def test_a_fork_is_recorded_never_overwritten(store: Store) -> None:
    events = chain("inc-a", 10)
    other = rehash({**events[7], "text": "een andere werkelijkheid"})
    with _station(store) as conn:
        ingest.send(conn, rows("inc-a", events))
        [outcome] = ingest.send(conn, rows("inc-a", [other]))
        ingest.send(conn, rows("inc-a", [other]))  # sent again: still one record
    assert (outcome.forks, outcome.stored_hash) == (1, events[9]["hash"])
    assert _count(store, "SELECT count(*) FROM draaiboek.forks WHERE seq = 7") == 1
    kept = "SELECT count(*) FROM draaiboek.events WHERE seq = 7 AND hash = %s"
    assert _count(store, kept, events[7]["hash"]) == 1


def test_an_opening_naming_another_station_is_refused(store: Store) -> None:
    events = chain("inc-a", 3)
    events[0] = rehash({**events[0], "station": store.name("west")})
    with _station(store) as conn:
        [outcome] = ingest.send(conn, rows("inc-a", events[:1]))
    assert outcome.problem == "wrong-station at seq 0"


def _refused(conn: Any, sql: str, *params: Any) -> str:
    import psycopg

    with pytest.raises(psycopg.Error) as caught:
        conn.execute(sql, params)
    return str(caught.value)


def test_a_station_role_cannot_update_delete_or_write_for_another_station(store: Store) -> None:
    with _station(store) as conn:
        ingest.send(conn, rows("inc-a", chain("inc-a", 3)))
        assert "permission denied" in _refused(conn, "UPDATE draaiboek.events SET body = body")
        assert "permission denied" in _refused(conn, "DELETE FROM draaiboek.events")
        assert "permission denied" in _refused(conn, "DELETE FROM draaiboek.summaries")
        assert "permission denied" in _refused(conn, "TRUNCATE draaiboek.events")
        # Events come in through draaiboek.ingest() only, stamped with the caller's station.
        assert "permission denied" in _refused(
            conn,
            "INSERT INTO draaiboek.events (station, incident, seq, hash, prev, body) "
            "SELECT %s, 'inc-w', seq, hash, prev, body FROM draaiboek.events WHERE seq = 0",
            store.name("west"),
        )
        for table in ("refused", "forks", "summaries", "timeline"):
            assert "permission denied" in _refused(
                conn, f"INSERT INTO draaiboek.{table} SELECT * FROM draaiboek.{table}"
            )
    with _station(store, "west") as conn:
        seen = conn.execute("SELECT count(*) FROM draaiboek.events").fetchone()
        assert seen == (0,)  # west does not even see oost's events
    assert _count(store, "SELECT count(*) FROM draaiboek.events") == 3
    assert (
        _count(
            store, "SELECT count(*) FROM draaiboek.events WHERE station = %s", store.name("oost")
        )
        == 3
    )


def test_the_table_itself_keeps_one_event_per_seq_and_prev_after_the_first(store: Store) -> None:
    events = rows("inc-a", chain("inc-a", 3))
    with _station(store) as conn:
        ingest.send(conn, events[:1])
    insert = (
        "INSERT INTO draaiboek.events (station, incident, seq, hash, prev, body) "
        "VALUES (%s, 'inc-a', %s, %s, %s, %s)"
    )
    with connect(store.admin, autocommit=True) as conn:
        again = _refused(conn, insert, store.name("oost"), 0, events[0].hash, None, events[0].body)
        assert "events_pkey" in again
        without_prev = _refused(
            conn, insert, store.name("oost"), 1, events[1].hash, None, events[1].body
        )
        assert "prev_null_only_first" in without_prev


def test_a_batch_table_the_station_made_itself_is_never_read(store: Store) -> None:
    """ingest() reads the batch with the owner's rights: a table of that name made by the
    station (here a view that could call the station's own code) must be refused, not read."""
    import psycopg

    with _station(store) as conn:
        conn.execute(
            "CREATE TEMP VIEW draaiboek_batch AS SELECT 'inc-a'::text AS incident, "
            "0 AS seq, 'x'::text AS hash, '{}'::text AS body"
        )
        with pytest.raises(psycopg.Error, match="not made by the store"):
            conn.execute("SELECT * FROM draaiboek.ingest()")
        with pytest.raises(NationalError, match="not made by the store"):
            ingest.send(conn, rows("inc-a", chain("inc-a", 2)))
    assert _count(store, "SELECT count(*) FROM draaiboek.events") == 0


def test_ingest_without_a_batch_says_how_to_send_one(store: Store) -> None:
    import psycopg

    with _station(store) as conn, pytest.raises(psycopg.Error, match="open_batch"):
        conn.execute("SELECT * FROM draaiboek.ingest()")


def test_ingest_twice_in_one_transaction_reads_the_batch_once(store: Store) -> None:
    events = rows("inc-a", chain("inc-a", 4))
    with _station(store) as conn, conn.transaction():
        ingest.load_batch(conn, events)
        first = conn.execute("SELECT accepted FROM draaiboek.ingest()").fetchall()
        second = conn.execute("SELECT accepted FROM draaiboek.ingest()").fetchall()
    assert (first, second) == ([(4,)], [])
    assert _count(store, "SELECT events FROM draaiboek.summaries") == 4


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda e: {**e, "hash": "0" * 64}, "hash-mismatch"),
        (lambda e: {**e, "seq": 7}, "seq-mismatch"),
        (lambda e: {k: v for k, v in e.items() if k != "type"}, "fields-missing"),
        (lambda e: {k: v for k, v in e.items() if k != "prev"}, "fields-missing"),
        (lambda e: {**e, "at": 5}, "fields-missing"),
    ],
)
def test_an_event_that_disagrees_with_itself_is_refused(
    store: Store, change: Any, problem: str
) -> None:
    events = chain("inc-a", 4)
    changed = change({k: v for k, v in events[2].items() if k != "hash"})
    forged = rehash(changed) if problem != "hash-mismatch" else {**changed, "hash": "0" * 64}
    sent = [*rows("inc-a", events[:2]), *rows("inc-a", [forged])]
    if problem == "seq-mismatch":  # the row says 2, the body 7
        sent[2] = ingest.Row("inc-a", 2, sent[2].hash, sent[2].body)
    with _station(store) as conn:
        [outcome] = ingest.send(conn, sent)
    assert (outcome.stored_seq, outcome.problem) == (1, f"{problem} at seq 2")
    assert _count(store, "SELECT count(*) FROM draaiboek.refused WHERE reason = %s", problem) == 1


def test_bodies_that_are_no_event_are_refused_one_by_one(store: Store) -> None:
    good = rows("inc-a", chain("inc-a", 1))
    other = rows("inc-b", chain("inc-b", 1))
    import hashlib

    def row(incident: str, body: str) -> ingest.Row:
        return ingest.Row(incident, 0, hashlib.sha256(body.encode()).hexdigest(), body)

    first = chain("inc-c", 1)[0]
    with _station(store) as conn:
        found = ingest.send(
            conn,
            [
                *good,
                row("inc-x", "[1, 2]"),
                row("inc-y", '{"hash": "a", "seq": 0}'),
                *rows("inc-c", [rehash({**first, "type": "note"})]),
                *rows("inc-d", [{**rehash({**first, "incident": "inc-d"})}] * 2),
                *rows("i" * 201, [rehash({**first, "incident": "i" * 201})]),
                *other,
            ],
        )
    problems = {o.incident: o.problem for o in found}
    assert problems == {
        "inc-a": None,
        "inc-b": None,
        "inc-x": "not-an-object at seq 0",
        "inc-y": "hash-in-body at seq 0",
        "inc-c": "bad-opening at seq 0",
        "inc-d": "conflict-in-batch at seq 0",
        "i" * 201: "bad-incident at seq 0",
    }
    assert _count(store, "SELECT count(*) FROM draaiboek.summaries") == 2


def test_the_reader_reads_everything_and_writes_nothing(store: Store) -> None:
    with _station(store) as conn:
        ingest.send(conn, rows("inc-a", chain("inc-a", 3)))
    with connect(store.reader, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM draaiboek.events").fetchone() == (3,)
        assert "permission denied" in _refused(
            conn, "INSERT INTO draaiboek.settings VALUES ('a', 'b')"
        )
        assert "permission denied" in _refused(conn, "SELECT * FROM draaiboek.ingest()")


def test_a_role_that_is_no_station_is_told_so(store: Store) -> None:
    with connect(store.reader, autocommit=True) as conn, pytest.raises(NationalError):
        ingest.station_of(conn)


def test_purge_removes_closed_incidents_only(store: Store) -> None:
    closed = chain("inc-closed", 3)
    closed.append(
        rehash(
            {
                "seq": 3,
                "at": closed[2]["at"],
                "type": "closed",
                "by": "Jan",
                "prev": closed[2]["hash"],
                "outcome": "resolved",
            }
        )
    )
    with _station(store) as conn:
        ingest.send(conn, rows("inc-closed", closed) + rows("inc-open", chain("inc-open", 4)))
    with connect(store.admin, autocommit=True) as conn:
        with pytest.raises(NationalError, match="no retention"):
            migrations.purge(conn, None)
        purged = migrations.purge(conn, datetime.now(UTC) + timedelta(days=1))
    assert (purged.incidents, purged.events) == (1, 4)
    assert _count(store, "SELECT count(*) FROM draaiboek.events") == 4
    assert _count(store, "SELECT count(*) FROM draaiboek.summaries") == 1
