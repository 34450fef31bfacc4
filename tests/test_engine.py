"""Tests for the engine (draaiboek.engine.fold, decide, state, values): the walk as a fold over
journal events."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runbook_corpus import SUB, T0, TOP, load

from draaiboek.engine import deadlines as D
from draaiboek.engine.decide import Draft, follow_ups, open_events, prompt, respond
from draaiboek.engine.fold import _entry, _record, apply, initial_state, replay
from draaiboek.engine.inputs import (
    Act,
    Answer,
    Back,
    Choose,
    Complete,
    Confirm,
    ItemAnswer,
    Note,
    Pause,
    Rejected,
    Value,
)
from draaiboek.engine.state import (
    Frame,
    MissingRunbook,
    OpenItem,
    PathEntry,
    Record,
    WalkState,
    _open,
)
from draaiboek.engine.values import coerce_value
from draaiboek.model.runbook import ChecklistItem, Option, Runbook, Step, Text, frozen_map

RUNBOOKS = load(TOP, SUB)


class Walk:
    """Drives the engine like the walk service does, with a fake clock (+1 minute per answer)."""

    def __init__(
        self, runbooks: Mapping[str, Runbook] = RUNBOOKS, top: str = TOP, start: datetime = T0
    ) -> None:
        self.runbooks = runbooks
        self.now = start
        self.events: list[dict[str, Any]] = []
        self.state = initial_state(runbooks)
        self.log(
            open_events(
                runbooks[top],
                incident="2026-0001",
                mode="exercise",
                operator="Jan",
                tool_version="0.0.0",
                timezone="Europe/Amsterdam",
                lang="nl",
                allow_draft=False,
                runbooks=runbooks,
            )
        )

    def log(self, drafts: Sequence[Draft], by: str = "Jan") -> None:
        for draft in drafts:
            event = {
                "seq": len(self.events),
                "at": self.now.isoformat(),
                "type": draft.type,
                "by": by,
                **draft.fields,
                "prev": "x",
                "hash": "y",
            }
            self.events.append(event)
            self.state = apply(self.state, event)

    def answer(self, *answers: Answer) -> WalkState:
        for answer in answers:
            self.now += timedelta(minutes=1)
            self.log(respond(self.state, answer, self.now))
        return self.state

    def frames(self) -> list[tuple[str, str]]:
        return [(f.runbook, f.step) for f in self.state.stack]

    def types(self) -> list[str]:
        return [event["type"] for event in self.events]

    def where(self) -> tuple[str, str, str | None]:
        p = prompt(self.state)
        return p.kind, f"{p.runbook_id}/{p.step_id}", p.item_id


def effective(state: WalkState) -> tuple[Any, ...]:
    """Everything a walk means, without the times and the journal's own bookkeeping."""
    return (
        state.stack,
        state.closed,
        state.outcome,
        state.visited,
        dict(state.answers),
        tuple((r, s) for r, s, _ in state.path),
        tuple((i.runbook, i.step, i.item, i.critical) for i in state.open_items),
        prompt(state),
    )


HAPPY: tuple[Answer, ...] = (
    Choose("nergens"),
    Act("done"),
    ItemAnswer("lms", "done"),
    ItemAnswer("ncc", "done"),
    Value("14:03"),
    Act("done"),
)


