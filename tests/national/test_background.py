"""Forwarding beside a walk, and the store as the witness for `verify --db`."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest

from draaiboek import journal
from draaiboek.engine.decide import Draft
from draaiboek.services.national.background import Background
from draaiboek.services.national.connect import connect
from draaiboek.services.national.verify import compare
from draaiboek.services.session import Session, system_clock
from national.conftest import Store
from national.helpers import FIRST, MESSAGE, cli, walk

pytestmark = pytest.mark.postgres


def _wait(condition: Any, what: str, limit: float = 30.0) -> None:
    """Poll until `condition()` holds; a bound on waiting, not a timing assertion."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def _stored(store: Store, incident: str) -> tuple[int, int]:
    with connect(store.admin, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT seq) FROM draaiboek.events WHERE incident = %s",
            (incident,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _note(session: Session, text: str) -> list[dict[str, Any]]:
    where = session.state.stack[-1]
    return session.log_all(
        [Draft("note", {"runbook": where.runbook, "step": where.step, "text": text})]
    )


def test_forwarding_beside_a_walk_survives_an_outage(store: Store, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert walk(home, "inc-1", FIRST)[0] == 1
    folder = home / "incidents" / "inc-1"
    session = Session.resume(folder, operator="Jan", clock=system_clock)
    forwarder = Background(store.station("oost"), home, folder, first_pause=0.05, max_pause=0.2)
    forwarder.start()
    try:
        forwarder.feed(session.logged[-1])
        _wait(forwarder.idle, "the first forward")
        store.server.stop("immediate")  # the outage
        for number in range(5):
            for event in _note(session, f"tijdens de storing {number}"):
                forwarder.feed(event)  # never blocks, never raises
        _wait(lambda: forwarder.last_error is not None, "the failure to be noticed")
        assert not forwarder.idle()
        store.server.start()  # the link is back
        _wait(forwarder.idle, "the catch-up")
    finally:
        left = forwarder.stop(grace=5)
        session.close()
    assert left == 0
    local = sum(1 for _ in journal.read(folder))
    assert _stored(store, "inc-1") == (local, local)


def test_an_unreachable_store_never_blocks_feeding(tmp_path: Path, store: Store) -> None:
    home = tmp_path / "home"
    walk(home, "inc-1", FIRST)
    folder = home / "incidents" / "inc-1"
    with socket.socket() as silent:  # accepts connections and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        url = f"postgresql://nobody@127.0.0.1:{port}/x"
        session = Session.resume(folder, operator="Jan", clock=system_clock)
        forwarder = Background(url, home, folder, timeout=2).start()
        try:
            for number in range(20):
                for event in _note(session, f"notitie {number}"):
                    forwarder.feed(event)
            assert len(forwarder.pending) == 20
        finally:
            assert forwarder.stop(grace=0.1) == 20  # left for `sync`, the journal has them
            session.close()


def test_verify_against_the_store_finds_a_cut_or_changed_journal(
    store: Store, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    walk(home, "inc-1", FIRST + MESSAGE)
    assert cli(home, ["sync", "--db", store.station("oost")])[0] == 0
    folder = home / "incidents" / "inc-1"
    with connect(store.station("oost"), autocommit=True) as conn:
        assert compare(conn, folder).problem is None
    path = folder / "journal.jsonl"
    whole = path.read_bytes()
    path.write_bytes(b"".join(whole.splitlines(keepends=True)[:-3]))
    with connect(store.reader, autocommit=True) as conn:
        found = compare(conn, folder)
    assert found.problem is not None and "cut off" in found.problem
    assert found.stored - found.local == 3
    path.write_bytes(whole.replace(b"tiplijn", b"Tiplijn"))
    with connect(store.station("oost"), autocommit=True) as conn:
        changed = compare(conn, folder)
    assert changed.differs_at is not None and "differs" in str(changed.problem)
