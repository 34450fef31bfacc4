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


def score(scenario: Scenario, events: Sequence[Event]) -> ScoreCard:
    """Judge every expectation against a journal's events (pure: same events, same score).

    Times are simulated times from the scenario start. The first matching event counts: a
    wrong answer corrected in time still meets `reached ... option`; a wrong branch entered
    stays visited even when corrected later (the journal keeps it).
    """
    timed = [(datetime.fromisoformat(str(e["at"])), e) for e in events]
    outcomes = []
    for x in scenario.expectations:
        match = _matcher(x)
        hit = next((at for at, e in timed if match(e)), None)
        offset = hit - scenario.start if hit is not None else None
        if x.kind == "not_visited":
            status = VISITED if hit is not None else MET
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
