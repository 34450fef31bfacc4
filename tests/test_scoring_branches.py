"""Scoring of `not_visited` expectations: points only once the wrong branch is behind the trainee.

Before, a trainee who stopped after the first step of the 24 June 2019 exercise scored 15 of 90
points for "did not assume 0900-8844 works" without ever reaching that question (issue 13,
finding 16). Events here are written by hand: scoring reads only type, runbook, step, option
and time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from draaiboek.load.build import build_runbook
from draaiboek.load.documents import read_document
from draaiboek.load.library import load_library
from draaiboek.load.scenario import Scenario, load_scenario
from draaiboek.model.runbook import Runbook
from draaiboek.services.scoring import _gateways, score

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOP = "every-step-type"
START = datetime(2020, 9, 15, 9, 0, tzinfo=UTC)  # alles-werkt starts here


def _corpus_runbooks() -> dict[str, Runbook]:
    found = {}
    for name in (TOP, "sub-procedure"):
        document, findings = read_document(HERE / "corpus" / "valid" / f"{name}.yaml")
        assert document is not None, findings
        found[name] = build_runbook(document)
    return found


RUNBOOKS = _corpus_runbooks()


def _scenario(tmp_path: Path, not_visited: str) -> Scenario:
    """The corpus scenario alles-werkt with its `not_visited` expectation replaced."""
    text = (HERE / "corpus" / "scenarios" / "alles-werkt.yaml").read_text(encoding="utf-8")
    old = "    not_visited: testbellen\n"
    assert old in text
    path = tmp_path / "alles-werkt.yaml"
    path.write_text(text.replace(old, not_visited), encoding="utf-8")
    scenario, _, findings = load_scenario(path)
    assert scenario is not None, findings
    return scenario


def _event(minutes: float, kind: str, **fields: Any) -> dict[str, Any]:
    return {"at": (START + timedelta(minutes=minutes)).isoformat(), "type": kind, **fields}


OPENED = [_event(0, "opened"), _event(0, "entered", runbook=TOP, step="vaststellen")]


def _outcome(scenario: Scenario, events: list[dict[str, Any]], **kw: Any) -> tuple[str, int]:
    card = score(scenario, events, **kw)
    found = next(o for o in card.outcomes if o.expectation.id == "geen-testronde")
    return found.status, found.points


def test_a_gateway_is_a_decision_whose_option_runs_into_the_step() -> None:
    runbook = RUNBOOKS[TOP]
    # vaststellen -nergens-> testbellen (action) -> lijst: the action does not branch
    assert _gateways(runbook, "lijst") == {"vaststellen": frozenset({"nergens"})}
    assert _gateways(runbook, "testbellen") == {"vaststellen": frozenset({"nergens"})}
    assert _gateways(runbook, "vaststellen") == {}  # the start: no decision before it


def test_nothing_is_earned_before_the_point_is_reached(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, "    not_visited: lijst\n")
    assert _outcome(scenario, OPENED, runbooks=RUNBOOKS) == ("missed", 0)
    assert _outcome(scenario, [], runbooks=RUNBOOKS) == ("missed", 0)


def test_answering_the_decision_elsewhere_passes_the_point(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, "    not_visited: lijst\n")
    answered = [
        *OPENED,
        _event(3, "answered", runbook=TOP, step="vaststellen", option="overal"),
        _event(3, "entered", runbook=TOP, step="klaar"),
    ]
    card = score(scenario, answered, RUNBOOKS)
    found = next(o for o in card.outcomes if o.expectation.id == "geen-testronde")
    assert (found.status, found.points) == ("met", 5)
    assert found.offset == timedelta(minutes=3)  # when the point was passed
    # Without the runbooks it is not known which decision led there: only closing passes it.
    assert _outcome(scenario, answered) == ("missed", 0)
    closed = [*answered, _event(4, "closed", outcome="resolved")]
    assert _outcome(scenario, closed) == ("met", 5)


def test_taking_the_branch_is_visited_even_after_the_point(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, "    not_visited: lijst\n")
    events = [
        *OPENED,
        _event(2, "answered", runbook=TOP, step="vaststellen", option="nergens"),
        _event(2, "entered", runbook=TOP, step="testbellen"),
        _event(5, "entered", runbook=TOP, step="lijst"),
        _event(9, "closed", outcome="resolved"),
    ]
    assert _outcome(scenario, events, runbooks=RUNBOOKS) == ("visited", 0)


def test_an_option_is_passed_by_choosing_another(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, "    not_visited: vaststellen\n    option: nergens\n")
    assert _outcome(scenario, OPENED) == ("missed", 0)
    other = [*OPENED, _event(1, "answered", runbook=TOP, step="vaststellen", option="overal")]
    assert _outcome(scenario, other) == ("met", 5)
    wrong = [*OPENED, _event(1, "answered", runbook=TOP, step="vaststellen", option="nergens")]
    assert _outcome(scenario, wrong) == ("visited", 0)


def test_the_2019_exercise_gives_nothing_for_quitting_after_the_first_step() -> None:
    shipped = ROOT / "runbooks"
    scenario, _, findings = load_scenario(shipped / "scenarios" / "storing-24-juni-2019.yaml")
    assert scenario is not None, findings
    library = load_library([shipped], today=date(2026, 11, 23))
    at = scenario.start.isoformat()
    events = [
        {"at": at, "type": "opened"},
        {"at": at, "type": "entered", "runbook": scenario.runbook, "step": "starttijd"},
    ]
    card = score(scenario, events, library.all_runbooks())
    assert card.earned == 0 and card.possible > 0
    assert {o.status for o in card.outcomes} == {"missed"}
