"""Time zero (engine/timezero.py, decide, fold): what a typed first signal means, that it is
logged as its own event, that everything counts from it, and that a correction is logged too.

The measured fault: "T+, every `due` and the report's 'started' count from the moment the tool
was opened; entering 17:52 at 18:00 still put the first public message due at 18:15."
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from clock_walk import OPENED, ClockWalk

from draaiboek.engine.deadlines import deadlines
from draaiboek.engine.decide import Prompt
from draaiboek.engine.fold import replay
from draaiboek.engine.inputs import Act, Rejected, SetTimeZero, Value
from draaiboek.engine.parse import parse_typed
from draaiboek.engine.targets import target_statuses
from draaiboek.engine.timezero import Ambiguous, is_summer_time, read_time_zero

AMS = ZoneInfo("Europe/Amsterdam")


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


# --- what a typed time means ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "now", "meant"),
    [
        ("17:52", "2026-11-23T18:00", "2026-11-23T17:52"),  # earlier today
        ("7:05", "2026-11-23T18:00", "2026-11-23T07:05"),  # H:MM
        ("18:00", "2026-11-23T18:00", "2026-11-23T18:00"),  # now itself is not the future
        ("23:50", "2026-11-24T00:05", "2026-11-23T23:50"),  # later than now: yesterday's
        ("18:01", "2026-11-23T18:00", "2026-11-22T18:01"),
        (" 17:52 ", "2026-11-23T18:00", "2026-11-23T17:52"),
    ],
)
def test_a_clock_time_is_its_latest_past_occurrence(typed: str, now: str, meant: str) -> None:
    found = read_time_zero(typed, _local(now).astimezone(UTC), AMS)
    assert found.at == _local(meant).astimezone(UTC)
    assert found.at.tzinfo is UTC
    assert found.local == _local(meant)


def test_an_iso_date_time_is_taken_as_given() -> None:
    now = _local("2026-11-23T18:00").astimezone(UTC)
    found = read_time_zero("2026-11-23T17:52:30+01:00", now, AMS)
    assert found.at == datetime(2026, 11, 23, 16, 52, 30, tzinfo=UTC)
    local = read_time_zero("2026-11-22T09:00", now, AMS)  # no offset: the incident's zone
    assert local.at == datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2026-11-23T18:30", "time-zero-future"),  # an ISO time after now
        ("2026-11-24T08:00+01:00", "time-zero-future"),
        ("kwart voor zes", "time-zero-form"),
        ("24:00", "time-zero-form"),
        ("17.52", "time-zero-form"),
        ("2026-11-23", "time-zero-form"),  # a date alone is not a moment
        ("", "time-zero-form"),
    ],
)
def test_what_is_no_usable_moment_is_refused(typed: str, code: str) -> None:
    with pytest.raises(Rejected) as refused:
        read_time_zero(typed, _local("2026-11-23T18:00").astimezone(UTC), AMS)
    assert refused.value.code == code


def test_a_time_in_the_spring_gap_is_refused() -> None:
    # 29 March 2026: the clocks go from 02:00 to 03:00; 02:30 never happened that night.
    now = _local("2026-03-29T04:00").astimezone(UTC)
    with pytest.raises(Rejected) as refused:
        read_time_zero("02:30", now, AMS)
    assert refused.value.code == "time-zero-gap"
    with pytest.raises(Rejected) as refused_iso:
        read_time_zero("2026-03-29T02:30", now, AMS)
    assert refused_iso.value.code == "time-zero-gap"
    # At 01:00 that night, today's 02:30 is still to come (and will be skipped): yesterday's.
    early = read_time_zero("02:30", _local("2026-03-29T01:00").astimezone(UTC), AMS)
    assert early.local == _local("2026-03-28T02:30")


def test_a_time_in_the_repeated_autumn_hour_asks_which_one() -> None:
    # 25 October 2026: 03:00 summer time becomes 02:00 winter time; 02:30 happens twice.
    now = datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # 04:00 winter time: both are past
    with pytest.raises(Ambiguous) as asked:
        read_time_zero("02:30", now, AMS)
    first, second = asked.value.choices
    assert asked.value.code == "time-zero-ambiguous"
    assert (first.utcoffset(), second.utcoffset()) == (timedelta(hours=2), timedelta(hours=1))
    assert is_summer_time(first) and not is_summer_time(second)
    summer = read_time_zero("02:30", now, AMS, fold=0)
    winter = read_time_zero("02:30", now, AMS, fold=1)
    assert summer.at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert winter.at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert winter.local.isoformat().endswith("+01:00")


def test_in_the_repeated_hour_only_the_past_occurrence_counts() -> None:
    # 02:45 summer time (00:45 UTC): the winter 02:30 is still to come, so nothing to ask.
    now = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)
    assert read_time_zero("02:30", now, AMS).at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


# --- the walk logs it, and counts from it ---------------------------------------------------


def test_answering_the_time_zero_step_logs_a_time_zero_event_after_recorded() -> None:
    walk = ClockWalk()
    events = walk.answer(Value("17:52"), OPENED)  # 18:00 in Amsterdam
    assert [e["type"] for e in events] == ["recorded", "time-zero", "entered"]
    zero = events[1]
    assert zero["step"] == "signaal" and zero["value"] == "17:52"
    assert zero["time_zero"] == "2026-11-23T16:52:00.000000+00:00"  # UTC, microseconds
    assert zero["local"] == "2026-11-23T17:52:00.000000+01:00"
    assert "corrects" not in zero
    assert walk.state.time_zero == datetime(2026, 11, 23, 16, 52, tzinfo=UTC)
    assert walk.state.started_at == OPENED  # the opening itself is kept


def test_before_the_first_signal_the_opening_is_time_zero() -> None:
    walk = ClockWalk()
    assert walk.state.first_signal is None
    assert walk.state.time_zero == OPENED


def test_step_deadlines_and_targets_count_from_the_first_signal() -> None:
    walk = ClockWalk()
    walk.answer(Value("17:52"), OPENED)
    zero = datetime(2026, 11, 23, 16, 52, tzinfo=UTC)
    (deadline,) = deadlines(walk.state, OPENED)
    assert deadline.step == "bericht" and deadline.due_at == zero + timedelta(minutes=20)
    due = {s.id: s.due for s in target_statuses(walk.state, OPENED)}
    assert due["bericht"] == zero + timedelta(minutes=15)  # 18:07, not 18:15
    assert due["testronde"] == zero + timedelta(minutes=15)  # the next round


def test_a_refused_first_signal_logs_nothing_and_is_asked_again() -> None:
    walk = ClockWalk()
    before = len(walk.events)
    with pytest.raises(Rejected) as refused:
        walk.answer(Value("morgen"), OPENED)
    assert refused.value.code == "time-zero-form"
    assert len(walk.events) == before
    walk.answer(Value("17:52"), OPENED)  # the same question, answered
    assert walk.state.first_signal is not None


def test_a_correction_is_logged_and_the_walk_is_not_undone() -> None:
    walk = ClockWalk()
    walk.answer(Value("17:52"), OPENED)
    first = next(e for e in walk.events if e["type"] == "time-zero")
    walk.answer(Act("done"), OPENED + timedelta(minutes=1))
    where = walk.state.current
    (correction,) = walk.answer(SetTimeZero("17:40"), OPENED + timedelta(minutes=2))
    assert correction["type"] == "time-zero" and correction["corrects"] == first["seq"]
    assert correction["time_zero"] == "2026-11-23T16:40:00.000000+00:00"
    assert walk.state.current == where  # still at the same step
    assert [e["type"] for e in walk.events].count("recorded") == 1  # nothing undone
    assert walk.state.time_zero == datetime(2026, 11, 23, 16, 40, tzinfo=UTC)
    # A second correction names the first correction.
    (again,) = walk.answer(SetTimeZero("17:45"), OPENED + timedelta(minutes=3))
    assert again["corrects"] == correction["seq"]


def test_a_correction_before_any_first_signal_corrects_the_opening() -> None:
    walk = ClockWalk()
    (correction,) = walk.answer(SetTimeZero("17:30"), OPENED)
    assert correction["corrects"] == 0  # the `opened` event
    assert walk.state.current is not None and walk.state.current.step == "signaal"


def test_replay_takes_the_latest_time_zero_event() -> None:
    walk = ClockWalk()
    walk.answer(Value("17:52"), OPENED)
    walk.answer(SetTimeZero("17:40"), OPENED + timedelta(minutes=2))
    replayed = replay({walk.runbook.id: walk.runbook}, walk.events)
    assert replayed.time_zero == datetime(2026, 11, 23, 16, 40, tzinfo=UTC)
    assert replayed.first_signal_seq == walk.events[-1]["seq"]
    assert replayed == walk.state


def test_the_ambiguous_answer_is_asked_again_with_its_fold() -> None:
    opened = datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    walk = ClockWalk(opened=opened)
    with pytest.raises(Ambiguous):
        walk.answer(Value("02:30"), opened)
    events = walk.answer(Value("02:30", fold=1), opened)
    zero = next(e for e in events if e["type"] == "time-zero")
    assert zero["time_zero"] == "2026-10-25T01:30:00.000000+00:00" and zero["fold"] == 1


@pytest.mark.parametrize("typed", ["/nul 17:52", "/zero 17:52", "/NUL 17:52"])
def test_the_correction_command_in_both_languages(typed: str) -> None:
    parsed = parse_typed(typed, Prompt("action", "klok", "bericht"), None)
    assert parsed == SetTimeZero("17:52")


def test_the_correction_command_needs_a_time() -> None:
    from draaiboek.engine.parse import ParseError

    with pytest.raises(ParseError) as refused:
        parse_typed("/nul", Prompt("action", "klok", "bericht"), None)
    assert refused.value.code == "time-required"