def test_every_step_type_and_a_sub_runbook() -> None:
    walk = Walk()
    assert walk.types() == ["opened", "entered"]
    opened = walk.events[0]
    assert (opened["runbook"], opened["version"], opened["status"]) == (TOP, "1.2.0", "approved")
    assert walk.where() == ("decision", f"{TOP}/vaststellen", None)
    walk.answer(Choose("nergens"))
    assert walk.where() == ("action", f"{TOP}/testbellen", None)
    walk.answer(Act("done"))
    assert walk.where() == ("checklist-item", f"{TOP}/lijst", "lms")
    walk.answer(ItemAnswer("ncc", "done"))  # any order
    assert walk.where() == ("checklist-item", f"{TOP}/lijst", "lms")
    assert set(walk.state.checklist) == {"ncc"}
    walk.answer(ItemAnswer("lms", "done"))
    assert walk.where() == ("input", f"{TOP}/starttijd", None)
    walk.answer(Value("14:03"))
    # Entering the runbook step calls the sub-runbook at once.
    assert walk.types()[-3:] == ["entered", "called", "entered"]
    assert walk.events[-2]["runbook"] == SUB and walk.events[-2]["version"] == "0.1.0"
    assert walk.where() == ("action", f"{SUB}/melden", None)
    assert walk.frames() == [(TOP, "nlalert"), (SUB, "melden")]
    state = walk.answer(Act("done"))
    assert walk.types()[-5:] == ["action", "entered", "returned", "entered", "closed"]
    assert walk.events[-3]["outcome"] == "resolved" and walk.events[-3]["to_step"] == "nlalert"
    assert walk.events[-1]["outcome"] == "resolved" and walk.events[-1]["open"] == []
    assert state.closed and state.outcome == "resolved" and state.current is None
    assert prompt(state).kind == "closed"
    assert state.answers[(TOP, "vaststellen")] == "nergens"
    assert state.answers[(TOP, "starttijd")] == "14:03"
    assert state.answers[(TOP, "lijst")] == {"ncc": "done", "lms": "done"}
    assert (SUB, "einde") in state.visited and state.open_items == ()
    assert state.incident == "2026-0001" and state.mode == "exercise" and state.runbook == TOP
    assert state.started_at == T0 and state.event_count == len(walk.events)
    assert replay(RUNBOOKS, walk.events) == state


def test_after_close_everything_is_rejected() -> None:
    walk = Walk()
    walk.answer(Choose("overal"))
    assert walk.state.closed
    for answer in (Note("x"), Back(), Choose("nergens"), Pause("user")):
        with pytest.raises(Rejected) as caught:
            respond(walk.state, answer, T0)
        assert caught.value.code == "closed"


@pytest.mark.parametrize(
    ("before", "answer", "code"),
    [
        ((), Choose("ergens"), "unknown-option"),
        ((), Act("done"), "not-expected"),
        ((), Back(), "nothing-to-go-back-to"),
        ((Choose("nergens"),), Act("skipped"), "reason-required"),
        ((Choose("nergens"),), Act("skipped", "  "), "reason-required"),
        ((Choose("nergens"),), Act("maybe"), "invalid-value"),
        ((Choose("nergens"), Act("done")), ItemAnswer("nope", "done"), "unknown-item"),
        (HAPPY[:4], Value("25:99"), "invalid-value"),
        ((), Complete(TOP, "testbellen"), "not-open"),
        ((), Complete(TOP, "nergens"), "unknown-item"),
        ((), Complete(TOP, "lijst", "xyz"), "unknown-item"),
        ((), Note("  "), "empty-note"),
        ((), Pause("coffee"), "invalid-value"),
        ((), Confirm(True), "not-expected"),
    ],
)
def test_rejections(before: tuple[Answer, ...], answer: Answer, code: str) -> None:
    walk = Walk()
    walk.answer(*before)
    count = len(walk.events)
    with pytest.raises(Rejected) as caught:
        respond(walk.state, answer, walk.now)
    assert caught.value.code == code
    assert len(walk.events) == count


def test_invalid_value_carries_the_validator_message() -> None:
    walk = Walk()
    walk.answer(*HAPPY[:4])
    with pytest.raises(Rejected) as caught:
        respond(walk.state, Value("kwart over twee"), walk.now)
    assert "does not match" in caught.value.detail


