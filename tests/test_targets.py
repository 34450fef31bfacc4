"""Incident targets (engine/targets.py), their reminders (services/reminders.py), and critical
work marked not possible (engine/criticals.py).

The measured faults: "a deadline on a step not yet reached is invisible"; "sitting at a prompt,
nothing appears when a critical deadline passes or the 15-minute test round is due"; "a
critical item marked 'not possible' vanishes from 'open'".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clock_walk import OPENED, ClockWalk

from draaiboek.engine.criticals import critical_not_done, critical_unfinished
from draaiboek.engine.fold import replay
from draaiboek.engine.inputs import Act, Choose, ItemAnswer, Value
from draaiboek.engine.targets import STATES, next_target, target_reminders, target_statuses
from draaiboek.model.catalogue import LANGUAGES, Messages
from draaiboek.services.reminders import due_reminders, reminder_draft

ZERO = datetime(2026, 11, 23, 16, 52, tzinfo=UTC)  # 17:52 in Amsterdam: 8 minutes before opening
MIN = timedelta(minutes=1)
TICK = timedelta(microseconds=1)


def _walk() -> ClockWalk:
    walk = ClockWalk()
    walk.answer(Value("17:52"), OPENED)
    return walk


def _status(walk: ClockWalk, target: str, now: datetime) -> tuple[str, datetime | None]:
    found = {s.id: s for s in target_statuses(walk.state, now)}[target]
    return found.state, found.due


def test_every_target_is_visible_from_the_start() -> None:
    walk = ClockWalk()  # nothing answered yet: time zero is the opening
    statuses = target_statuses(walk.state, OPENED)
    assert [s.id for s in statuses] == ["bericht", "besluit", "lms", "testronde"]
    assert all(s.state == "open" for s in statuses)
    assert {s.id: s.due for s in statuses}["bericht"] == OPENED + 15 * MIN


@pytest.mark.parametrize(
    ("done_after", "state"),
    [(15 * MIN - TICK, "met"), (15 * MIN, "met"), (15 * MIN + TICK, "late")],
    ids=["before", "exactly-at-the-deadline", "one-microsecond-after"],
)
def test_a_step_target_is_met_or_late(done_after: timedelta, state: str) -> None:
    walk = _walk()
    walk.answer(Act("done"), ZERO + done_after)
    found = {s.id: s for s in target_statuses(walk.state, ZERO + timedelta(hours=1))}["bericht"]
    assert (found.state, found.met_at, found.due) == (state, ZERO + done_after, ZERO + 15 * MIN)


def test_an_unmet_target_is_open_until_its_due_then_missed() -> None:
    walk = _walk()
    assert _status(walk, "bericht", ZERO + 15 * MIN) == ("open", ZERO + 15 * MIN)
    assert _status(walk, "bericht", ZERO + 15 * MIN + TICK)[0] == "missed"


def test_reaching_a_step_is_not_meeting_it_deferred_or_not_possible_neither() -> None:
    walk = _walk()
    walk.answer(Act("deferred"), ZERO + MIN)
    assert _status(walk, "bericht", ZERO + 2 * MIN)[0] == "open"
    walk = _walk()
    walk.answer(Act("skipped", "geen verbinding"), ZERO + MIN)
    assert _status(walk, "bericht", ZERO + 16 * MIN)[0] == "missed"


def test_an_item_target_and_an_option_target() -> None:
    walk = _walk()
    walk.answer(Act("done"), ZERO + MIN)
    walk.answer(ItemAnswer("lms", "done"), ZERO + 12 * MIN)  # due at 10 minutes: late
    walk.answer(ItemAnswer("ncc", "done"), ZERO + 13 * MIN)
    assert _status(walk, "lms", ZERO + 13 * MIN)[0] == "late"
    assert _status(walk, "besluit", ZERO + 13 * MIN)[0] == "open"
    walk.answer(Choose("nee"), ZERO + 20 * MIN)
    found = {s.id: s for s in target_statuses(walk.state, ZERO + 21 * MIN)}["besluit"]
    assert (found.state, found.met_at) == ("met", ZERO + 20 * MIN)


def test_a_step_gone_back_over_no_longer_meets_its_target() -> None:
    from draaiboek.engine.inputs import Back

    walk = _walk()
    walk.answer(Act("done"), ZERO + MIN)
    assert _status(walk, "bericht", ZERO + 2 * MIN)[0] == "met"
    walk.answer(Back(), ZERO + 2 * MIN)
    assert _status(walk, "bericht", ZERO + 3 * MIN)[0] == "open"


def test_a_round_runs_from_time_zero_until_its_step_is_reached() -> None:
    walk = _walk()
    now = ZERO + 31 * MIN
    found = {s.id: s for s in target_statuses(walk.state, now)}["testronde"]
    assert (found.state, found.rounds_done, found.last_round) == ("open", 2, ZERO + 30 * MIN)
    assert found.due == ZERO + 45 * MIN  # the next round
    walk.answer(Act("done"), ZERO + 32 * MIN)
    walk.answer(ItemAnswer("lms", "done"), ZERO + 33 * MIN)
    walk.answer(ItemAnswer("ncc", "done"), ZERO + 33 * MIN)
    walk.answer(Choose("ja"), ZERO + 50 * MIN)  # enters `herstel`: the rounds end
    ended = {s.id: s for s in target_statuses(walk.state, ZERO + 2 * timedelta(hours=1))}
    assert ended["testronde"].state == "met" and ended["testronde"].due is None
    assert ended["testronde"].rounds_done == 3 and ended["testronde"].met_at == ZERO + 50 * MIN


def test_the_header_names_the_soonest_target_still_to_come() -> None:
    walk = _walk()
    statuses = target_statuses(walk.state, OPENED)
    coming = next_target(statuses, OPENED)
    assert coming is not None and coming.id == "lms" and coming.due == ZERO + 10 * MIN
    later = ZERO + 16 * MIN  # lms and bericht missed: the next round (T+30) comes next
    coming = next_target(target_statuses(walk.state, later), later)
    assert coming is not None and coming.id == "besluit" and coming.due == ZERO + 30 * MIN


def test_a_closed_incident_is_seen_as_it_stood_when_it_closed() -> None:
    from draaiboek.engine.inputs import Stop

    walk = _walk()
    walk.answer(Stop("vals alarm", confirmed=True), ZERO + 9 * MIN)
    statuses = {s.id: s for s in target_statuses(walk.state, ZERO + timedelta(days=1))}
    assert statuses["bericht"].state == "open"  # it closed before the due: never missed
    assert statuses["testronde"].due is None and statuses["testronde"].rounds_done == 0
    assert target_reminders(walk.state, ZERO + timedelta(days=1)) == []


# --- reminders ------------------------------------------------------------------------------


def _remind(walk: ClockWalk, now: datetime) -> list[dict[str, object]]:
    return walk.log([reminder_draft(r) for r in due_reminders(walk.state, now)], now)


def test_a_missed_target_and_a_round_are_reminded_once() -> None:
    walk = _walk()
    assert _remind(walk, ZERO + 9 * MIN) == []
    logged = _remind(walk, ZERO + 10 * MIN + TICK)
    assert [(e["target"], e["kind"], e["due"]) for e in logged] == [
        ("lms", "overdue", "2026-11-23T17:02:00.000000+00:00")
    ]
    assert _remind(walk, ZERO + 11 * MIN) == []  # logged: not due again
    logged = _remind(walk, ZERO + 15 * MIN + TICK)
    assert {(e["target"], e["kind"]) for e in logged} == {
        ("bericht", "overdue"),
        ("testronde", "round"),
    }
    (step,) = _remind(walk, ZERO + 29 * MIN)  # the step's own deadline (T+20), not a target's
    assert (step["step"], step["kind"], "target" in step) == ("bericht", "overdue", False)
    (second_round,) = _remind(walk, ZERO + 30 * MIN)  # the next round, at its very moment
    assert second_round["kind"] == "round"
    assert second_round["due"] == "2026-11-23T17:22:00.000000+00:00"


def test_reminders_already_logged_stay_logged_after_a_replay() -> None:
    walk = _walk()
    _remind(walk, ZERO + 20 * MIN)
    replayed = replay({walk.runbook.id: walk.runbook}, walk.events)
    assert due_reminders(replayed, ZERO + 21 * MIN) == []
    assert replayed.target_reminded == walk.state.target_reminded


def test_a_round_come_due_long_ago_is_reminded_once_for_the_latest_round() -> None:
    walk = ClockWalk()
    walk.answer(Value("16:00"), OPENED)  # two hours ago: eight rounds came due
    rounds = [r for r in target_reminders(walk.state, OPENED) if r.kind == "round"]
    assert [r.due for r in rounds] == [datetime(2026, 11, 23, 17, 0, tzinfo=UTC)]


def test_target_and_step_reminders_together() -> None:
    walk = _walk()
    due = due_reminders(walk.state, ZERO + 21 * MIN)  # `bericht` is also due at T+20 itself
    kinds = sorted(reminder_draft(r).fields["kind"] for r in due)
    assert kinds == ["overdue", "overdue", "overdue", "round"]


# --- critical work not done --------------------------------------------------------------------


def test_a_critical_action_marked_not_possible_stays_listed_as_not_done() -> None:
    walk = _walk()
    walk.answer(Act("skipped", "geen verbinding"), ZERO + MIN)
    assert walk.state.open_items == ()  # settled, so not open...
    (not_done,) = critical_not_done(walk.state)  # ...but not done either
    assert (not_done.key, not_done.reason) == ("klok/bericht", "geen verbinding")
    walk.answer(ItemAnswer("lms", "skipped", "lijn dood"), ZERO + 2 * MIN)
    walk.answer(ItemAnswer("ncc", "skipped", "lijn dood"), ZERO + 2 * MIN)  # not critical
    keys = [d.key for d in critical_not_done(walk.state)]
    assert keys == ["klok/bericht", "klok/keten/lms"]
    assert critical_unfinished(walk.state) == ("klok/bericht", "klok/keten/lms")


def test_done_on_a_later_visit_is_no_longer_not_done() -> None:
    from draaiboek.engine.inputs import Back

    walk = _walk()
    walk.answer(Act("skipped", "geen verbinding"), ZERO + MIN)
    walk.answer(Back(), ZERO + 2 * MIN)
    walk.answer(Act("done"), ZERO + 3 * MIN)
    assert critical_not_done(walk.state) == ()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_target_state_has_words(lang: str) -> None:
    t = Messages(lang)
    for state in STATES:
        assert t(f"target.state.{state}") != f"target.state.{state}"
