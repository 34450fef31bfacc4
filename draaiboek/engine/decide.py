"""What the walk asks next and what an answer logs: state + answer -> the events to log.

`respond` never changes the state: it returns `Draft`s, which the walk service appends to the
journal and feeds back through `fold.apply`. It simulates them to find the events that follow
automatically (sub-runbooks, returns, closing); their simulated time never reaches the journal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from draaiboek.engine.fold import fold_event, initial_state
from draaiboek.engine.inputs import (
    PAUSE_REASONS,
    RESULTS,
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
    SetTimeZero,
    Stop,
    Value,
)
from draaiboek.engine.state import Frame, OpenItem, WalkState, open_key, runbook_of
from draaiboek.engine.values import coerce_value
from draaiboek.model.runbook import Runbook, Step

MODES = ("live", "exercise")
# Sub-runbooks calling each other in a circle would otherwise recurse until the stack runs out.
MAX_DEPTH = 32
_ANSWERABLE = ("decision", "action", "checklist", "input")
# Follow-up events are simulated to find the next ones; their time never reaches the journal.
_SIM_AT = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Draft:
    """An event to be logged: its type and its own fields (the journal adds seq, at, by...)."""

    type: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Prompt:
    """What the walk asks next."""

    kind: str  # decision | action | checklist-item | input | confirm-end | closed
    runbook_id: str
    step_id: str
    item_id: str | None = None
    open_critical: tuple[OpenItem, ...] = ()


def prompt(state: WalkState) -> Prompt:
    """What the walk asks at `state`: the step's kind, a checklist's first pending item, an
    end's open critical items, or "closed" (at the last step) once the walk is closed."""
    last = state.entries[-1] if state.entries else None
    current = state.current
    if current is None or last is None:
        where = (last.runbook, last.step) if last is not None else (state.runbook, "")
        return Prompt("closed", *where)
    step = state.step_of(current.runbook, current.step)
    if step.type == "checklist":
        pending = [i.id for i in step.items if i.id not in last.items]
        return Prompt(
            "checklist-item", current.runbook, current.step, pending[0] if pending else None
        )
    if step.type == "end":
        return Prompt("confirm-end", current.runbook, current.step, None, state.open_critical)
    return Prompt(step.type, current.runbook, current.step)


