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
        assert "row-level security" in _refused(
            conn,
            "INSERT INTO draaiboek.events (station, incident, seq, hash, prev, body) "
            "SELECT %s, 'inc-w', seq, hash, prev, body FROM draaiboek.events WHERE seq = 0",
            store.name("west"),
        )
        assert "row-level security" in _refused(
            conn,
            "INSERT INTO draaiboek.refused (station, incident, seq, hash, reason, body) "
            "VALUES (%s, 'x', 0, 'x', 'x', 'x')",
            store.name("west"),
        )
    with _station(store, "west") as conn:
        seen = conn.execute("SELECT count(*) FROM draaiboek.events").fetchone()
        assert seen == (0,)  # west does not even see oost's events
    assert _count(store, "SELECT count(*) FROM draaiboek.events") == 3


def test_a_direct_insert_that_breaks_the_chain_is_refused_by_the_database(store: Store) -> None:
    events = rows("inc-a", chain("inc-a", 5))
    other = rows("inc-b", chain("inc-b", 5))
    with _station(store) as conn:
        ingest.send(conn, events[:2])
        # A valid event of another chain: right hash and body, wrong prev for this incident.
        message = _refused(
            conn,
            "INSERT INTO draaiboek.events (incident, seq, hash, prev, body) "
            "VALUES ('inc-a', 2, %s, %s, %s)",
            other[2].hash,
            other[1].hash,
            other[2].body,
        )
        assert "does not continue its chain" in message
        tampered = _refused(
            conn,
            "INSERT INTO draaiboek.events (incident, seq, hash, prev, body) "
            "VALUES ('inc-a', 2, %s, %s, %s)",
            events[2].hash,
            events[1].hash,
            events[2].body.replace("notitie", "Notitie"),
        )
        assert "hash_covers_body" in tampered


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
