"""Incidents on disk: ids, folders, stored runbooks, and the list built from journals alone."""

from __future__ import annotations

import re
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from draaiboek.engine.fold import replay
from draaiboek.engine.state import Frame
from draaiboek.journal import Journal
from draaiboek.journal.files import JOURNAL_NAME
from draaiboek.load.library import load_library
from draaiboek.model.runbook import Runbook
from draaiboek.services.incidents import (
    IncidentError,
    IncidentSummary,
    check_incident_id,
    find_incident,
    incident_folder,
    incident_runbooks,
    incidents_root,
    list_incidents,
    new_incident_id,
    summarise,
)
from draaiboek.services.session import Session

CORPUS = Path(__file__).resolve().parent / "corpus" / "valid"
TOP = "every-step-type"
SUB = "sub-procedure"
T0 = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def runbooks() -> dict[str, Runbook]:
    return load_library([CORPUS], today=date(2026, 11, 23)).all_runbooks()


# --- ids and folders -------------------------------------------------------------------------


def test_new_incident_id_is_readable() -> None:
    moment = datetime(2026, 11, 23, 14, 5, 59)
    assert new_incident_id(moment, "112-onbereikbaar", "3f9a") == (
        "20261123-1405-112-onbereikbaar-3f9a"
    )
    made = {new_incident_id(moment, "112-onbereikbaar") for _ in range(20)}
    assert len(made) > 1  # a random suffix
    for incident in made:
        assert re.fullmatch(r"20261123-1405-112-onbereikbaar-[0-9a-f]{4}", incident)
        check_incident_id(incident)


@pytest.mark.parametrize(
    "good", ["a", "x1", "oefening-2026.11_b", "20261123-1405-112-onbereikbaar-3f9a", "A" * 120]
)
def test_plain_names_are_accepted(good: str) -> None:
    check_incident_id(good)
    assert incident_folder(Path("/h"), good) == Path("/h") / "incidents" / good


@pytest.mark.parametrize(
    "bad",
    ["", "../x", "a/b", "/etc", "..", ".", "a..b", ".verborgen", "-x", "a b", "a\\b", "x\n",
     "é", "A" * 121, "C:x", "a/../b"],
)  # fmt: skip
def test_paths_and_odd_names_are_refused(bad: str) -> None:
    with pytest.raises(IncidentError, match="not a plain name"):
        check_incident_id(bad)
    with pytest.raises(IncidentError):
        incident_folder(Path("/h"), bad)


