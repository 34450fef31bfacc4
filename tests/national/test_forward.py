"""Forwarding journals to the store (`draaiboek sync`) and reading them back (`overview`)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from draaiboek.services.national import acks, ingest
from draaiboek.services.national.connect import NationalError, connect, target_name
from draaiboek.services.national.forward import forward_incident
from national.conftest import Store
from national.helpers import DATA, FIRST, MESSAGE, REST, cli, walk

pytestmark = pytest.mark.postgres


def _overview(store: Store, home: Path, *extra: str) -> dict[str, Any]:
    code, out = cli(
        home,
        ["overview", "--db", store.reader, "--format", "json", "--runbooks", str(DATA), *extra],
    )
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def test_two_stations_forward_and_the_overview_shows_both(store: Store, tmp_path: Path) -> None:
    oost, west = tmp_path / "oost" / "home", tmp_path / "west" / "home"
    assert walk(oost, "inc-oost", FIRST + MESSAGE)[0] == 1  # answers run out: paused
    assert walk(west, "inc-west", FIRST + MESSAGE + REST, "--exercise")[0] == 0
    code, out = cli(oost, ["sync", "--db", store.station("oost")])
    assert code == 0, out
    assert "inc-oost: " in out and "; in orde" in out
    assert cli(west, ["sync", "--db", store.station("west")])[0] == 0

    found = _overview(store, oost)
    stations = {s["name"]: s for s in found["stations"]}
    live = stations[store.name("oost")]["live"]
    assert [v["incident"] for v in live] == ["inc-oost"]
    assert live[0]["current_step"] == "lijst"
    assert live[0]["open_critical"] == ["Opschalen: Posten bemand"]
    assert stations[store.name("west")]["live"] == []
    exercise = stations[store.name("west")]["exercises"][0]
    assert (exercise["incident"], exercise["outcome"]) == ("inc-west", "resolved")
    kinds = [(e["station"], e["kind"]) for e in found["timeline"]]
    assert (store.name("oost"), "national:scope") in kinds
    assert (store.name("oost"), "publishes:public-message") in kinds
    mine = [n for n in found["numbers"] if n["station"] == store.name("oost")]
    flags = {(n["digits"], n["flag"]) for n in mine}
    assert flags == {("0886628237", ""), ("0201234567", "not-in-registry")}
    first = next(t for t in live[0]["targets"] if t["id"] == "eerste-bericht")
    assert first["state"] in ("met", "late")
    assert live[0]["time_zero"] is not None


def test_sync_is_idempotent_and_acknowledged_locally(store: Store, tmp_path: Path) -> None:
    home = tmp_path / "home"
    walk(home, "inc-1", FIRST)
    cli(home, ["sync", "--db", store.station("oost")])
    code, out = cli(home, ["sync", "inc-1", "--db", store.station("oost")])
    assert code == 0, out
    assert "inc-1: 0 nieuw" in out
    ack = acks.read_ack(home, "inc-1")
    lines = (home / "incidents" / "inc-1" / "journal.jsonl").read_bytes().count(b"\n")
    assert ack is not None and ack.count == lines
    assert acks.not_forwarded(home, "inc-1", lines + 2) == 2
    walk(home, "inc-1", MESSAGE)
    code, out = cli(home, ["sync", "--db", store.station("oost")])
    assert code == 0 and "inc-1: 0 nieuw" not in out, out


def test_sync_refuses_credentials_of_another_station(store: Store, tmp_path: Path) -> None:
    home = tmp_path / "home"
    walk(home, "inc-1", FIRST)
    code, out = cli(home, ["sync", "--db", store.station("west"), "--station", store.name("oost")])
    assert code == 1
    assert "forwards for" in out


def test_sync_without_a_database_or_with_a_password(tmp_path: Path, store: Store) -> None:
    home = tmp_path / "home"
    assert cli(home, ["sync"])[0] == 2
    code, out = cli(home, ["sync", "--db", "postgresql://u:geheim@localhost/x"])
    assert code == 1 and "password" in out and "geheim" not in out


def test_a_journal_cut_after_forwarding_is_reported(store: Store, tmp_path: Path) -> None:
    home = tmp_path / "home"
    walk(home, "inc-1", FIRST + MESSAGE)
    cli(home, ["sync", "--db", store.station("oost")])
    path = home / "incidents" / "inc-1" / "journal.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-3]))
    code, out = cli(home, ["sync", "--db", store.station("oost")])
    assert code == 1
    assert "shorter than what was forwarded" in out


def _stored_count(store: Store) -> int:
    with connect(store.admin, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM draaiboek.events").fetchone()
    return int(row[0]) if row else 0


class _Stopper:
    """Stops the server after `after` batches: a crash of the store in mid-forwarding."""

    def __init__(self, store: Store, after: int) -> None:
        self.store, self.after, self.sent = store, after, 0
        self.real = ingest.send

    def __call__(self, conn: Any, rows: Any) -> Any:
        if self.sent == self.after:
            self.store.server.stop("immediate")
        self.sent += 1
        return self.real(conn, rows)


def test_the_store_stopping_mid_forwarding_loses_and_doubles_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    walk(home, "inc-1", FIRST + MESSAGE + REST)
    folder = home / "incidents" / "inc-1"
    total = folder.joinpath("journal.jsonl").read_bytes().count(b"\n")
    stopper = _Stopper(store, after=2)
    monkeypatch.setattr(ingest, "send", stopper)
    conn = connect(store.station("oost"), autocommit=True)
    with pytest.raises(NationalError):
        forward_incident(
            conn,
            folder,
            station=store.name("oost"),
            home=home,
            target=target_name(store.station("oost")),
            batch=2,
        )
    conn.close()
    store.server.start()
    monkeypatch.setattr(ingest, "send", stopper.real)
    with connect(store.station("oost"), autocommit=True) as conn:
        result = forward_incident(
            conn,
            folder,
            station=store.name("oost"),
            home=home,
            target=target_name(store.station("oost")),
            batch=2,
        )
    assert result.problem is None
    assert result.stored == total
    with connect(store.admin, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT seq), max(seq) FROM draaiboek.events"
        ).fetchone()
    assert row == (total, total, total - 1)


def test_a_walk_forwards_by_itself_and_verify_db_finds_a_cut_tail(
    store: Store, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    station = store.name("oost")
    code, out = walk(
        home, "inc-1", FIRST + MESSAGE, "--station", station, "--db", store.station("oost")
    )
    assert code == 1, out  # paused: the answers ran out
    folder = home / "incidents" / "inc-1"
    lines = (folder / "journal.jsonl").read_bytes().splitlines(keepends=True)
    assert json.loads(lines[0])["station"] == station
    # Forwarded by the walk itself (its thread may still be finishing: wait, bounded).
    deadline = time.monotonic() + 30
    while _stored_count(store) < len(lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _stored_count(store) == len(lines)
    code, out = cli(home, ["verify", "inc-1", "--db", store.station("oost")])
    assert code == 0, out
    (folder / "journal.jsonl").write_bytes(b"".join(lines[:-3]))
    code, out = cli(home, ["verify", "inc-1", "--db", store.reader])
    assert code == 1  # the home's head register already sees the cut...
    assert "cut off the end" in out
    shutil.rmtree(home / "heads")  # ...and when that went too, the store still does
    code, out = cli(home, ["verify", "inc-1", "--db", store.reader])
    assert code == 1, out
    assert out.splitlines()[-1] == (
        f"Landelijke opslag: het logboek heeft {len(lines) - 3} gebeurtenissen, het station "
        f"stuurde er {len(lines)} door: het einde is na het doorsturen afgeknipt"
    )


def test_a_walk_with_an_unreachable_store_still_walks(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, out = walk(home, "inc-1", FIRST, "--db", "postgresql://nobody@127.0.0.1:9/x")
    assert code == 1, out  # paused as usual: the answers ran out
    assert "sync" in out  # told what was not forwarded and how to send it
