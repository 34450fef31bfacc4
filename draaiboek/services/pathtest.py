"""Runbook path tests (`draaiboek test`): walk a runbook with given answers, check where it ends.

Each case drives the real engine, exactly as a walk does, with a fake clock: a test that passes
here passes for a duty officer too. Problems are plain English lines for the author.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from draaiboek.engine.decide import Draft, open_events, respond
from draaiboek.engine.fold import apply, initial_state
from draaiboek.engine.inputs import Rejected
from draaiboek.engine.script import MAX_ANSWERS, Script, ScriptStop
from draaiboek.engine.state import MissingRunbook, WalkState
from draaiboek.model.runbook import Runbook

TICK = timedelta(minutes=1)
OPERATOR = "draaiboek-test"


@dataclass(frozen=True)
class CaseResult:
    name: str
    passed: bool
    problems: tuple[str, ...]
    visited: frozenset[tuple[str, str]]
    options: frozenset[tuple[str, str, str]]  # (runbook, step, option) chosen


@dataclass(frozen=True)
class Coverage:
    steps_total: int
    steps_hit: int
    options_total: int
    options_hit: int
    missed_steps: tuple[str, ...]  # "runbook/step"
    missed_options: tuple[str, ...]  # "runbook/step:option"

    @property
    def steps_percent(self) -> float:
        return 100.0 * self.steps_hit / self.steps_total if self.steps_total else 100.0

    @property
    def options_percent(self) -> float:
        return 100.0 * self.options_hit / self.options_total if self.options_total else 100.0


class _Stop(Exception):
    """The walk cannot go on; the message is the case's problem line."""


class _Run:
    def __init__(self, runbooks: Mapping[str, Runbook], clock_start: datetime) -> None:
        self.state = initial_state(runbooks)
        self.now = clock_start
        self.events: list[dict[str, Any]] = []

    def log(self, drafts: Iterable[Draft]) -> None:
        for draft in drafts:
            event = {
                "seq": len(self.events),
                "at": self.now.isoformat(),
                "type": draft.type,
                "by": OPERATOR,
                **draft.fields,
            }
            self.events.append(event)
            self.state = apply(self.state, event)
        self.now += TICK


def _name(top: str, runbook: str, step: str, item: str | None = None) -> str:
    """A step or item as a test file names it: top-runbook ones without the runbook id."""
    base = step if runbook == top else f"{runbook}/{step}"
    return base if item is None else f"{base}/{item}"


def _walk(run: _Run, runbooks: Mapping[str, Runbook], top: str, answers: Mapping[str, Any]) -> None:
    runbook = runbooks[top]
    run.log(
        open_events(
            runbook,
            incident="test",
            mode="exercise",
            operator=OPERATOR,
            tool_version="test",
            timezone="UTC",
            lang=runbook.default_lang,
            allow_draft=True,
            runbooks=runbooks,
        )
    )
    script = Script(answers, top)
    while not run.state.closed:
        state = run.state
        try:
            answer = script.next(state)
        except ScriptStop as stop:
            if stop.code == "no-answer":
                raise _Stop(f"no answer for step {stop.step!r}") from None
            if stop.code == "loop":
                raise _Stop(
                    f"loop: more than {MAX_ANSWERS} answers without reaching an end"
                ) from None
            raise _Stop(f"step {stop.step!r}: {_said(stop.code, stop.detail)}") from None
        try:
            run.log(respond(state, answer, run.now))
        except Rejected as error:
            raise _Stop(
                f"step {script.answering!r}: answer rejected: {_said(error.code, error.detail)}"
            ) from None


def _said(code: str, detail: str) -> str:
    return f"{code} ({detail})" if detail else code


def run_case(
    runbooks: Mapping[str, Runbook], top: str, case: Mapping[str, Any], clock_start: datetime
) -> CaseResult:
    """Walk one test case through the real engine and compare what it expects."""
    answers: Mapping[str, Any] = case.get("answers") or {}
    expect: Mapping[str, Any] = case.get("expect") or {}
    problems = [
        f"answer for unknown step {key!r}"
        for key in answers
        if _parse_name(runbooks, top, key, allow_item=False) is None
    ]
    run = _Run(runbooks, clock_start)
    try:
        _walk(run, runbooks, top, answers)
    except _Stop as stop:
        problems.append(str(stop))
    except MissingRunbook as missing:
        problems.append(str(missing))
    else:
        problems += _compare(run.state, runbooks, top, expect)
    options = frozenset(
        (str(e["runbook"]), str(e["step"]), str(e["option"]))
        for e in run.events
        if e["type"] == "answered"
    )
    return CaseResult(
        str(case.get("name", "")), not problems, tuple(problems), run.state.visited, options
    )


