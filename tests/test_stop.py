"""`/stop <reason>`: ending an incident from any prompt (engine: decide.stop_drafts, parse).

Closed with outcome aborted and the reason; critical items open or not done must be confirmed
first; nothing is deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from clock_walk import OPENED, ClockWalk

from draaiboek.engine.decide import Prompt
from draaiboek.engine.fold import replay
from draaiboek.engine.inputs import Act, ItemAnswer, Rejected, Stop, Value
from draaiboek.engine.parse import ParseError, parse_typed

MIN = timedelta(minutes=1)


def test_stop_closes_as_aborted_with_the_reason() -> None:
    walk = ClockWalk()
    walk.answer(Value("17:52"), OPENED)
    before = [dict(event) for event in walk.events]
    (closed,) = walk.answer(Stop("vals alarm"), OPENED + MIN)
    assert closed["type"] == "closed" and closed["outcome"] == "aborted"
    assert closed["reason"] == "vals alarm" and closed["stopped"] is True
    assert (closed["runbook"], closed["step"]) == ("klok", "bericht")
    assert walk.state.closed and walk.state.outcome == "aborted"
    assert walk.events[: len(before)] == before  # nothing before it changed or went
    assert replay({walk.runbook.id: walk.runbook}, walk.events).closed


def test_stop_at_the_first_question() -> None:
    walk = ClockWalk()
    (closed,) = walk.answer(Stop("verkeerd draaiboek"), OPENED)
    assert closed["outcome"] == "aborted" and closed["step"] == "signaal"


def test_stop_needs_a_reason() -> None:
    walk = ClockWalk()
    with pytest.raises(Rejected) as refused:
        walk.answer(Stop("   "), OPENED)
    assert refused.value.code == "stop-reason-required"
    with pytest.raises(ParseError) as typed:
        parse_typed("/stop", Prompt("input", "klok", "signaal"), None)
    assert typed.value.code == "stop-reason-required"


def test_critical_items_open_or_not_done_are_confirmed_first() -> None:
    walk = ClockWalk()
    walk.answer(Value("17:52"), OPENED)
    walk.answer(Act("skipped", "geen verbinding"), OPENED + MIN)  # critical, not possible
    walk.answer(ItemAnswer("ncc", "done"), OPENED + 2 * MIN)  # `lms` (critical) still asked
    before = len(walk.events)
    with pytest.raises(Rejected) as asked:
        walk.answer(Stop("vals alarm"), OPENED + 3 * MIN)
    assert asked.value.code == "stop-confirm"
    assert asked.value.detail.split(", ") == ["klok/keten/lms", "klok/bericht"]
    assert len(walk.events) == before  # nothing logged until confirmed
    confirmed, closed = walk.answer(Stop("vals alarm", confirmed=True), OPENED + 3 * MIN)
    assert confirmed["type"] == "confirmed" and confirmed["yes"] is True
    assert confirmed["open"] == ["klok/keten/lms", "klok/bericht"]
    assert closed["open"] == ["klok/keten/lms"]  # the checklist item being asked is left open
    assert walk.state.closed


@pytest.mark.parametrize("typed", ["/stop vals alarm", "/STOP vals alarm", "/stoppen vals alarm"])
def test_the_stop_command(typed: str) -> None:
    assert parse_typed(typed, Prompt("decision", "klok", "uitwijk"), None) == Stop("vals alarm")


def test_a_closed_incident_cannot_be_stopped_again() -> None:
    walk = ClockWalk()
    walk.answer(Stop("vals alarm"), OPENED)
    with pytest.raises(Rejected) as refused:
        walk.answer(Stop("nog eens"), OPENED + MIN)
    assert refused.value.code == "closed"