def test_a_checklist_item_cannot_be_answered_twice_but_a_deferred_one_can() -> None:
    walk = Walk()
    walk.answer(Choose("nergens"), Act("done"), ItemAnswer("lms", "done"))
    with pytest.raises(Rejected) as caught:
        respond(walk.state, ItemAnswer("lms", "deferred"), walk.now)
    assert caught.value.code == "already-answered"
    walk = Walk()
    walk.answer(Choose("nergens"), Act("done"), ItemAnswer("lms", "deferred"))
    assert [i.key for i in walk.state.open_items] == [f"{TOP}/lijst/lms"]
    walk.answer(ItemAnswer("lms", "done"))
    assert walk.state.open_items == ()


def test_deferred_items_stay_open_and_are_completed_later() -> None:
    walk = Walk()
    walk.answer(
        Choose("nergens"),
        Act("deferred"),
        ItemAnswer("lms", "deferred"),
        ItemAnswer("ncc", "skipped", "geen verbinding"),
    )
    state = walk.state
    assert [i.key for i in state.open_items] == [f"{TOP}/testbellen", f"{TOP}/lijst/lms"]
    assert all(i.critical for i in state.open_items)
    assert state.open_items[0].deferred_at == T0 + timedelta(minutes=2)
    assert walk.where() == ("input", f"{TOP}/starttijd", None)
    walk.answer(Complete(TOP, "lijst", "lms"))
    assert walk.events[-1]["type"] == "item" and walk.events[-1]["result"] == "done"
    assert walk.where() == ("input", f"{TOP}/starttijd", None)  # the position does not change
    assert [i.key for i in walk.state.open_items] == [f"{TOP}/testbellen"]
    walk.answer(Value("14:03"), Complete(TOP, "testbellen"))
    assert walk.state.open_items == ()
    state = walk.answer(Act("done"))
    assert state.closed and walk.events[-1]["open"] == []
    assert replay(RUNBOOKS, walk.events) == state


def test_end_with_open_critical_asks_for_confirmation() -> None:
    walk = Walk()
    walk.answer(Choose("nergens"), Act("deferred"), *HAPPY[2:])
    p = prompt(walk.state)
    assert p.kind == "confirm-end" and p.step_id == "klaar"
    assert [i.key for i in p.open_critical] == [f"{TOP}/testbellen"]
    walk.answer(Confirm(False))
    assert walk.events[-1] == {
        **walk.events[-1],
        "type": "confirmed",
        "yes": False,
        "open": [f"{TOP}/testbellen"],
    }
    assert not walk.state.closed and prompt(walk.state).kind == "confirm-end"
    walk.answer(Confirm(True))
    assert walk.types()[-2:] == ["confirmed", "closed"]
    assert walk.events[-1]["open"] == [f"{TOP}/testbellen"]
    assert walk.state.closed and walk.state.outcome == "resolved"


def test_completing_the_last_critical_item_at_the_end_closes() -> None:
    walk = Walk()
    walk.answer(Choose("nergens"), Act("deferred"), *HAPPY[2:], Confirm(False))
    walk.answer(Complete(TOP, "testbellen"))
    assert walk.types()[-2:] == ["action", "closed"]
    assert walk.state.closed


def test_non_critical_open_items_do_not_stop_the_end() -> None:
    walk = Walk()
    walk.answer(
        Choose("nergens"),
        Act("done"),
        ItemAnswer("lms", "done"),
        ItemAnswer("ncc", "deferred"),
        Value("14:03"),
        Act("done"),
    )
    assert walk.state.closed
    assert walk.events[-1]["open"] == [f"{TOP}/lijst/ncc"]


def test_back_across_the_sub_runbook_boundary() -> None:
    walk = Walk()
    walk.answer(Choose("nergens"), Act("deferred"), *HAPPY[2:])
    assert prompt(walk.state).kind == "confirm-end"
    walk.answer(Back())
    assert walk.events[-1] == {
        **walk.events[-1],
        "type": "corrected",
        "runbook": SUB,
        "step": "melden",
        "from_runbook": TOP,
        "from_step": "klaar",
    }
    assert walk.where() == ("action", f"{SUB}/melden", None)
    assert walk.frames() == [(TOP, "nlalert"), (SUB, "melden")]
    assert (TOP, "klaar") not in walk.state.visited
    walk.answer(Back())  # the runbook step passes by itself: back to the input
    assert walk.where() == ("input", f"{TOP}/starttijd", None)
    assert walk.frames() == [(TOP, "starttijd")]
    assert (SUB, "melden") not in walk.state.visited
    assert (TOP, "starttijd") not in walk.state.answers
    walk.answer(Value("15:00"), Act("done"))
    assert walk.state.answers[(TOP, "starttijd")] == "15:00"
    assert prompt(walk.state).kind == "confirm-end"
    assert replay(RUNBOOKS, walk.events) == walk.state