def open_events(
    runbook: Runbook,
    *,
    incident: str,
    mode: str,
    operator: str,
    tool_version: str,
    timezone: str,
    lang: str,
    allow_draft: bool,
    runbooks: Mapping[str, Runbook] | None = None,
) -> list[Draft]:
    """The events that start a walk: opened, entered(start), and what follows automatically.

    `runbooks` must hold the sub-runbooks when the start step is itself a runbook step.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    opened = Draft(
        "opened",
        {
            "incident": incident,
            "runbook": runbook.id,
            "version": runbook.version,
            "sha256": runbook.sha256,
            "mode": mode,
            "operator": operator,
            "tool_version": tool_version,
            "timezone": timezone,
            "lang": lang,
            "status": runbook.status,
            "allow_draft": allow_draft,
        },
    )
    drafts = [opened, Draft("entered", {"runbook": runbook.id, "step": runbook.start})]
    state = initial_state({**(runbooks or {}), runbook.id: runbook})
    for draft in drafts:
        state = _sim(state, draft, _SIM_AT)
    return drafts + follow_ups(state)


def _sim(state: WalkState, draft: Draft, at: datetime) -> WalkState:
    event = {"type": draft.type, **draft.fields, "by": state.operator}
    return fold_event(state, draft.type, event, at)


def follow_ups(state: WalkState) -> list[Draft]:
    """Events that follow automatically from where the walk stands (none in a stable state).

    `respond` and `open_events` include them; a service resuming a journal that ended right
    after an `entered` (a crash) logs these before asking anything.
    """
    drafts: list[Draft] = []
    while (current := state.current) is not None:
        if not current.step:  # a crash between `called` and the sub-runbook's first `entered`
            start = runbook_of(state.runbooks, current.runbook).start
            drafts.append(Draft("entered", {"runbook": current.runbook, "step": start}))
            state = _sim(state, drafts[-1], _SIM_AT)
            continue
        step = state.step_of(current.runbook, current.step)
        new: list[Draft] = []
        moved_on = _unfinished_move(state, current, step)
        if moved_on is not None:  # a crash between an answer and the step it leads to
            new = [Draft("entered", {"runbook": current.runbook, "step": moved_on})]
        elif step.type == "runbook" and step.runbook is not None:
            if len(state.stack) >= MAX_DEPTH:
                raise ValueError(
                    f"sub-runbooks nested deeper than {MAX_DEPTH}: do they call "
                    "each other in a circle?"
                )
            sub = runbook_of(state.runbooks, step.runbook)
            new = [
                Draft(
                    "called",
                    {
                        "runbook": sub.id,
                        "version": sub.version,
                        "sha256": sub.sha256,
                        "from_runbook": current.runbook,
                        "from_step": current.step,
                    },
                ),
                Draft("entered", {"runbook": sub.id, "step": sub.start}),
            ]
        elif step.type == "end" and len(state.stack) > 1:
            parent = state.stack[-2]
            after = state.step_of(parent.runbook, parent.step).next
            new = [
                Draft(
                    "returned",
                    {
                        "runbook": current.runbook,
                        "outcome": step.outcome,
                        "to_runbook": parent.runbook,
                        "to_step": parent.step,
                    },
                ),
                Draft("entered", {"runbook": parent.runbook, "step": after}),
            ]
        elif step.type == "end" and not state.open_critical:
            new = [_closed(state, step)]
        for draft in new:
            state = _sim(state, draft, _SIM_AT)
        drafts += new
        if not new:
            break
    return drafts


def _unfinished_move(state: WalkState, current: Frame, step: Step) -> str | None:
    """The step an answer led to when the journal ends before its `entered` (a crash).

    In a walk that was not interrupted the answer and the next `entered` are logged together,
    so this only finds something when resuming a journal cut off in between.
    """
    last = state.entries[-1] if state.entries else None
    if last is None:
        return None
    here = (last.runbook, last.step) == (current.runbook, current.step)
    if step.type == "runbook":
        # Back at the runbook step after `returned`: the last entry is the sub-runbook's end.
        return step.next if not here else None
    if not here:
        return None
    if step.type == "decision" and last.result is not None:
        option = step.option(str(last.result.value))
        return option.next if option is not None else None
    if step.type in ("action", "input") and last.result is not None:
        return step.next
    if step.type == "checklist" and step.items and all(i.id in last.items for i in step.items):
        return step.next
    return None


def _closed(state: WalkState, step: Step) -> Draft:
    return Draft(
        "closed",
        {
            "runbook": state.stack[-1].runbook,
            "step": step.id,
            "outcome": step.outcome,
            "open": [i.key for i in state.open_items],
        },
    )


def respond(state: WalkState, answer: Answer, now: datetime) -> list[Draft]:
    """The events an answer produces, in order; raises Rejected when it is not accepted."""
    if state.current is None:
        raise Rejected("closed")
    drafts = _answer_drafts(state, answer, now)
    for draft in drafts:
        state = _sim(state, draft, now)
    return drafts + follow_ups(state)


def _answer_drafts(state: WalkState, answer: Answer, now: datetime) -> list[Draft]:
    current = state.current
    assert current is not None
    where = {"runbook": current.runbook, "step": current.step}
    step = state.step_of(current.runbook, current.step)
    if isinstance(answer, SetTimeZero):
        return [time_zero_draft(state, answer.text, now, answer.fold, correcting=True)]
    if isinstance(answer, Stop):
        return stop_drafts(state, answer, now)
    if isinstance(answer, Note):
        if not answer.text.strip():
            raise Rejected("empty-note")
        return [Draft("note", {**where, "text": answer.text})]
    if isinstance(answer, Pause):
        if answer.reason not in PAUSE_REASONS:
            raise Rejected("invalid-value", f"pause reason {answer.reason!r}")
        return [Draft("paused", {"reason": answer.reason})]
    if isinstance(answer, Back):
        return [_back(state, current)]
    if isinstance(answer, Complete):
        return [_complete(state, answer)]
    entered = [Draft("entered", {"runbook": current.runbook, "step": step.next})]
    if isinstance(answer, Choose) and step.type == "decision":
        option = step.option(answer.option)
        if option is None:
            raise Rejected("unknown-option", answer.option)
        return [
            Draft("answered", {**where, "option": option.id}),
            Draft("entered", {"runbook": current.runbook, "step": option.next}),
        ]
    if isinstance(answer, Act) and step.type == "action":
        return [Draft("action", {**where, **_result(answer.result, answer.reason)}), *entered]
    if isinstance(answer, ItemAnswer) and step.type == "checklist":
        return _item(state, step, answer, where) + entered * _all_answered(state, step, answer)
    if isinstance(answer, Value) and step.type == "input":
        value = coerce_value(answer.text, step.value_schema or {})
        recorded = Draft("recorded", {**where, "value": value})
        if is_time_zero_step(state, current.runbook, current.step):
            zero = time_zero_draft(state, answer.text, now, answer.fold, correcting=False)
            return [recorded, zero, *entered]
        return [recorded, *entered]
    if isinstance(answer, Confirm) and step.type == "end":
        open_now = [i.key for i in state.open_critical]
        confirmed = Draft("confirmed", {**where, "open": open_now, "yes": answer.yes})
        return [confirmed, _closed(state, step)] if answer.yes else [confirmed]
    raise Rejected("not-expected", f"{type(answer).__name__} at a {step.type} step")


def _result(result: str, reason: str) -> dict[str, str]:
    if result not in RESULTS:
        raise Rejected("invalid-value", f"result {result!r}")
    if result == "skipped" and not reason.strip():
        raise Rejected("reason-required")
    return {"result": result, "reason": reason.strip() if result == "skipped" else ""}


def _item(
    state: WalkState, step: Step, answer: ItemAnswer, where: Mapping[str, str]
) -> list[Draft]:
    if step.item(answer.item) is None:
        raise Rejected("unknown-item", answer.item)
    before = state.checklist.get(answer.item)
    if before is not None and before.value != "deferred":
        raise Rejected("already-answered", answer.item)
    return [Draft("item", {**where, "item": answer.item, **_result(answer.result, answer.reason)})]


def _all_answered(state: WalkState, step: Step, answer: ItemAnswer) -> bool:
    answered = {*state.checklist, answer.item}
    return all(item.id in answered for item in step.items)


def _back(state: WalkState, current: Frame) -> Draft:
    for entry in reversed(state.entries[:-1]):
        # Runbook steps and the ends of sub-runbooks pass by themselves: nothing to correct.
        if state.step_of(entry.runbook, entry.step).type in _ANSWERABLE:
            return Draft(
                "corrected",
                {
                    "runbook": entry.runbook,
                    "step": entry.step,
                    "from_runbook": current.runbook,
                    "from_step": current.step,
                },
            )
    raise Rejected("nothing-to-go-back-to")


def _complete(state: WalkState, answer: Complete) -> Draft:
    runbook = state.runbooks.get(answer.runbook)
    step = runbook.steps.get(answer.step) if runbook is not None else None
    kind = "action" if answer.item is None else "checklist"
    if step is None or step.type != kind or (answer.item and step.item(answer.item) is None):
        raise Rejected("unknown-item", open_key(answer.runbook, answer.step, answer.item))
    key = open_key(answer.runbook, answer.step, answer.item)
    if key not in {i.key for i in state.open_items}:
        raise Rejected("not-open", key)
    fields: dict[str, Any] = {"runbook": answer.runbook, "step": answer.step}
    if answer.item is not None:
        fields["item"] = answer.item
    # `late` tells apply that this settles an earlier visit, not the step being asked now.
    fields.update(result="done", reason="", late=True)
    return Draft("action" if answer.item is None else "item", fields)


def is_time_zero_step(state: WalkState, runbook: str, step: str) -> bool:
    """Whether this is the step that records the first signal: the top runbook's time_zero (a
    sub-runbook's clock is the incident's, so its own time_zero step only records a value)."""
    top = state.runbooks.get(state.runbook)
    return top is not None and runbook == top.id and step == top.time_zero


def time_zero_draft(
    state: WalkState, text: str, now: datetime, fold: int | None, *, correcting: bool
) -> Draft:
    """The `time-zero` event for `text` typed at `now` (see engine.timezero; Rejected or
    Ambiguous when it names no usable moment). A correction names the seq of the time-zero
    event it corrects (0, the `opened` event, when time zero was still the opening)."""
    from zoneinfo import ZoneInfo

    from draaiboek.engine.timezero import read_time_zero
    from draaiboek.model.timezone import zone_name

    zero = read_time_zero(text, now, ZoneInfo(zone_name(state.timezone)), fold)
    fields: dict[str, Any] = {"value": text.strip(), **zero.fields()}
    top = state.runbooks.get(state.runbook)
    if top is not None and top.time_zero is not None:
        fields = {"step": top.time_zero, **fields}
    if correcting:
        fields["corrects"] = state.first_signal_seq if state.first_signal_seq is not None else 0
    if fold is not None:
        fields["fold"] = fold
    return Draft("time-zero", fields)


def stop_drafts(state: WalkState, answer: Stop, now: datetime) -> list[Draft]:
    """Ending the incident early: `closed` with outcome aborted, the reason and what is left
    open (a checklist being asked counts its unanswered items). Rejected "stop-reason-required"
    without a reason; "stop-confirm" (naming the items) when critical items are open or were
    marked not possible and `answer.confirmed` is False; then `confirmed` is logged first."""
    from draaiboek.engine.criticals import critical_unfinished

    current = state.current
    assert current is not None
    reason = answer.reason.strip()
    if not reason:
        raise Rejected("stop-reason-required")
    where = {"runbook": current.runbook, "step": current.step}
    closing = {**where, "outcome": "aborted", "reason": reason, "stopped": True}
    after = _sim(state, Draft("closed", closing), now)  # what closing leaves open
    open_now = [item.key for item in after.open_items]
    critical = list(critical_unfinished(state, after.open_items))
    drafts = []
    if critical:
        if not answer.confirmed:
            raise Rejected("stop-confirm", ", ".join(critical))
        drafts.append(Draft("confirmed", {**where, "open": critical, "yes": True}))
    return [*drafts, Draft("closed", {**closing, "open": open_now})]
