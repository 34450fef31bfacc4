"""Scoring an exercise: every expectation of a scenario judged against a journal's events.

`score` is a pure function of a scenario and the events, so the score can be recomputed from
the journal at any time (the report does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from draaiboek.load.scenario import DEFAULT_LANG, Expectation, Inject, Scenario
from draaiboek.model.durations import format_duration
from draaiboek.model.runbook import Runbook

MET, LATE, MISSED, VISITED = "met", "late", "missed", "visited"


@dataclass(frozen=True)
class Outcome:
    """One expectation judged: met (in time), late, missed, or visited (a wrong branch taken)."""

    expectation: Expectation
    status: str
    at: datetime | None  # when it was done, or when the wrong branch was entered
    offset: timedelta | None  # `at` as T+ from the scenario start
    points: int  # earned


@dataclass(frozen=True)
class InjectLog:
    inject: Inject
    delivered: timedelta | None  # T+
    answered: timedelta | None  # T+ of the answer it should provoke, on or after delivery


@dataclass(frozen=True)
class ScoreCard:
    scenario: str
    version: str
    start: datetime
    outcomes: tuple[Outcome, ...]
    injects: tuple[InjectLog, ...]

    @property
    def earned(self) -> int:
        return sum(o.points for o in self.outcomes)

    @property
    def possible(self) -> int:
        return sum(o.expectation.points for o in self.outcomes)

    @property
    def percent(self) -> float:
        return round(100 * self.earned / self.possible, 1) if self.possible else 0.0

    def as_dict(self, lang: str = DEFAULT_LANG) -> dict[str, Any]:
        def seconds(value: timedelta | None) -> int | None:
            return None if value is None else int(value.total_seconds())

        return {
            "scenario": self.scenario,
            "version": self.version,
            "start": self.start.isoformat(),
            "earned": self.earned,
            "possible": self.possible,
            "percent": self.percent,
            "expectations": [
                {
                    "id": o.expectation.id,
                    "title": o.expectation.title.get(lang),
                    "kind": o.expectation.kind,
                    "target": o.expectation.target,
                    "within": format_duration(o.expectation.within)
                    if o.expectation.within
                    else None,
                    "status": o.status,
                    "at": o.at.isoformat() if o.at else None,
                    "offset_seconds": seconds(o.offset),
                    "points": o.points,
                    "possible": o.expectation.points,
                }
                for o in self.outcomes
            ],
            "injects": [
                {
                    "id": i.inject.id,
                    "delivered_seconds": seconds(i.delivered),
                    "answered_seconds": seconds(i.answered),
                }
                for i in self.injects
            ],
        }


Event = Mapping[str, Any]


def score(
    scenario: Scenario,
    events: Sequence[Event],
    runbooks: Mapping[str, Runbook] | None = None,
) -> ScoreCard:
    """Judge every expectation against a journal's events (pure: same events, same score).

    Times are simulated times from the scenario start. The first matching event counts: a
    wrong answer corrected in time still meets `reached ... option`; a wrong branch entered
    stays visited even when corrected later (the journal keeps it).

    A `not_visited` expectation earns its points only once the trainee has passed the point
    where the wrong branch could have been taken (see `_passed`); before that it is missed, so
    that stopping after the first step earns nothing for branches never come near. `runbooks`
    (id -> Runbook, those the incident walked) tell which decisions lead to a step; without
    them a `not_visited` step without `option` is passed only when the incident is closed.
    """
    timed = [(datetime.fromisoformat(str(e["at"])), e) for e in events]
    outcomes = []
    for x in scenario.expectations:
        match = _matcher(x)
        hit = next((at for at, e in timed if match(e)), None)
        offset = hit - scenario.start if hit is not None else None
        if x.kind == "not_visited" and hit is None:
            passed = _passed(x, timed, runbooks or {})
            status = MET if passed is not None else MISSED
            offset = passed - scenario.start if passed is not None else None
            outcomes.append(Outcome(x, status, passed, offset, 0 if passed is None else x.points))
            continue
        if x.kind == "not_visited":
            status = VISITED
        elif offset is None:
            status = MISSED
        else:
            status = LATE if x.within is not None and offset > x.within else MET
        outcomes.append(Outcome(x, status, hit, offset, x.points if status == MET else 0))
    logs = []
    for inject in scenario.injects:
        sent = next(
            (at for at, e in timed if e.get("type") == "inject" and e.get("id") == inject.id), None
        )
        answered = None
        if sent is not None and inject.expect is not None:
            wanted = _answer_matcher(*inject.expect, inject.expect_option)
            answered = next((at for at, e in timed if at >= sent and wanted(e)), None)
        logs.append(
            InjectLog(
                inject,
                sent - scenario.start if sent else None,
                answered - scenario.start if answered else None,
            )
        )
    return ScoreCard(scenario.id, scenario.version, scenario.start, tuple(outcomes), tuple(logs))


def _answer_matcher(runbook: str, step: str, option: str | None) -> Callable[[Event], bool]:
    def matches(e: Event) -> bool:
        if e.get("runbook") != runbook or e.get("step") != step:
            return False
        if option is None:
            return e.get("type") == "entered"
        return e.get("type") == "answered" and e.get("option") == option

    return matches


def _matcher(x: Expectation) -> Callable[[Event], bool]:
    if x.kind == "note":
        return lambda e: e.get("type") == "note"
    if x.kind == "action_done":
        kind = "item" if x.item is not None else "action"
        return lambda e: (
            e.get("type") == kind
            and e.get("runbook") == x.runbook
            and e.get("step") == x.step
            and e.get("item") == x.item
            and e.get("result") == "done"
        )
    return _answer_matcher(x.runbook, x.step, x.option)


def _passed(
    x: Expectation, timed: Sequence[tuple[datetime, Event]], runbooks: Mapping[str, Runbook]
) -> datetime | None:
    """When the trainee passed the point where the branch of `not_visited` `x` could have
    been taken without taking it, or None while that can still happen.

    Passed are: the incident closed (nothing can be visited any more); with `option`, the
    decision `x.step` answered with another option; without it, a decision that leads to
    `x.step` (through steps that are not decisions) answered with an option that does not.
    """
    if x.option is not None:
        leads = {x.step: frozenset({x.option})}
    else:
        runbook = runbooks.get(x.runbook)
        leads = _gateways(runbook, x.step) if runbook is not None else {}
    for at, e in timed:
        if e.get("type") == "closed":
            return at
        if e.get("type") != "answered" or e.get("runbook") != x.runbook:
            continue
        wrong = leads.get(str(e.get("step")))
        if wrong is not None and e.get("option") not in wrong:
            return at
    return None


def _gateways(runbook: Runbook, target: str) -> dict[str, frozenset[str]]:
    """Decision id -> its options that lead to step `target`, directly or through steps that
    are not decisions (an action, checklist, input or sub-runbook leads on to its `next`)."""
    found: dict[str, frozenset[str]] = {}
    for step in runbook.steps.values():
        chosen = frozenset(o.id for o in step.options if _runs_into(runbook, o.next, target))
        if step.type == "decision" and chosen:
            found[step.id] = chosen
    return found


def _runs_into(runbook: Runbook, first: str, target: str) -> bool:
    seen: set[str] = set()
    current: str | None = first
    while current is not None and current not in seen:
        if current == target:
            return True
        seen.add(current)
        step = runbook.steps.get(current)
        if step is None or step.type in ("decision", "end"):
            return False
        current = step.next
    return False