def run_cases(
    runbooks: Mapping[str, Runbook], test: Mapping[str, Any], clock_start: datetime
) -> list[CaseResult]:
    """Every case of one test file (its data, already schema-valid)."""
    top = str(test["runbook"])
    if top not in runbooks:
        raise MissingRunbook(f"the test names runbook {top!r}, which was not loaded")
    return [run_case(runbooks, top, case, clock_start) for case in test["cases"]]


def _parse_name(
    runbooks: Mapping[str, Runbook], top: str, name: str, allow_item: bool = True
) -> tuple[str, str, str | None] | None:
    """A test file's name of a step or item -> (runbook, step, item), None if nothing has it."""
    parts = name.split("/")
    candidates: list[tuple[str, str, str | None]] = []
    if len(parts) == 1:
        candidates = [(top, parts[0], None)]
    elif len(parts) == 2:
        candidates = [(parts[0], parts[1], None)]
        if allow_item:
            candidates.insert(0, (top, parts[0], parts[1]))
    elif len(parts) == 3 and allow_item:
        candidates = [(parts[0], parts[1], parts[2])]
    for runbook_id, step_id, item in candidates:
        runbook = runbooks.get(runbook_id)
        step = runbook.steps.get(step_id) if runbook is not None else None
        if step is not None and (item is None or step.item(item) is not None):
            return runbook_id, step_id, item
    return None


def _compare(
    state: WalkState, runbooks: Mapping[str, Runbook], top: str, expect: Mapping[str, Any]
) -> list[str]:
    problems: list[str] = []
    last = state.entries[-1]
    reached = last.step if last.runbook == top else _name(top, last.runbook, last.step)
    if "end" in expect and expect["end"] != reached:
        problems.append(f"expected end {expect['end']!r}, reached {reached!r}")
    if "outcome" in expect and expect["outcome"] != state.outcome:
        problems.append(f"expected outcome {expect['outcome']!r}, got {state.outcome!r}")
    for name in expect.get("visited", []):
        key = _parse_name(runbooks, top, str(name), allow_item=False)
        if key is None or (key[0], key[1]) not in state.visited:
            problems.append(f"expected {name!r} to be visited, but it was not")
    for name in expect.get("not_visited", []):
        key = _parse_name(runbooks, top, str(name), allow_item=False)
        if key is not None and (key[0], key[1]) in state.visited:
            problems.append(f"expected {name!r} not to be visited, but it was")
    if "open" in expect:
        actual = {(i.runbook, i.step, i.item) for i in state.open_items}
        wanted: set[tuple[str, str, str | None]] = set()
        for name in expect["open"]:
            key = _parse_name(runbooks, top, str(name))
            if key is None:
                problems.append(f"expected open {name!r}: no such step or item")
            else:
                wanted.add(key)
        for key in sorted(wanted - actual, key=str):
            problems.append(f"expected {_name(top, *key)!r} to be open, but it is not")
        for key in sorted(actual - wanted, key=str):
            problems.append(f"{_name(top, *key)!r} is open, but not expected")
    return problems


def coverage(runbook: Runbook, results: Iterable[CaseResult]) -> Coverage:
    """How much of ONE runbook's own steps and decision options the cases walked."""
    visited: set[tuple[str, str]] = set()
    chosen: set[tuple[str, str, str]] = set()
    for result in results:
        visited |= result.visited
        chosen |= result.options
    steps = [step_id for step_id in runbook.steps]
    options = [
        (step.id, option.id)
        for step in runbook.steps.values()
        if step.type == "decision"
        for option in step.options
    ]
    missed_steps = tuple(f"{runbook.id}/{s}" for s in steps if (runbook.id, s) not in visited)
    missed_options = tuple(
        f"{runbook.id}/{s}:{o}" for s, o in options if (runbook.id, s, o) not in chosen
    )
    return Coverage(
        steps_total=len(steps),
        steps_hit=len(steps) - len(missed_steps),
        options_total=len(options),
        options_hit=len(options) - len(missed_options),
        missed_steps=missed_steps,
        missed_options=missed_options,
    )
