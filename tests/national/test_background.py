"""Forwarding beside a walk, and the store as the witness for `verify --db`."""

from __future__ import annotations

import json
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
from national.helpers import DATA, FIRST, MESSAGE, cli, walk

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


def test_an_exercise_is_forwarded_with_its_station_and_kept_apart(
    store: Store, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    answers = tmp_path / "answers.yaml"
    answers.write_text(FIRST, encoding="utf-8")
    code, out = cli(
        home,
        [
            "exercise",
            "landelijk-oefening",
            "--runbooks",
            str(DATA),
            "--operator",
            "Jan",
            "--answers",
            str(answers),
            "--station",
            store.name("west"),
            "--db",
            store.station("west"),
        ],
    )
    assert code == 1, out  # the answers ran out: paused
    [folder] = (home / "incidents").iterdir()
    opened = next(iter(journal.of_types(folder, ("opened",))))
    assert (opened["station"], opened["mode"]) == (store.name("west"), "exercise")
    local = sum(1 for _ in journal.read(folder))
    _wait(lambda: _stored(store, folder.name)[0] == local, "the exercise to be forwarded")
    code, out = cli(
        home, ["overview", "--db", store.reader, "--format", "json", "--runbooks", str(DATA)]
    )
    assert code == 0, out
    [west] = [s for s in json.loads(out)["stations"] if s["name"] == store.name("west")]
    assert west["live"] == []
    assert [v["incident"] for v in west["exercises"]] == [folder.name]
    code, out = cli(home, ["overview", "--db", store.reader, "--runbooks", str(DATA)])
    assert code == 0, out
    shown = out[out.index(f"Meldpost {store.name('west')}") :].splitlines()
    assert shown[1:3] == ["  Live: geen incidenten", "  Oefeningen (niet live):"]
    assert shown[3] == f"    {folder.name}"


def test_a_station_the_store_would_refuse_is_a_usage_error(tmp_path: Path) -> None:
    code, out = cli(
        tmp_path / "home",
        ["exercise", "landelijk-oefening", "--runbooks", str(DATA), "--station", "Oost Brabant"],
    )
    assert code == 2, out
