"""`incidents` and `status` say what the national store has not acknowledged yet: nothing for a
desk without a store, every event once a store is set up or forwarding began, none after sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from draaiboek.cli.app import app
from draaiboek.services.national import acks
from national.conftest import Store
from national.helpers import FIRST, MESSAGE, UNSET, cli, walk

UNREACHABLE = "postgresql://nobody@127.0.0.1:9/x"  # nothing listens on port 9


def _with_store(home: Path, args: list[str], db: str) -> tuple[int, str]:
    """`draaiboek ARGS` with DRAAIBOEK_DB set, as a station that has a store configured."""
    env: dict[str, str | None] = {name: None for name in UNSET}
    env.update(COLUMNS="100", NO_COLOR="1", DRAAIBOEK_HOME=str(home), DRAAIBOEK_DB=db)
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, result.output


def _lines(home: Path, incident: str) -> int:
    return (home / "incidents" / incident / "journal.jsonl").read_bytes().count(b"\n")


def test_a_desk_without_a_store_sees_nothing_about_forwarding(tmp_path: Path) -> None:
    home = tmp_path / "home"
    walk(home, "inc-1", FIRST)
    code, out = cli(home, ["incidents", "--format", "json"])
    assert code == 0, out
    assert [i["not_forwarded"] for i in json.loads(out)] == [None]
    assert "DOORGESTUURD" not in cli(home, ["incidents"])[1]
    assert "Landelijke opslag" not in cli(home, ["status", "inc-1"])[1]


def test_with_a_store_set_up_every_event_counts_until_forwarded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    walk(home, "inc-1", FIRST)
    events = _lines(home, "inc-1")
    code, out = _with_store(home, ["incidents"], UNREACHABLE)
    assert code == 0, out
    assert f"{events} NIET DOORGESTUURD" in out
    code, out = _with_store(home, ["status", "inc-1", "--lang", "en"], UNREACHABLE)
    assert code == 0, out
    assert f"National store: {events} of the {events} events not yet forwarded" in out


def test_a_walk_that_never_reached_its_store_still_counts(tmp_path: Path) -> None:
    """The forwarder marks the incident as forwarded-to before it ever reaches the store, so a
    later `incidents` (without the walk's --db) still says nothing arrived."""
    home = tmp_path / "home"
    code, out = walk(home, "inc-1", FIRST, "--db", UNREACHABLE)
    assert code == 1, out
    ack = acks.read_ack(home, "inc-1")
    assert ack is not None and ack.count == 0
    listed = json.loads(cli(home, ["incidents", "--format", "json"])[1])
    assert listed[0]["not_forwarded"] == _lines(home, "inc-1")


@pytest.mark.postgres
def test_after_sync_nothing_is_waiting_until_the_walk_goes_on(store: Store, tmp_path: Path) -> None:
    home = tmp_path / "home"
    walk(home, "inc-1", FIRST)
    assert cli(home, ["sync", "--db", store.station("oost")])[0] == 0
    events = _lines(home, "inc-1")
    code, out = cli(home, ["status", "inc-1"])
    assert code == 0, out
    assert f"Landelijke opslag: alle {events} gebeurtenissen doorgestuurd." in out
    assert "DOORGESTUURD" not in cli(home, ["incidents"])[1]
    walk(home, "inc-1", MESSAGE)
    later = _lines(home, "inc-1")
    listed = json.loads(cli(home, ["incidents", "--format", "json"])[1])
    assert listed[0]["not_forwarded"] == later - events > 0
    assert f"{later - events} NIET DOORGESTUURD" in cli(home, ["incidents"])[1]