def test_find_incident_by_id_folder_or_journal(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = incidents_root(home) / "inc-1"
    with Journal.create(folder, {"operator": "Jan"}) as journal:
        journal.append("opened", "Jan", T0, {})
    assert find_incident(home, "inc-1") == folder
    assert find_incident(home, str(folder)) == folder
    assert find_incident(home, str(folder / JOURNAL_NAME)) == folder
    with pytest.raises(IncidentError, match="no incident 'inc-2'"):
        find_incident(home, "inc-2")
    with pytest.raises(IncidentError, match="not a plain name"):
        find_incident(home, "../inc-1")
    (incidents_root(home) / "zonder").mkdir()  # a folder without a journal is no incident
    with pytest.raises(IncidentError):
        find_incident(home, "zonder")


# --- stored runbooks -------------------------------------------------------------------------


def started(home: Path, runbooks: dict[str, Runbook]) -> Path:
    session = Session.start(
        home, runbooks[TOP], runbooks, operator="Jan", clock=lambda: T0, incident_id="r"
    )
    session.close()
    return session.folder


def journal_events(folder: Path) -> list[dict[str, Any]]:
    from draaiboek.journal import read

    return list(read(folder))


def test_incident_runbooks_are_the_stored_copies(
    tmp_path: Path, runbooks: dict[str, Runbook]
) -> None:
    folder = started(tmp_path / "home", runbooks)
    stored = incident_runbooks(folder, journal_events(folder))
    # the sub-runbook is there before it is called, so a resumed walk can reach it
    assert set(stored) == {TOP, SUB}
    for runbook_id in (TOP, SUB):
        assert stored[runbook_id].sha256 == runbooks[runbook_id].sha256
        assert Path(stored[runbook_id].file).parent == folder
    state = replay(stored, journal_events(folder))
    assert state.current == Frame(TOP, "vaststellen")


def test_a_missing_or_changed_copy_is_refused(tmp_path: Path, runbooks: dict[str, Runbook]) -> None:
    folder = started(tmp_path / "home", runbooks)
    events = journal_events(folder)
    copy = folder / f"{runbooks[TOP].sha256}.yaml"
    original = copy.read_bytes()
    copy.write_bytes(original.replace(b"Bel 112 testen", b"Bel 112 NIET"))
    with pytest.raises(IncidentError, match="does not match its sha256"):
        incident_runbooks(folder, events)
    copy.unlink()
    with pytest.raises(IncidentError, match="missing or damaged"):
        incident_runbooks(folder, events)


# --- summaries and the list ------------------------------------------------------------------


def event(kind: str, seq: int, minutes: int, **fields: Any) -> dict[str, Any]:
    at = (T0 + timedelta(minutes=minutes)).isoformat(timespec="microseconds")
    return {"seq": seq, "at": at, "type": kind, "by": "Jan", **fields}


OPENED = {
    "incident": "inc",
    "runbook": TOP,
    "version": "1.2.0",
    "mode": "live",
    "operator": "Jan",
}


def test_summarise_an_open_walk(tmp_path: Path) -> None:
    events = [
        event("opened", 0, 0, **OPENED),
        event("entered", 1, 0, runbook=TOP, step="vaststellen"),
        event("note", 2, 3, text="x"),
    ]
    summary = summarise(tmp_path, events)
    assert summary == IncidentSummary(
        id="inc",
        folder=tmp_path,
        runbook=TOP,
        version="1.2.0",
        mode="live",
        state="open",
        outcome=None,
        started=events[0]["at"],
        last_event=events[-1]["at"],
        last_type="note",
        operator="Jan",
        events=3,
    )
    assert summary.as_dict() == {
        "id": "inc",
        "folder": str(tmp_path),
        "runbook": TOP,
        "version": "1.2.0",
        "mode": "live",
        "state": "open",
        "outcome": None,
        "started": events[0]["at"],
        "last_event": events[-1]["at"],
        "last_type": "note",
        "operator": "Jan",
        "events": 3,
        "timezone": "Europe/Amsterdam",
        "verified": True,
        "problem": "",
        "examples": False,
    }


def test_summarise_paused_handed_over_and_closed(tmp_path: Path) -> None:
    events = [
        event("opened", 0, 0, **{**OPENED, "mode": "exercise"}),
        event("paused", 1, 5, reason="user"),
    ]
    paused = summarise(tmp_path, events)
    assert (paused.state, paused.mode, paused.last_type) == ("paused", "exercise", "paused")
    events += [
        event("resumed", 2, 60),
        event("handover", 3, 60, **{"from": "Jan", "to": "Piet"}),
        event("handover", 4, 90, **{"from": "Piet", "to": "Anna"}),
    ]
    handed = summarise(tmp_path, events)
    assert (handed.state, handed.operator, handed.events) == ("open", "Anna", 5)
    events += [
        event("closed", 5, 100, outcome="escalated"),
        event("paused", 6, 101, reason="user"),
    ]
    closed = summarise(tmp_path, events)
    assert (closed.state, closed.outcome) == ("closed", "escalated")  # closed wins
    assert closed.last_event == events[-1]["at"]


def test_summarise_without_an_opened_event(tmp_path: Path) -> None:
    folder = tmp_path / "kaal"
    summary = summarise(folder, [])
    assert (summary.id, summary.runbook, summary.mode, summary.state) == ("kaal", "?", "?", "open")
    assert (summary.started, summary.last_event, summary.events) == (None, None, 0)


def write_journal(home: Path, name: str, events: list[tuple[str, int, dict[str, Any]]]) -> Path:
    folder = incidents_root(home) / name
    with Journal.create(folder, {"operator": "Jan"}) as journal:
        for kind, minutes, fields in events:
            journal.append(kind, "Jan", T0 + timedelta(minutes=minutes), fields)
    return folder


def test_list_incidents_newest_first(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert list_incidents(home) == []
    write_journal(home, "oud", [("opened", 0, {**OPENED, "incident": "oud"})])
    write_journal(
        home,
        "nieuw",
        [
            ("opened", 30, {**OPENED, "incident": "nieuw", "mode": "exercise"}),
            ("paused", 31, {"reason": "user"}),
        ],
    )
    write_journal(
        home,
        "midden",
        [
            ("opened", 10, {**OPENED, "incident": "midden"}),
            ("closed", 20, {"outcome": "resolved"}),
        ],
    )
    (incidents_root(home) / "geen-journal").mkdir()
    (incidents_root(home) / "los-bestand").write_text("niet een incident")
    damaged = write_journal(home, "kapot", [("opened", 5, {**OPENED, "incident": "kapot"})])
    (damaged / JOURNAL_NAME).write_bytes(b"{niet json\n")

    found = list_incidents(home)
    assert [s.id for s in found] == ["nieuw", "midden", "oud", "kapot"]
    by_id = {s.id: s for s in found}
    assert (by_id["nieuw"].state, by_id["nieuw"].mode) == ("paused", "exercise")
    assert (by_id["midden"].state, by_id["midden"].outcome) == ("closed", "resolved")
    assert by_id["oud"].state == "open"
    assert by_id["oud"].started == (T0).isoformat(timespec="microseconds")
    assert (by_id["kapot"].state, by_id["kapot"].runbook, by_id["kapot"].events) == (
        "damaged",
        "?",
        0,
    )


def test_incident_folders_are_private(tmp_path: Path) -> None:
    folder = write_journal(tmp_path / "home", "p", [("opened", 0, OPENED)])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / JOURNAL_NAME).stat().st_mode) == 0o600