def test_corrected_state_equals_answering_that_way_directly() -> None:
    corrected = Walk()
    corrected.answer(Choose("nergens"), Act("deferred"), ItemAnswer("lms", "deferred"))
    corrected.answer(Back(), Back())
    assert corrected.where() == ("decision", f"{TOP}/vaststellen", None)
    assert corrected.state.open_items == ()
    direct = Walk()
    assert effective(corrected.state) == effective(direct.state)
    corrected.answer(Choose("overal"))
    direct.answer(Choose("overal"))
    assert effective(corrected.state) == effective(direct.state)
    assert corrected.state.closed
    assert len(corrected.events) > len(direct.events)  # the journal keeps the superseded


def test_corrected_checklist_and_sub_runbook_equal_direct() -> None:
    corrected = Walk()
    corrected.answer(
        Choose("nergens"),
        Act("done"),
        ItemAnswer("lms", "deferred"),
        ItemAnswer("ncc", "done"),
        Value("14:03"),
    )
    corrected.answer(Back(), Back())  # from the sub-runbook, via the input, to the list
    assert corrected.where() == ("checklist-item", f"{TOP}/lijst", "lms")
    corrected.answer(ItemAnswer("lms", "done"), ItemAnswer("ncc", "done"), Value("14:04"))
    direct = Walk()
    direct.answer(
        Choose("nergens"),
        Act("done"),
        ItemAnswer("lms", "done"),
        ItemAnswer("ncc", "done"),
        Value("14:04"),
    )
    assert effective(corrected.state) == effective(direct.state)


def test_notes_pause_resume_handover_and_unknown_events() -> None:
    walk = Walk()
    walk.answer(Note("KPN gebeld"))
    note = walk.state.notes[-1]
    assert (note.runbook, note.step, note.text) == (TOP, "vaststellen", "KPN gebeld")
    assert note.by == "Jan"
    walk.answer(Pause("interrupted"))
    assert walk.state.paused and walk.events[-1]["reason"] == "interrupted"
    walk.log([Draft("resumed", {})], by="Piet")
    assert not walk.state.paused and walk.state.operator == "Piet"
    walk.log([Draft("handover", {"from": "Piet", "to": "Kees"})], by="Piet")
    assert walk.state.operator == "Kees"
    before = walk.state
    walk.log([Draft("from-the-future", {"x": 1})])
    assert walk.state == before
    walk.log([Draft("inject", {"message": "NL-Alert ook gestoord"})])
    assert walk.state.event_count == before.event_count + 1
    assert effective(walk.state) == effective(before)


def _step(step_id: str, kind: str, **fields: Any) -> Step:
    return Step(id=step_id, type=kind, title=Text.of(step_id, "nl"), **fields)


def _runbook(runbook_id: str, *steps: Step) -> Runbook:
    return Runbook(
        id=runbook_id,
        version="1.0.0",
        status="approved",
        title=Text.of(runbook_id, "nl"),
        languages=("nl",),
        start=steps[0].id,
        steps=frozen_map({s.id: s for s in steps}),
        sha256=runbook_id * 2,
    )


