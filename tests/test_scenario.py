"""Tests for scenarios and the simulated clock: loading, checks, version ranges, scoring."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from draaiboek.engine.decide import Draft, open_events, respond
from draaiboek.engine.fold import apply, initial_state
from draaiboek.engine.inputs import Act, Answer, Choose, Complete, ItemAnswer, Note, Value
from draaiboek.load.build import build_runbook
from draaiboek.load.documents import Document, read_document
from draaiboek.load.scenario import Scenario, check_scenario, load_scenario, scenario_for_incident
from draaiboek.model.runbook import Runbook
from draaiboek.model.semver import version_matches
from draaiboek.services.scoring import score
from draaiboek.services.simclock import DueQueue, SimClock, Ticker

HERE = Path(__file__).resolve().parent
VALID = HERE / "corpus" / "valid"
SCENARIOS = HERE / "corpus" / "scenarios"
TOP, SUB = "every-step-type", "sub-procedure"
START = datetime(2019, 6, 24, 13, 34, tzinfo=UTC)  # 15:34 in Amsterdam


def _runbooks() -> dict[str, Runbook]:
    found = {}
    for name in (TOP, SUB):
        document, findings = read_document(VALID / f"{name}.yaml")
        assert document is not None, findings
        runbook = build_runbook(document)
        found[runbook.id] = runbook
    return found


RUNBOOKS = _runbooks()


def load(name: str) -> tuple[Scenario, Document]:
    scenario, document, findings = load_scenario(SCENARIOS / f"{name}.yaml")
    assert scenario is not None and document is not None, findings
    return scenario, document


def variant(tmp_path: Path, name: str, *changes: tuple[str, str]) -> tuple[Any, Any, Any]:
    """A corpus scenario with text replaced (each `old` must occur), loaded from a file."""
    text = (SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def findings_of(tmp_path: Path, name: str, *changes: tuple[str, str]) -> list[Any]:
    _scenario, document, findings = variant(tmp_path, name, *changes)
    assert document is not None and not findings, findings
    return check_scenario(document, RUNBOOKS)


class Play:
    """Drives the engine like an exercise does, with a clock the test sets (minutes from start)."""

    def __init__(self, start: datetime = START) -> None:
        self.start = self.now = start
        self.events: list[dict[str, Any]] = []
        self.state = initial_state(RUNBOOKS)
        self.log(
            open_events(
                RUNBOOKS[TOP],
                incident="oefening-1",
                mode="exercise",
                operator="Jan",
                tool_version="0",
                timezone="Europe/Amsterdam",
                lang="nl",
                allow_draft=False,
                runbooks=RUNBOOKS,
            )
        )

    def log(self, drafts: Sequence[Draft]) -> None:
        for draft in drafts:
            event = {
                "seq": len(self.events),
                "at": self.now.isoformat(),
                "type": draft.type,
                "by": "Jan",
                **draft.fields,
            }
            self.events.append(event)
            self.state = apply(self.state, event)

    def at(self, minutes: float, *answers: Answer) -> Play:
        self.now = self.start + timedelta(minutes=minutes)
        for answer in answers:
            self.log(respond(self.state, answer, self.now))
        return self

    def inject(self, minutes: float, inject_id: str) -> Play:
        self.now = self.start + timedelta(minutes=minutes)
        self.log([Draft("inject", {"id": inject_id, "message": "..."})])
        return self


def full_walk() -> Play:
    return (
        Play()
        .inject(0, "geen-verbinding")
        .at(1, Choose("nergens"))
        .at(2, Act("done"))
        .at(3, Note("LMS gebeld"))
        .at(4, ItemAnswer("lms", "done"), ItemAnswer("ncc", "done"))
        .at(5, Value("15:34"))
        .inject(20, "ncc-vraagt")
        .at(21, Act("done"))
    )


def statuses(card: Any) -> dict[str, tuple[str, int]]:
    return {o.expectation.id: (o.status, o.points) for o in card.outcomes}


# --- loading and the schema ------------------------------------------------------------------


def test_corpus_scenarios_load_and_check_clean() -> None:
    for name in ("elk-staptype", "alles-werkt"):
        scenario, document = load(name)
        assert check_scenario(document, RUNBOOKS) == []
    scenario, _ = load("elk-staptype")
    assert scenario.start == START and scenario.runbook == TOP
    assert [i.at for i in scenario.injects] == [timedelta(0), timedelta(minutes=20)]
    assert scenario.injects[1].expect == (SUB, "melden")
    lms = scenario.expectations[2]
    assert (lms.kind, lms.runbook, lms.step, lms.item, lms.target) == (
        "action_done",
        TOP,
        "lijst",
        "lms",
        "lijst/lms",
    )
    assert scenario.expectations[0].target == "vaststellen = nergens"


@pytest.mark.parametrize(
    ("old", "new", "line", "code"),
    [
        ("runbook: every-step-type\n", "runbook: every-step-type\nextra: 1\n", 10, "unknown-key"),
        ("    within: PT5M\n", "    within: PT5M\n    wihtin: PT6M\n", 38, "unknown-key"),
        ("    at: PT0S\n", "    at: PT0S\n    wanneer: nu\n", 20, "unknown-key"),
        (
            "expect: {step: vaststellen, option: nergens}",
            "expect: {step: vaststellen, optie: nergens}",
            23,
            "unknown-key",
        ),
        ("    note: true\n", "    note: true\n    reached: klaar\n", 57, "bad-value"),
        (
            "    points: 5\n    note: true",
            "    points: 5\n    option: x\n    note: true",
            54,
            "missing-key",
        ),
        ('start: "2019-06-24T15:34:00+02:00"', 'start: "2019-06-24 15:34"', 14, "bad-format"),
        ('versions: ">=1.0.0 <2.0.0"', 'versions: "1.x"', 10, "bad-format"),
    ],
)
def test_schema_rejects(tmp_path: Path, old: str, new: str, line: int, code: str) -> None:
    scenario, _, findings = variant(tmp_path, "elk-staptype", (old, new))
    assert scenario is None
    assert [(f.line, f.code) for f in findings][:1] == [(line, code)], findings


def test_not_visited_takes_no_deadline(tmp_path: Path) -> None:
    _, _, findings = variant(
        tmp_path,
        "alles-werkt",
        ("    not_visited: testbellen\n", "    not_visited: testbellen\n    within: PT5M\n"),
    )
    assert [f.code for f in findings] == ["bad-value"]
    assert "a wrong branch" in findings[0].message


def test_a_runbook_is_not_a_scenario() -> None:
    scenario, _, findings = load_scenario(VALID / "every-step-type.yaml")
    assert scenario is None and [f.code for f in findings] == ["not-a-scenario"]


# --- checks against the runbooks -------------------------------------------------------------


def test_check_finds_a_missing_step_with_its_position(tmp_path: Path) -> None:
    found = findings_of(
        tmp_path, "elk-staptype", ("action_done: testbellen", "action_done: testbelen")
    )
    assert [(f.line, f.column, f.code, f.path) for f in found] == [
        (42, 18, "unknown-step", "$.expectations[1].action_done")
    ]
    assert "did you mean 'testbellen'" in found[0].message


def test_check_finds_a_missing_option(tmp_path: Path) -> None:
    found = findings_of(
        tmp_path,
        "elk-staptype",
        ("    option: nergens\n", "    option: nergns\n"),
        ("{step: vaststellen, option: nergens}", "{step: vaststellen, option: x}"),
    )
    assert [(f.line, f.code, f.path) for f in found] == [
        (23, "unknown-option", "$.injects[0].expect.option"),
        (36, "unknown-option", "$.expectations[0].option"),
    ]
    assert "did you mean 'nergens'" in found[1].message


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("item: lijst/lms", "item: lijst/lsm", "unknown-item"),
        ("action_done: testbellen", "action_done: lijst", "not-an-action"),
        ("action_done: sub-procedure/melden", "action_done: elders/melden", "unknown-runbook"),
        (
            "expect: {step: sub-procedure/melden}",
            "expect: {step: sub-procedure/weg}",
            "unknown-step",
        ),
        ("  - id: lms\n", "  - id: testbellen\n", "duplicate-id"),
        (
            "    sources: [S1]\n  - id: ncc-vraagt",
            "    sources: [S9]\n  - id: ncc-vraagt",
            "unknown-source",
        ),
    ],
)
def test_check_finds(tmp_path: Path, old: str, new: str, code: str) -> None:
    found = findings_of(tmp_path, "elk-staptype", (old, new))
    assert [f.code for f in found] == [code], found


def test_an_impossible_start_is_a_finding(tmp_path: Path) -> None:
    scenario, document, findings = variant(
        tmp_path, "elk-staptype", ('"2019-06-24T15:34:00+02:00"', '"2019-02-30T15:34:00+01:00"')
    )
    assert scenario is None and [(f.line, f.code) for f in findings] == [(14, "bad-date")]
    assert [f.code for f in check_scenario(document, RUNBOOKS)] == ["bad-date"]


def test_check_finds_a_version_mismatch(tmp_path: Path) -> None:
    found = findings_of(tmp_path, "elk-staptype", ('">=1.0.0 <2.0.0"', '">=1.0.0 <1.2.0"'))
    assert [(f.line, f.column, f.code) for f in found] == [(10, 11, "version-mismatch")]
    assert "1.2.0" in found[0].message


def test_check_finds_an_unknown_runbook(tmp_path: Path) -> None:
    found = findings_of(tmp_path, "alles-werkt", ("runbook: every-step-type", "runbook: elders"))
    assert [(f.line, f.code) for f in found] == [(6, "unknown-runbook")]
    assert "every-step-type" in found[0].message  # what is available


def test_check_finds_a_missing_option_on_a_wrong_branch(tmp_path: Path) -> None:
    found = findings_of(
        tmp_path,
        "alles-werkt",
        ("    not_visited: testbellen\n", "    not_visited: vaststellen\n    option: ergens\n"),
    )
    assert [f.code for f in found] == ["unknown-option"]


@pytest.mark.parametrize(
    ("version", "wanted", "ok"),
    [
        ("1.2.0", ">=1.0.0 <2.0.0", True),
        ("2.0.0", ">=1.0.0 <2.0.0", False),
        ("1.0.0-rc.1", ">=1.0.0", False),
        ("1.0.0", ">1.0.0-rc.2", True),
        ("1.0.0-rc.10", ">1.0.0-rc.2", True),
        ("1.0.0-beta", "<1.0.0-rc", True),
        ("1.4.7", "^1.2.0", True),
        ("2.0.0", "^1.2.0", False),
        ("0.2.9", "^0.2.1", True),
        ("0.3.0", "^0.2.1", False),
        ("0.0.4", "^0.0.3", False),
        ("1.2.9", "~1.2.0", True),
        ("1.3.0", "~1.2.0", False),
        ("1.2.0", "1.2.0", True),
        ("1.2.0", "=1.2.1", False),
        ("1.2.0", "<=1.2.0 >=1.2.0", True),
    ],
)
def test_version_ranges(version: str, wanted: str, ok: bool) -> None:
    assert version_matches(version, wanted) is ok


@pytest.mark.parametrize("bad", ["", "1.x", ">= 1.0", "latest"])
def test_bad_version_ranges(bad: str) -> None:
    with pytest.raises(ValueError):
        version_matches("1.0.0", bad)


# --- the simulated clock and the injects -----------------------------------------------------


class FakeReal:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_simclock_runs_at_its_speed_from_the_scenario_start() -> None:
    real = FakeReal()
    clock = SimClock(datetime.fromisoformat("2019-06-24T15:34:00+02:00"), 10, real)
    assert clock.now() == START and clock.now().tzinfo is UTC
    real.t += 90
    assert clock.now() == START + timedelta(minutes=15)
    assert clock.real_seconds_until(START + timedelta(minutes=20)) == pytest.approx(30)
    real.t -= 500  # a clock that steps back never takes the exercise before its start
    assert clock.now() == START


@pytest.mark.parametrize("speed", [0, -1, float("inf"), float("nan")])
def test_simclock_refuses_a_bad_speed(speed: float) -> None:
    with pytest.raises(ValueError):
        SimClock(START, speed, FakeReal())


def test_simclock_needs_an_offset() -> None:
    with pytest.raises(ValueError):
        SimClock(datetime(2019, 6, 24, 15, 34), 1, FakeReal())


def test_due_queue_hands_out_each_inject_once_when_due() -> None:
    scenario, _ = load("elk-staptype")
    real = FakeReal()
    clock = SimClock(scenario.start, 60, real)
    queue = DueQueue(clock.start_sim, reversed(scenario.injects))
    assert [i.id for i in queue.take(clock.now())] == ["geen-verbinding"]
    assert queue.take(clock.now()) == []
    assert queue.next_at() == START + timedelta(minutes=20)
    real.t += 19.9  # 19:54 simulated
    assert queue.take(clock.now()) == []
    real.t += 0.1
    assert [i.id for i in queue.take(clock.now())] == ["ncc-vraagt"]
    assert queue.next_at() is None and queue.take(clock.now()) == []


def test_ticker_ticks_until_stopped_and_keeps_its_error() -> None:
    ticks: list[int] = []
    done = threading.Event()

    def tick() -> None:
        ticks.append(1)
        if len(ticks) == 3:
            done.set()
            raise OSError("disk full")

    ticker = Ticker(tick, 0.001, "test")
    ticker.start()
    assert done.wait(10)
    ticker.thread.join(10)
    ticker.stop()
    assert len(ticks) == 3 and isinstance(ticker.error, OSError)
    quiet = Ticker(lambda: None, 3600)
    quiet.start()
    quiet.stop()  # does not wait for the hour
    assert not quiet.thread.is_alive() and quiet.error is None


# --- scoring ---------------------------------------------------------------------------------


def test_score_everything_in_time() -> None:
    scenario, _ = load("elk-staptype")
    card = score(scenario, full_walk().events)
    assert statuses(card) == {
        "nergens": ("met", 10),
        "testbellen": ("met", 10),
        "lms": ("met", 5),
        "gemeld": ("met", 5),
        "notitie": ("met", 5),
    }
    assert (card.earned, card.possible, card.percent) == (35, 35, 100.0)
    offsets = {o.expectation.id: o.offset for o in card.outcomes}
    assert offsets["lms"] == timedelta(minutes=4) and offsets["gemeld"] == timedelta(minutes=21)
    sent = {i.inject.id: (i.delivered, i.answered) for i in card.injects}
    assert sent == {
        "geen-verbinding": (timedelta(0), timedelta(minutes=1)),
        "ncc-vraagt": (timedelta(minutes=20), None),
    }  # melden was entered before


def test_score_met_late_and_missed() -> None:
    scenario, _ = load("elk-staptype")
    play = (
        Play()
        .at(6, Choose("nergens"))
        .at(7, Act("deferred"))
        .at(8, ItemAnswer("lms", "skipped", "geen verbinding"))
        .at(9, ItemAnswer("ncc", "done"))
        .at(25, Note("te laat genoteerd"))
    )
    card = score(scenario, play.events)
    assert statuses(card) == {
        "nergens": ("late", 0),
        "testbellen": ("missed", 0),
        "lms": ("missed", 0),
        "gemeld": ("missed", 0),
        "notitie": ("late", 0),
    }
    late = card.outcomes[0]
    assert late.offset == timedelta(minutes=6) and late.at == START + timedelta(minutes=6)
    assert (card.earned, card.possible, card.percent) == (0, 35, 0.0)


def test_a_deferred_action_counts_when_it_is_done_later() -> None:
    scenario, _ = load("elk-staptype")
    base = Play().at(1, Choose("nergens")).at(2, Act("deferred"))
    in_time = score(scenario, base.at(14, Complete(TOP, "testbellen")).events)
    assert statuses(in_time)["testbellen"] == ("met", 10)
    base = Play().at(1, Choose("nergens")).at(2, Act("deferred"))
    too_late = score(scenario, base.at(16, Complete(TOP, "testbellen")).events)
    assert statuses(too_late)["testbellen"] == ("late", 0)


def test_no_note_is_missed() -> None:
    scenario, _ = load("elk-staptype")
    events = [e for e in full_walk().events if e["type"] != "note"]
    assert statuses(score(scenario, events))["notitie"] == ("missed", 0)


def test_a_wrong_branch_loses_its_points() -> None:
    scenario, _ = load("alles-werkt")
    right = score(scenario, Play(scenario.start).at(3, Choose("overal")).events)
    assert statuses(right) == {
        "overal": ("met", 10),
        "geen-testronde": ("met", 5),
        "afgerond": ("met", 5),
    }
    wrong = score(scenario, Play(scenario.start).at(3, Choose("nergens")).events)
    assert statuses(wrong) == {
        "overal": ("missed", 0),
        "geen-testronde": ("visited", 0),
        "afgerond": ("missed", 0),
    }
    visited = wrong.outcomes[1]
    assert visited.offset == timedelta(minutes=3)


def test_a_wrong_option_is_a_wrong_branch(tmp_path: Path) -> None:
    scenario, _, _ = variant(
        tmp_path,
        "alles-werkt",
        ("    not_visited: testbellen\n", "    not_visited: vaststellen\n    option: nergens\n"),
    )
    assert statuses(score(scenario, Play(scenario.start).at(1, Choose("nergens")).events))[
        "geen-testronde"
    ] == ("visited", 0)
    assert statuses(score(scenario, Play(scenario.start).at(1, Choose("overal")).events))[
        "geen-testronde"
    ] == ("met", 5)


def test_score_is_pure_and_serialisable() -> None:
    scenario, _ = load("elk-staptype")
    events = full_walk().events
    before = json.dumps(events)
    first, second = score(scenario, events), score(scenario, events)
    assert first == second and json.dumps(events) == before
    data = json.loads(json.dumps(first.as_dict("en")))
    assert data["earned"] == 35 and data["percent"] == 100.0
    assert data["expectations"][2] == {
        "id": "lms",
        "title": "LMS informed",
        "kind": "action_done",
        "target": "lijst/lms",
        "within": "PT10M",
        "status": "met",
        "at": "2019-06-24T13:38:00+00:00",
        "offset_seconds": 240,
        "points": 5,
        "possible": 5,
    }
    assert data["injects"][0] == {
        "id": "geen-verbinding",
        "delivered_seconds": 0,
        "answered_seconds": 60,
    }


def test_score_without_events() -> None:
    scenario, _ = load("alles-werkt")
    card = score(scenario, [])
    # Not yet past the decision that could lead there: a wrong branch avoided earns nothing yet.
    assert statuses(card)["geen-testronde"] == ("missed", 0) and card.earned == 0


def test_scenario_for_incident(tmp_path: Path) -> None:
    scenario, document = load("elk-staptype")
    (tmp_path / f"{document.sha256}.yaml").write_bytes(document.raw)
    events: list[dict[str, Any]] = [
        {"type": "opened"},
        {"type": "exercise", "scenario": "elk-staptype", "sha256": document.sha256},
    ]
    stored = scenario_for_incident(tmp_path, events)
    assert stored is not None and stored.sha256 == scenario.sha256
    assert stored.expectations == scenario.expectations
    assert scenario_for_incident(tmp_path, events[:1]) is None
    (tmp_path / f"{document.sha256}.yaml").write_bytes(document.raw + b"\n# changed\n")
    with pytest.raises(ValueError, match="elk-staptype"):
        scenario_for_incident(tmp_path, events)
