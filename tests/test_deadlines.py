"""Deadline boundaries (draaiboek.engine.deadlines): a deadline met exactly at its moment counts
as met; one microsecond later it is missed, late by that microsecond."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from runbook_corpus import SUB, T0, TOP, load

from draaiboek.engine.deadlines import Deadline, deadlines
from draaiboek.engine.decide import Draft, open_events, respond
from draaiboek.engine.fold import apply, initial_state
from draaiboek.engine.inputs import Act, Answer, Choose, ItemAnswer
from draaiboek.engine.state import WalkState

RUNBOOKS = load(TOP, SUB)
# In every-step-type: `testbellen` is due 15 minutes after the start, its checklist item `lms`
# (on the step after it) 10 minutes after the start.
TESTBELLEN_DUE = T0 + timedelta(minutes=15)
LMS_DUE = T0 + timedelta(minutes=10)
TICK = timedelta(microseconds=1)


class Walk:
    """The engine driven with a clock the test sets for every answer (the start is T0)."""

    def __init__(self) -> None:
        self.state = initial_state(RUNBOOKS)
        self._log(
            open_events(
                RUNBOOKS[TOP], incident="x", mode="exercise", operator="Jan",
                tool_version="t", timezone="UTC", lang="nl", allow_draft=False, runbooks=RUNBOOKS,
            ),
            T0,
        )  # fmt: skip

    def _log(self, drafts: list[Draft], at: datetime) -> None:
        for draft in drafts:
            event = {"type": draft.type, "at": at.isoformat(), "by": "Jan", **draft.fields}
            self.state = apply(self.state, event)

    def answer(self, answer: Answer, at: datetime) -> WalkState:
        self._log(respond(self.state, answer, at), at)
        return self.state


def _deadline(state: WalkState, step: str, item: str | None, now: datetime) -> Deadline:
    found = [d for d in deadlines(state, now) if (d.step, d.item) == (step, item)]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize(
    ("late", "status", "late_by"),
    [(timedelta(0), "met", None), (TICK, "missed", TICK)],
    ids=["exactly-at-the-deadline", "one-microsecond-after"],
)
def test_an_action_met_at_its_deadline(late: timedelta, status: str, late_by: object) -> None:
    walk = Walk()
    walk.answer(Choose("nergens"), T0 + timedelta(minutes=1))
    state = walk.answer(Act("done"), TESTBELLEN_DUE + late)
    for now in (TESTBELLEN_DUE + late, TESTBELLEN_DUE + timedelta(hours=1)):
        deadline = _deadline(state, "testbellen", None, now)
        assert deadline.due_at == TESTBELLEN_DUE
        assert deadline.met_at == TESTBELLEN_DUE + late
        assert (deadline.status, deadline.late_by) == (status, late_by)


@pytest.mark.parametrize(
    ("late", "status", "late_by"),
    [(timedelta(0), "met", None), (TICK, "missed", TICK)],
    ids=["exactly-at-the-deadline", "one-microsecond-after"],
)
def test_a_checklist_item_met_at_its_deadline(
    late: timedelta, status: str, late_by: object
) -> None:
    walk = Walk()
    walk.answer(Choose("nergens"), T0 + timedelta(minutes=1))
    walk.answer(Act("done"), T0 + timedelta(minutes=2))
    state = walk.answer(ItemAnswer("lms", "done"), LMS_DUE + late)
    deadline = _deadline(state, "lijst", "lms", LMS_DUE + late)
    assert deadline.due_at == LMS_DUE and deadline.met_at == LMS_DUE + late
    assert (deadline.status, deadline.late_by) == (status, late_by)