NESTED = {
    "top": _runbook(
        "top",
        _step("a", "runbook", runbook="mid", next="z"),
        _step("z", "end", outcome="escalated"),
    ),
    "mid": _runbook(
        "mid",
        _step("m", "action", next="call"),
        _step("call", "runbook", runbook="leaf", next="e"),
        _step("e", "end", outcome="resolved"),
    ),
    "leaf": _runbook(
        "leaf",
        _step(
            "q",
            "decision",
            options=(
                Option("ja", Text.of("ja", "nl"), "e"),
                Option("nee", Text.of("nee", "nl"), "q"),
            ),
        ),
        _step("e", "end", outcome="aborted"),
    ),
}


def test_nested_sub_runbooks() -> None:
    walk = Walk(NESTED, "top")
    # The start step itself is a runbook step: open_events already calls into it.
    assert walk.types() == ["opened", "entered", "called", "entered"]
    assert walk.where() == ("action", "mid/m", None)
    walk.answer(Act("done"))
    assert walk.frames() == [("top", "a"), ("mid", "call"), ("leaf", "q")]
    walk.answer(Choose("nee"))  # a loop in the leaf
    assert walk.where() == ("decision", "leaf/q", None)
    walk.answer(Back())
    assert walk.where() == ("decision", "leaf/q", None)
    assert [s for _, s, _ in walk.state.path] == ["a", "m", "call", "q"]
    walk.answer(Back())
    assert walk.where() == ("action", "mid/m", None)
    assert walk.frames() == [("top", "a"), ("mid", "m")]
    walk.answer(Act("done"), Choose("ja"))
    assert walk.types()[-7:] == [
        "answered",
        "entered",
        "returned",
        "entered",
        "returned",
        "entered",
        "closed",
    ]
    returned = [e for e in walk.events if e["type"] == "returned"]
    assert [(e["runbook"], e["outcome"], e["to_step"]) for e in returned] == [
        ("leaf", "aborted", "call"),
        ("mid", "resolved", "a"),
    ]
    assert walk.state.closed and walk.state.outcome == "escalated"
    assert replay(NESTED, walk.events) == walk.state


def test_a_missing_sub_runbook_is_named() -> None:
    with pytest.raises(MissingRunbook, match="'leaf'"):
        Walk({k: v for k, v in NESTED.items() if k != "leaf"}, "top").answer(Act("done"))


def test_input_values_are_coerced_by_their_schema_type() -> None:
    assert coerce_value("42", {"type": "integer", "minimum": 1}) == 42
    assert coerce_value("2,5", {"type": "number"}) == 2.5
    assert coerce_value("ja", {"type": "boolean"}) is True
    assert coerce_value("nee", {"type": "boolean"}) is False
    assert coerce_value(" tekst ", {"type": "string"}) == " tekst "
    for text, schema in (
        ("x", {"type": "integer"}),
        ("0", {"type": "integer", "minimum": 1}),
        ("nan", {"type": "number"}),
        ("misschien", {"type": "boolean"}),
    ):
        with pytest.raises(Rejected) as caught:
            coerce_value(text, schema)
        assert caught.value.code == "invalid-value" and caught.value.detail


def test_deadlines_met_open_overdue_missed() -> None:
    walk = Walk()
    assert D.deadlines(walk.state, T0) == []
    walk.answer(Choose("nergens"))  # testbellen entered at 14:01, due 14:15
    walk.now = T0 + timedelta(minutes=12)
    walk.answer(Act("done"))  # 14:13: met; lijst entered, lms due 14:10
    by_key = {(d.step, d.item): d for d in D.deadlines(walk.state, walk.now)}
    assert by_key[("testbellen", None)].status == "met"
    assert by_key[("testbellen", None)].met_at == T0 + timedelta(minutes=13)
    lms = by_key[("lijst", "lms")]
    assert lms.status == "overdue" and lms.late_by == timedelta(minutes=3)
    assert lms.due_at == T0 + timedelta(minutes=10)
    walk.answer(ItemAnswer("lms", "done"))
    lms = next(d for d in D.deadlines(walk.state, walk.now) if d.item == "lms")
    assert lms.status == "missed" and lms.late_by == timedelta(minutes=4)
    early = Walk()
    early.answer(Choose("nergens"), Act("done"))
    assert {d.status for d in D.deadlines(early.state, early.now)} == {"met", "open"}


