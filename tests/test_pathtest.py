"""Tests for the path-test service: runbook path tests through the real engine, and coverage."""

from __future__ import annotations

from typing import Any

import pytest
from runbook_corpus import SUB, T0, TOP, load

from draaiboek.engine.state import MissingRunbook
from draaiboek.model.runbook import Option, Runbook, Step, Text, frozen_map
from draaiboek.services import pathtest as P

RUNBOOKS = load(TOP, SUB)
FULL = {
    "vaststellen": "nergens",
    "testbellen": "done",
    "lijst": {"lms": "done", "ncc": "done"},
    "starttijd": "14:03",
    f"{SUB}/melden": "done",
}


def case(answers: dict[str, Any], **expect: Any) -> dict[str, Any]:
    return {"name": "geval", "answers": answers, "expect": expect}


def run(answers: dict[str, Any], **expect: Any) -> P.CaseResult:
    return P.run_case(RUNBOOKS, TOP, case(answers, **expect), T0)


def test_a_passing_case_through_the_sub_runbook() -> None:
    result = run(
        FULL,
        end="klaar",
        outcome="resolved",
        open=[],
        visited=["testbellen", "nlalert", f"{SUB}/melden", f"{SUB}/einde"],
    )
    assert result.passed and result.problems == ()
    assert result.name == "geval"
    assert (SUB, "einde") in result.visited and (TOP, "klaar") in result.visited
    assert result.options == frozenset({(TOP, "vaststellen", "nergens")})


def test_a_short_path_and_not_visited() -> None:
    result = run({"vaststellen": 2}, end="klaar", not_visited=["testbellen", f"{SUB}/melden"])
    assert result.passed
    assert result.options == frozenset({(TOP, "vaststellen", "overal")})


def test_failing_expectations_are_one_line_each() -> None:
    result = run(
        {"vaststellen": "overal"},
        end="testbellen",
        outcome="aborted",
        visited=["lijst", "nergens-zo"],
        not_visited=["klaar"],
    )
    assert not result.passed
    assert result.problems == (
        "expected end 'testbellen', reached 'klaar'",
        "expected outcome 'aborted', got 'resolved'",
        "expected 'lijst' to be visited, but it was not",
        "expected 'nergens-zo' to be visited, but it was not",
        "expected 'klaar' not to be visited, but it was",
    )


def test_open_items_exactly() -> None:
    answers = {**FULL, "testbellen": "deferred", "lijst": {"ncc": "done"}, "klaar": "ja"}
    assert run(answers, open=["testbellen", "lijst/lms"]).passed
    result = run(answers, open=["testbellen", "lijst/ncc"])
    assert result.problems == (
        "expected 'lijst/ncc' to be open, but it is not",
        "'lijst/lms' is open, but not expected",
    )
    assert run(answers, open=["bestaat-niet"]).problems == (
        "expected open 'bestaat-niet': no such step or item",
        "'lijst/lms' is open, but not expected",
        "'testbellen' is open, but not expected",
    )


def test_sub_runbook_open_items_are_prefixed() -> None:
    answers = {**FULL, f"{SUB}/melden": "later"}
    assert run(answers, open=[f"{SUB}/melden"], end="klaar").passed


def test_no_answer_for_a_step() -> None:
    result = run({"vaststellen": "nergens"}, end="klaar")
    assert not result.passed and result.problems == ("no answer for step 'testbellen'",)
    result = run({**FULL, "testbellen": "deferred"}, end="klaar")
    assert result.problems == ("no answer for step 'klaar'",)  # the end asks for confirmation
    result = run({**FULL, f"{SUB}/melden": None}, end="klaar")
    assert result.problems == (f"step '{SUB}/melden': unknown-key (None)",)


def test_rejected_answers_fail_with_code_and_detail() -> None:
    result = run({**FULL, "starttijd": "kwart over twee"}, end="klaar")
    assert len(result.problems) == 1
    assert result.problems[0].startswith("step 'starttijd': answer rejected: invalid-value (")
    assert "does not match" in result.problems[0]
    result = run({"vaststellen": "ergens"}, end="klaar")
    assert result.problems == ("step 'vaststellen': unknown-option (ergens)",)


