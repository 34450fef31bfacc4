"""The walk service: Session.start / submit / reminders / pause / resume, with a fake clock."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from draaiboek import __version__
from draaiboek.engine.fold import replay
from draaiboek.engine.inputs import Act, Choose, ItemAnswer, Note, Rejected, Value
from draaiboek.engine.state import Frame
from draaiboek.journal import Event, JournalLocked, read
from draaiboek.journal.files import JOURNAL_NAME
from draaiboek.load.library import load_library
from draaiboek.model.calls import called_runbooks
from draaiboek.model.runbook import Runbook
from draaiboek.services.incidents import IncidentError
from draaiboek.services.session import Session

CORPUS = Path(__file__).resolve().parent / "corpus" / "valid"
TOP = "every-step-type"
SUB = "sub-procedure"
T0 = datetime(2026, 11, 23, 13, 5, 0, tzinfo=UTC)  # 14:05 in Amsterdam


class FakeClock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="module")
def runbooks() -> dict[str, Runbook]:
    library = load_library([CORPUS], today=date(2026, 11, 23))
    assert not library.errors
    return library.all_runbooks()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def begin(home: Path, runbooks: dict[str, Runbook], clock: FakeClock, **options: Any) -> Session:
    return Session.start(home, runbooks[TOP], runbooks, operator="Jan", clock=clock, **options)


def read_events(path: Path) -> list[Event]:
    return list(read(path))


def on_disk(session: Session) -> list[dict[str, Any]]:
    return read_events(session.folder / JOURNAL_NAME)


def types(events: list[dict[str, Any]]) -> list[str]:
    return [str(e["type"]) for e in events]


# --- start -----------------------------------------------------------------------------------


def test_start_opens_the_incident_at_the_first_step(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    session = begin(home, runbooks, clock)
    try:
        assert re.fullmatch(rf"20261123-1405-{TOP}-[0-9a-f]{{4}}", session.incident_id)
        assert session.folder == home / "incidents" / session.incident_id
        events = on_disk(session)
        assert types(events) == ["opened", "entered"]
        opened = events[0]
        top = runbooks[TOP]
        assert {k: opened[k] for k in (
            "incident", "runbook", "version", "sha256", "mode", "operator", "tool_version",
            "timezone", "lang", "status", "allow_draft",
        )} == {
            "incident": session.incident_id, "runbook": TOP, "version": "1.2.0",
            "sha256": top.sha256, "mode": "live", "operator": "Jan",
            "tool_version": __version__, "timezone": "Europe/Amsterdam", "lang": "nl",
            "status": "approved", "allow_draft": False,
        }  # fmt: skip
        assert (events[1]["runbook"], events[1]["step"]) == (TOP, "vaststellen")
        assert {e["at"] for e in events} == {T0.isoformat(timespec="microseconds")}
        assert {e["by"] for e in events} == {"Jan"}
        assert session.state.current == Frame(TOP, "vaststellen")
        assert session.state.started_at == T0
        assert session.logged == events and session.events() == events
    finally:
        session.close()


def test_start_keeps_private_copies_of_the_runbooks(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    session = begin(home, runbooks, clock)
    folder = session.folder
    holder = json.loads((folder / "writer.json").read_text())
    assert (holder["operator"], holder["pid"]) == ("Jan", str(os.getpid()))
    session.close()
    assert not (folder / "writer.json").exists()  # no stale holder once released
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / JOURNAL_NAME).stat().st_mode) == 0o600
    for runbook_id in (TOP, SUB):
        copy = folder / f"{runbooks[runbook_id].sha256}.yaml"
        assert copy.read_bytes() == Path(runbooks[runbook_id].file).read_bytes()
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def test_start_with_a_given_id_mode_language_and_local_time(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    named = begin(home, runbooks, clock, incident_id="oefening-1", mode="exercise", lang="en")
    named.close()
    opened = on_disk(named)[0]
    assert (opened["incident"], opened["mode"], opened["lang"]) == ("oefening-1", "exercise", "en")
    assert named.state.mode == "exercise"
    local = begin(home, runbooks, clock, local_now=datetime(2026, 1, 2, 3, 4))
    local.close()
    assert local.incident_id.startswith(f"20260102-0304-{TOP}-")


def test_start_refuses_an_incident_id_that_exists_or_is_a_path(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    begin(home, runbooks, clock, incident_id="dubbel").close()
    with pytest.raises(IncidentError, match="already exists"):
        begin(home, runbooks, clock, incident_id="dubbel")
    for bad in ("../x", "a/b"):
        with pytest.raises(IncidentError, match="not a plain name"):
            begin(home, runbooks, clock, incident_id=bad)
    assert sorted(p.name for p in (home / "incidents").iterdir()) == ["dubbel"]


def test_draft_runbooks(home: Path, runbooks: dict[str, Runbook], clock: FakeClock) -> None:
    draft = dataclasses.replace(runbooks[TOP], status="draft")
    with pytest.raises(IncidentError, match="--allow-draft"):
        Session.start(home, draft, runbooks, operator="Jan", clock=clock)
    assert not (home / "incidents").exists()
    allowed = Session.start(home, draft, runbooks, operator="Jan", clock=clock, allow_draft=True)
    allowed.close()
    assert (on_disk(allowed)[0]["allow_draft"], on_disk(allowed)[0]["status"]) == (True, "draft")
    drill = Session.start(home, draft, runbooks, operator="Jan", clock=clock, mode="exercise")
    drill.close()
    assert on_disk(drill)[0]["mode"] == "exercise"


def test_a_missing_sub_runbook_is_refused_before_anything_is_written(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    alone = {TOP: runbooks[TOP]}
    with pytest.raises(IncidentError, match="sub-procedure"):
        Session.start(home, runbooks[TOP], alone, operator="Jan", clock=clock)
    assert not (home / "incidents").exists()
    assert set(called_runbooks(runbooks[TOP], runbooks)) == {TOP, SUB}
    assert set(called_runbooks(runbooks[SUB], runbooks)) == {SUB}


# --- answers, reminders, pause ---------------------------------------------------------------


def test_submit_logs_what_an_answer_produces_at_the_clock_time(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    session = begin(home, runbooks, clock)
    try:
        clock.advance(minutes=2)
        logged = session.submit(Choose("nergens"))
        assert [(e["type"], e.get("option"), e.get("step")) for e in logged] == [
            ("answered", "nergens", "vaststellen"),
            ("entered", None, "testbellen"),
        ]
        assert {e["at"] for e in logged} == {clock.now.isoformat(timespec="microseconds")}
        assert on_disk(session)[-2:] == logged  # on disk before it is returned
        assert session.state.current == Frame(TOP, "testbellen")
        count = len(on_disk(session))
        for wrong in (Choose("nergens"), Act("skipped", ""), Value("x")):
            with pytest.raises(Rejected):
                session.submit(wrong)
        assert len(on_disk(session)) == count  # a refused answer logs nothing
    finally:
        session.close()


def test_reminders_are_logged_when_due(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    session = begin(home, runbooks, clock)
    try:
        session.submit(Choose("nergens"))  # testbellen: due and repeat PT15M
        assert session.reminders() == []
        clock.advance(minutes=14, seconds=59)
        assert session.reminders() == []
        clock.advance(seconds=1)
        first = session.reminders()
        assert sorted((e["step"], e["kind"], e["due_at"]) for e in first) == [
            ("testbellen", "overdue", (T0 + timedelta(minutes=15)).isoformat()),
            ("testbellen", "repeat", (T0 + timedelta(minutes=15)).isoformat()),
        ]
        assert {e["type"] for e in first} == {"reminder"}
        assert {e["at"] for e in first} == {clock.now.isoformat(timespec="microseconds")}
        assert on_disk(session)[-2:] == first
        assert session.reminders() == []  # each one is logged once
        clock.advance(minutes=15)
        again = session.reminders()
        assert [(e["kind"], e["due_at"]) for e in again] == [
            ("repeat", (T0 + timedelta(minutes=30)).isoformat())
        ]
        clock.advance(minutes=1)
        session.submit(Act("done"))  # on to the checklist: item lms was due at T+10
        late = session.reminders()
        assert [(e["step"], e.get("item"), e["kind"]) for e in late] == [
            ("lijst", "lms", "overdue")
        ]
        clock.advance(minutes=14)  # T+45: testbellen repeats until the walk reaches klaar
        assert [(e["step"], e["kind"]) for e in session.reminders()] == [("testbellen", "repeat")]
    finally:
        session.close()


def test_no_reminders_after_the_end(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    session = begin(home, runbooks, clock)
    try:
        session.submit(Choose("overal"))
        assert session.state.closed
        clock.advance(hours=5)
        assert session.reminders() == []
        assert session.pause("user") is None  # nothing to pause
        assert types(on_disk(session))[-1] == "closed"
    finally:
        session.close()


def test_pause(home: Path, runbooks: dict[str, Runbook], clock: FakeClock) -> None:
    session = begin(home, runbooks, clock)
    try:
        clock.advance(minutes=3)
        paused = session.pause("input-ended")
        assert paused is not None
        assert (paused["type"], paused["reason"]) == ("paused", "input-ended")
        assert paused["at"] == clock.now.isoformat(timespec="microseconds")
        assert session.state.paused
        assert session.state.current == Frame(TOP, "vaststellen")
    finally:
        session.close()


def test_signals_are_held_until_every_event_of_an_answer_is_written(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = begin(home, runbooks, clock)
    try:
        while_writing: list[bool] = []
        after: list[tuple[bool, int]] = []
        original = session.journal.append

        def append(type: str, by: str, at: datetime, fields: Any) -> dict[str, Any]:
            while_writing.append(session.appending)
            return original(type, by, at, fields)

        monkeypatch.setattr(session.journal, "append", append)
        session.after_append = lambda: after.append((session.appending, len(on_disk(session))))
        session.submit(Choose("nergens"))
        assert while_writing == [True, True]
        assert after == [(False, 4)]  # once, after both events were on disk
    finally:
        session.close()


# --- resume ----------------------------------------------------------------------------------


def walk_to_action(home: Path, runbooks: dict[str, Runbook], clock: FakeClock) -> Path:
    session = begin(home, runbooks, clock, incident_id="r")
    session.submit(Choose("nergens"))
    session.pause("user")
    session.close()
    return session.folder


def test_resume_by_the_same_operator(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    folder = walk_to_action(home, runbooks, clock)
    clock.advance(minutes=20)
    session = Session.resume(folder, operator=None, clock=clock)
    try:
        events = session.events()
        assert types(events)[-2:] == ["paused", "resumed"]
        assert (events[-1]["by"], events[-1]["at"]) == (
            "Jan",
            clock.now.isoformat(timespec="microseconds"),
        )
        assert session.operator == "Jan"
        assert session.state.current == Frame(TOP, "testbellen")
        assert session.incident_id == "r"
    finally:
        session.close()


def test_resume_by_another_operator_logs_a_handover(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    folder = walk_to_action(home, runbooks, clock)
    session = Session.resume(folder, operator="Piet", clock=clock)
    try:
        resumed, handover = session.events()[-2:]
        assert (resumed["type"], resumed["by"]) == ("resumed", "Piet")
        assert (handover["type"], handover["from"], handover["to"]) == ("handover", "Jan", "Piet")
        assert session.state.operator == "Piet"
        logged = session.submit(Act("done"))
        assert {e["by"] for e in logged} == {"Piet"}
    finally:
        session.close()
    back = Session.resume(folder, operator="Piet", clock=clock)
    back.close()
    assert types(back.events())[-1] == "resumed"  # same operator again: no handover


def test_resume_while_someone_writes_is_refused(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    first = begin(home, runbooks, clock, incident_id="bezet")
    try:
        count = len(on_disk(first))
        with pytest.raises(JournalLocked) as refused:
            Session.resume(first.folder, operator="Piet", clock=clock)
        assert refused.value.holder["operator"] == "Jan"
        assert "Jan" in str(refused.value)
        assert len(on_disk(first)) == count
    finally:
        first.close()


def test_resume_reaches_a_sub_runbook_that_was_not_called_yet(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    folder = walk_to_action(home, runbooks, clock)
    session = Session.resume(folder, operator=None, clock=clock)
    try:
        session.submit(Act("done"))
        session.submit(ItemAnswer("lms", "done"))
        session.submit(ItemAnswer("ncc", "done"))
        logged = session.submit(Value("12:30"))
        assert [(e["type"], e.get("runbook")) for e in logged[-3:]] == [
            ("entered", TOP),
            ("called", SUB),
            ("entered", SUB),
        ]
        session.submit(Act("done"))
        assert session.state.closed
        assert session.state.outcome == "resolved"
    finally:
        session.close()


def test_resume_after_a_crash_between_opened_and_the_first_step(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    session = begin(home, runbooks, clock, incident_id="kort")
    session.close()
    journal = session.folder / JOURNAL_NAME
    first_line = journal.read_bytes().split(b"\n")[0] + b"\n"
    journal.write_bytes(first_line)
    # As a crash there would leave the head register too: only the head after `opened`.
    heads = home / "heads" / "kort.heads"
    heads.write_bytes(heads.read_bytes().split(b"\n")[0] + b"\n")
    again = Session.resume(session.folder, operator=None, clock=clock)
    try:
        assert types(again.events()) == ["opened", "resumed", "entered"]
        assert again.state.current == Frame(TOP, "vaststellen")
        again.submit(Choose("overal"))
        assert again.state.closed
    finally:
        again.close()


def test_resume_of_a_journal_without_its_start(tmp_path: Path, clock: FakeClock) -> None:
    folder = tmp_path / "home" / "incidents" / "leeg"
    folder.mkdir(mode=0o700, parents=True)  # what a start cut off by an earlier version left
    (folder / JOURNAL_NAME).write_bytes(b"")
    with pytest.raises(IncidentError, match="no 'opened' event"):
        Session.resume(folder, operator="Jan", clock=clock)
    assert (folder / JOURNAL_NAME).read_bytes() == b""


def test_resume_of_a_closed_incident_logs_nothing(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    session = begin(home, runbooks, clock)
    session.submit(Choose("overal"))
    session.close()
    before = (session.folder / JOURNAL_NAME).read_bytes()
    again = Session.resume(session.folder, operator="Piet", clock=clock)
    again.close()
    assert again.state.closed
    assert (session.folder / JOURNAL_NAME).read_bytes() == before


# --- a crash between the events of one answer ------------------------------------------------


def full_walk(home: Path, runbooks: dict[str, Runbook], clock: FakeClock) -> tuple[Path, list[int]]:
    """A finished walk, and where each group of events logged together ends."""
    session = begin(home, runbooks, clock, incident_id="heel")
    ends = [session.journal.count]
    for answer in (
        Choose("nergens"),
        Act("done"),
        ItemAnswer("lms", "done"),
        ItemAnswer("ncc", "done"),
        Value("12:30"),
        Act("done"),
    ):
        session.submit(answer)
        ends.append(session.journal.count)
    session.close()
    assert session.state.closed
    return session.folder, ends


# Cutting after an answer (answered, action, item, recorded) or after `returned` leaves the walk
# between an answer and the step it leads to: resume must log that `entered` itself.
@pytest.mark.parametrize("cut", range(1, 18))
def test_resume_after_a_crash_inside_an_answer_goes_on_where_the_answer_led(
    tmp_path: Path, runbooks: dict[str, Runbook], clock: FakeClock, cut: int
) -> None:
    folder, ends = full_walk(tmp_path / "a", runbooks, clock)
    full = read_events(folder / JOURNAL_NAME)
    assert len(full) == 18
    group_end = min(end for end in ends if end >= cut)
    expected = replay(runbooks, full[:group_end])
    crashed = tmp_path / "b" / "incidents" / "heel"
    crashed.mkdir(parents=True)
    for copy in folder.glob("*.yaml"):
        (crashed / copy.name).write_bytes(copy.read_bytes())
    lines = (folder / JOURNAL_NAME).read_bytes().split(b"\n")
    (crashed / JOURNAL_NAME).write_bytes(b"\n".join(lines[:cut]) + b"\n")
    session = Session.resume(crashed, operator=None, clock=clock)
    session.close()
    assert session.state.closed == expected.closed
    assert session.state.current == expected.current
    assert session.state.stack == expected.stack


# --- what resume reads before it takes the journal over --------------------------------------


def test_the_head_of_a_journal_agrees_with_reading_it_all(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    from draaiboek.services.incidents import incident_runbooks, read_head

    session = begin(home, runbooks, clock, incident_id="kop")
    folder = session.folder
    session.submit(Choose("nergens"))
    session.close()
    for who in ("Piet", "Piet", None, "Kees"):
        again = Session.resume(folder, operator=who, clock=clock)
        again.submit(Note(f"door {who}"))
        again.close()
    session = Session.resume(folder, operator=None, clock=clock)
    for answer in (Act("done"), ItemAnswer("lms", "done"),
                   ItemAnswer("ncc", "done"), Value("12:30")):  # fmt: skip
        session.submit(answer)
    session.close()
    journal = folder / JOURNAL_NAME
    with journal.open("ab") as handle:  # another operator's takeover, and a torn line
        handle.write(b'{"at":"2026-11-23T14:05:09.123456+00:00","by":"Anna","hash":"3f')
    events = read_events(journal)
    head = read_head(folder)
    assert head.first == events[0]
    assert head.runbook_events == [e for e in events if e["type"] in ("opened", "called")]
    assert [e["runbook"] for e in head.runbook_events] == [TOP, SUB]
    assert head.operator == replay(runbooks, events).operator == "Kees"
    assert incident_runbooks(folder, head.runbook_events) == incident_runbooks(folder, events)


def test_a_damaged_line_is_reported_as_the_reader_reports_it(
    home: Path, runbooks: dict[str, Runbook], clock: FakeClock
) -> None:
    from draaiboek.journal import JournalDamaged
    from draaiboek.services.incidents import read_head

    session = begin(home, runbooks, clock, incident_id="stuk")
    session.submit(Choose("nergens"))
    session.close()
    journal = session.folder / JOURNAL_NAME
    lines = journal.read_bytes().split(b"\n")
    for number in (1, 3):  # the first line (read by the head) and another one
        damaged = list(lines)
        damaged[number - 1] = b"dit is geen json"
        journal.write_bytes(b"\n".join(damaged))
        with pytest.raises(JournalDamaged) as by_reader:
            read_events(journal)
        with pytest.raises(JournalDamaged) as by_resume:
            Session.resume(session.folder, operator="Piet", clock=clock)
        assert str(by_resume.value) == str(by_reader.value)
        assert f"damaged at line {number}" in str(by_resume.value)
        if number == 1:
            with pytest.raises(JournalDamaged):
                read_head(session.folder)
        assert journal.read_bytes() == b"\n".join(damaged)  # nothing was changed