def test_deferred_then_completed_deadline_is_met_at_completion() -> None:
    walk = Walk()
    walk.answer(Choose("nergens"), Act("deferred"))
    assert next(iter(D.deadlines(walk.state, walk.now))).status == "open"
    walk.now = T0 + timedelta(minutes=20)
    walk.answer(Complete(TOP, "testbellen"))
    first = next(iter(D.deadlines(walk.state, walk.now)))
    assert first.status == "missed" and first.met_at == T0 + timedelta(minutes=21)


def test_reminders_repeat_until_the_until_step() -> None:
    walk = Walk()
    walk.answer(Choose("nergens"), Act("done"))  # testbellen entered 14:01, repeat PT15M
    state = walk.state
    early = D.due_reminders(state, T0 + timedelta(minutes=15))
    assert [r for r in early if r.kind == "repeat"] == []
    due = [r for r in D.due_reminders(state, T0 + timedelta(minutes=17)) if r.kind == "repeat"]
    assert due == [D.ReminderDue(TOP, "testbellen", T0 + timedelta(minutes=16), "repeat")]
    walk.log([D.reminder_draft(due[0])])
    later = D.due_reminders(walk.state, T0 + timedelta(minutes=30))
    assert [r for r in later if r.kind == "repeat"] == []
    later = D.due_reminders(walk.state, T0 + timedelta(minutes=31))
    assert [r.due_at for r in later if r.kind == "repeat"] == [T0 + timedelta(minutes=31)]
    walk.answer(ItemAnswer("lms", "done"), ItemAnswer("ncc", "done"), Value("14:03"), Act("done"))
    assert walk.state.closed
    assert D.due_reminders(walk.state, T0 + timedelta(hours=5)) == []


def test_reaching_the_until_step_stops_a_repeat() -> None:
    steps = (
        _step("s", "action", repeat=timedelta(minutes=5), until=("stop",), next="w"),
        _step("w", "action", next="stop"),
        _step("stop", "action", next="e"),
        _step("e", "end", outcome="resolved"),
    )
    runbooks = {"r": _runbook("r", *steps)}
    walk = Walk(runbooks, "r")
    walk.answer(Act("done"))
    assert len(D.due_reminders(walk.state, T0 + timedelta(minutes=6))) == 1
    walk.answer(Act("done"))
    assert D.due_reminders(walk.state, T0 + timedelta(minutes=60)) == []


def test_overdue_is_reminded_once() -> None:
    walk = Walk()
    walk.answer(Choose("nergens"), Act("done"))
    now = T0 + timedelta(minutes=11)
    overdue = [r for r in D.due_reminders(walk.state, now) if r.kind == "overdue"]
    assert overdue == [D.ReminderDue(TOP, "lijst", T0 + timedelta(minutes=10), "overdue", "lms")]
    walk.log([D.reminder_draft(overdue[0])])
    assert walk.events[-1]["item"] == "lms"
    assert [r for r in D.due_reminders(walk.state, now) if r.kind == "overdue"] == []


def _candidates(state: WalkState) -> list[Answer]:
    """Answers worth trying at this prompt, including some that are rejected."""
    p = prompt(state)
    step = state.step_of(p.runbook_id, p.step_id) if p.kind != "closed" else None
    found: list[Answer] = [Back(), Note("n"), Choose("x")]
    found += [Complete(i.runbook, i.step, i.item) for i in state.open_items]
    if step is not None and p.kind == "decision":
        found += [Choose(o.id) for o in step.options]
    if p.kind == "action":
        found += [Act("done"), Act("deferred"), Act("skipped", "kan niet"), Act("skipped")]
    if step is not None and p.kind == "checklist-item":
        found += [
            ItemAnswer(i.id, r, "r") for i in step.items for r in ("done", "deferred", "skipped")
        ]
    if p.kind == "input":
        found += [Value("14:03"), Value("nee")]
    if p.kind == "confirm-end":
        found += [Confirm(True), Confirm(False)]
    return found


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=1000), max_size=40))
def test_replay_is_deterministic_and_equals_the_incremental_state(picks: list[int]) -> None:
    walk = Walk()
    for pick in picks:
        options = _candidates(walk.state)
        with contextlib.suppress(Rejected):
            walk.answer(options[pick % len(options)])
    first = replay(RUNBOOKS, walk.events)
    assert first == replay(RUNBOOKS, walk.events)
    assert first == walk.state
    assert walk.state.closed == (prompt(walk.state).kind == "closed")
    on_path = {(r, s) for r, s, _ in walk.state.path}
    assert all((i.runbook, i.step) in on_path for i in walk.state.open_items)