def test_answers_for_unknown_steps_are_reported() -> None:
    result = run({**FULL, "bestaat-niet": "done", "x/y": 1}, end="klaar")
    assert result.problems == (
        "answer for unknown step 'bestaat-niet'",
        "answer for unknown step 'x/y'",
    )


def test_declining_the_end_forever_is_a_loop() -> None:
    result = run({**FULL, "testbellen": "deferred", "klaar": "nee"}, end="klaar")
    assert result.problems == ("loop: more than 10000 answers without reaching an end",)


def _step(step_id: str, kind: str, **fields: Any) -> Step:
    return Step(id=step_id, type=kind, title=Text.of(step_id, "nl"), **fields)


LOOP = Runbook(
    id="lus",
    version="1.0.0",
    status="draft",
    title=Text.of("lus", "nl"),
    languages=("nl",),
    start="q",
    steps=frozen_map(
        {
            "q": _step(
                "q",
                "decision",
                options=(
                    Option("nog", Text.of("nog", "nl"), "q"),
                    Option("klaar", Text.of("klaar", "nl"), "e"),
                ),
            ),
            "e": _step("e", "end", outcome="resolved"),
        }
    ),
)


def test_visits_take_successive_list_elements() -> None:
    result = P.run_case({"lus": LOOP}, "lus", case({"q": ["nog", "nog", "klaar"]}, end="e"), T0)
    assert result.passed
    assert result.options == frozenset({("lus", "q", "nog"), ("lus", "q", "klaar")})
    result = P.run_case({"lus": LOOP}, "lus", case({"q": ["nog"]}, end="e"), T0)
    assert result.problems == ("step 'q': no-answer-for-visit (q visit 2)",)


def test_a_looping_case_stops_at_the_answer_limit() -> None:
    # The limit is what makes it stop; that it stops is shown by the message, not by a clock.
    result = P.run_case({"lus": LOOP}, "lus", case({"q": "nog"}, end="e"), T0)
    assert result.problems == ("loop: more than 10000 answers without reaching an end",)


def test_a_missing_sub_runbook_fails_the_case() -> None:
    result = P.run_case({TOP: RUNBOOKS[TOP]}, TOP, case(FULL, end="klaar"), T0)
    assert not result.passed
    assert result.problems[-1].startswith("runbook 'sub-procedure' is needed but was not loaded")


def test_run_cases_and_coverage_on_the_corpus() -> None:
    test = {
        "format": "draaiboek-test/1",
        "runbook": TOP,
        "cases": [case(FULL, end="klaar"), case({"vaststellen": "overal"}, end="klaar")],
    }
    results = P.run_cases(RUNBOOKS, test, T0)
    assert [r.passed for r in results] == [True, True]
    cov = P.coverage(RUNBOOKS[TOP], results)
    assert (cov.steps_total, cov.steps_hit, cov.options_total, cov.options_hit) == (6, 6, 2, 2)
    assert cov.missed_steps == () and cov.missed_options == ()
    assert cov.steps_percent == 100.0 and cov.options_percent == 100.0
    sub = P.coverage(RUNBOOKS[SUB], results)
    assert (sub.steps_total, sub.steps_hit, sub.options_total) == (2, 2, 0)
    assert sub.options_percent == 100.0
    with pytest.raises(MissingRunbook):
        P.run_cases(RUNBOOKS, {**test, "runbook": "onbekend"}, T0)


def test_partial_coverage_names_what_was_missed() -> None:
    results = [run({"vaststellen": "overal"}, end="klaar")]
    cov = P.coverage(RUNBOOKS[TOP], results)
    assert (cov.steps_total, cov.steps_hit, cov.options_total, cov.options_hit) == (6, 2, 2, 1)
    assert cov.missed_steps == tuple(
        f"{TOP}/{s}" for s in ("testbellen", "lijst", "starttijd", "nlalert")
    )
    assert cov.missed_options == (f"{TOP}/vaststellen:nergens",)
    assert cov.steps_percent == pytest.approx(100 * 2 / 6)
    assert cov.options_percent == 50.0
    assert P.coverage(RUNBOOKS[SUB], results).steps_hit == 0