def test_open_events_refuses_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="mode"):
        open_events(
            RUNBOOKS[TOP],
            incident="i",
            mode="real",
            operator="Jan",
            tool_version="0",
            timezone="UTC",
            lang="nl",
            allow_draft=False,
        )


def test_follow_ups_after_a_crash_right_after_entered() -> None:
    walk = Walk()
    walk.answer(*HAPPY[:4])
    # A crash after "entered nlalert": the journal lacks the call that should follow.
    drafts = respond(walk.state, Value("14:03"), walk.now)
    walk.log(drafts[:2])
    assert prompt(walk.state).step_id == "nlalert"
    rest = follow_ups(walk.state)
    assert [d.type for d in rest] == ["called", "entered"]
    walk.log(rest[:1])  # and a crash right after the call
    assert [d.type for d in follow_ups(walk.state)] == ["entered"]
    walk.log(follow_ups(walk.state))
    assert walk.where() == ("action", f"{SUB}/melden", None)
    assert follow_ups(walk.state) == []


def test_sub_runbooks_calling_each_other_in_a_circle_are_refused() -> None:
    runbooks = {
        "a": _runbook(
            "a", _step("s", "runbook", runbook="b", next="e"), _step("e", "end", outcome="resolved")
        ),
        "b": _runbook(
            "b", _step("s", "runbook", runbook="a", next="e"), _step("e", "end", outcome="resolved")
        ),
    }
    with pytest.raises(ValueError, match="circle"):
        Walk(runbooks, "a")


def test_step_items_model_is_used() -> None:
    # Guards the test helpers: a checklist built from the model answers like a loaded one.
    items = (ChecklistItem("a", Text.of("a", "nl"), critical=True),)
    runbooks = {
        "c": _runbook(
            "c",
            _step("l", "checklist", items=items, next="e"),
            _step("e", "end", outcome="handed-over"),
        )
    }
    walk = Walk(runbooks, "c")
    walk.answer(ItemAnswer("a", "skipped", "niemand bereikbaar"))
    assert walk.state.closed and walk.state.outcome == "handed-over"


# --- the derived indexes the fold keeps (open_before, due_entries, repeat_entries) -----------


def _reference_open_items(state: WalkState) -> tuple[OpenItem, ...]:
    """open_items worked out from scratch over every entry, as the fold first did it."""
    found: dict[tuple[str, str, str | None], OpenItem | None] = {}
    for index, entry in enumerate(state.entries):
        step = state.step_of(entry.runbook, entry.step)
        if step.type == "action" and entry.result is not None:
            key = (entry.runbook, entry.step, None)
            found.pop(key, None)
            found[key] = _open(entry, None, step.critical, entry.result)
        elif step.type == "checklist":
            answering = index == len(state.entries) - 1 and not state.closed
            for item in step.items:
                record = entry.items.get(item.id)
                if record is None and answering:
                    continue
                ikey = (entry.runbook, entry.step, item.id)
                found.pop(ikey, None)
                found[ikey] = _open(entry, item.id, item.critical, record)
    return tuple(item for item in found.values() if item is not None)


def _assert_derived(state: WalkState) -> None:
    assert state.open_items == _reference_open_items(state)
    due = tuple(
        i
        for i, e in enumerate(state.entries)
        if (step := state.step_of(e.runbook, e.step)).due is not None
        or any(item.due is not None for item in step.items)
    )
    assert state.due_entries == due
    repeat = tuple(
        i
        for i, e in enumerate(state.entries)
        if state.step_of(e.runbook, e.step).repeat is not None
    )
    assert state.repeat_entries == repeat


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=1000), max_size=40))
def test_the_derived_indexes_match_a_recomputation_after_every_event(picks: list[int]) -> None:
    walk = Walk()
    _assert_derived(walk.state)
    for pick in picks:
        options = _candidates(walk.state)
        with contextlib.suppress(Rejected):
            walk.answer(options[pick % len(options)])
        _assert_derived(walk.state)
    replayed = replay(RUNBOOKS, walk.events)
    _assert_derived(replayed)
    assert replayed.open_before == walk.state.open_before
    for minutes in (0, 12, 31, 300):
        now = walk.now + timedelta(minutes=minutes)
        assert D.deadlines(replayed, now) == D.deadlines(walk.state, now)
        assert D.due_reminders(replayed, now) == D.due_reminders(walk.state, now)


def test_the_fold_makes_the_same_entries_and_records_as_the_dataclasses() -> None:
    at = T0
    stack = (Frame(TOP, "vaststellen"),)
    record = _record("done", at, "reden", T0 - timedelta(minutes=1))
    assert record == Record("done", at, "reden", T0 - timedelta(minutes=1))
    assert _fields(record) == _fields(Record("done", at, "reden", T0 - timedelta(minutes=1)))
    entry = _entry(TOP, "vaststellen", at, stack, record, {"lms": record})
    made = PathEntry(TOP, "vaststellen", at, stack, record, {"lms": record})
    assert entry == made and _fields(entry) == _fields(made) and repr(entry) == repr(made)
    assert _entry(TOP, "x", at, stack, None, {}) == PathEntry(TOP, "x", at, stack)
    with pytest.raises(AttributeError):
        entry.step = "y"  # type: ignore[misc]  # still frozen
    # Slots, no per-object dict: a long incident holds tens of thousands of each.
    assert not hasattr(entry, "__dict__") and not hasattr(record, "__dict__")


def _fields(made: object) -> dict[str, object]:
    return {f.name: getattr(made, f.name) for f in dataclasses.fields(made)}  # type: ignore[arg-type]


def test_a_replayed_walk_shares_repeated_answers_and_empty_items() -> None:
    """A long incident repeats the same answers and item ids thousands of times: the state
    keeps one copy of each text, and one empty mapping for every visit without items."""
    runbooks = {"top": _runbook("top", _step("q", "end", outcome="resolved"))}
    at = T0.isoformat()
    events: list[dict[str, Any]] = [{"type": "opened", "at": at, "runbook": "top"}]
    for _ in range(3):
        entered = {"type": "entered", "at": at, "runbook": "top", "step": "q"}
        answered = {**entered, "type": "answered", "option": "ja"}
        # Decoded line by line, as the journal is read: equal texts, never the same object.
        events += [json.loads(json.dumps(entered)), json.loads(json.dumps(answered))]
    state = replay(runbooks, events)
    answers = [e.result.value for e in state.entries if e.result is not None]
    assert answers == ["ja"] * 3 and all(value is answers[0] for value in answers)
    assert all(not e.items for e in state.entries)
    assert len({id(e.items) for e in state.entries}) == 1


def test_an_invalid_value_says_which_schema_keyword_it_failed() -> None:
    schema = {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}
    with pytest.raises(Rejected) as wrong_form:
        coerce_value("1", schema)
    assert (wrong_form.value.code, wrong_form.value.keyword) == ("invalid-value", "pattern")
    with pytest.raises(Rejected) as too_big:
        coerce_value("12", {"type": "integer", "maximum": 10})
    assert too_big.value.keyword == "maximum"
