"""The fold over journal events: replay a journal, or apply one event, to get a WalkState.

Each event type has a handler that changes the fold's working copy (`working.Fold`); unknown
types are skipped, so that a journal written by a newer version still replays. Nothing here
reads the clock: every time comes from the events themselves.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from draaiboek.engine.operator import operator_after
from draaiboek.engine.state import (
    Frame,
    NoteEntry,
    PathEntry,
    Record,
    Seen,
    WalkState,
    changes_open,
    may_open,
    runbook_of,
    settle_open,
)
from draaiboek.engine.working import Fold
from draaiboek.model.runbook import Runbook

# Replaying a long journal makes a PathEntry for every visit and answer and a Record for every
# answer; a frozen dataclass's __init__ sets each field through object.__setattr__ (a lookup by
# name each), which costs more than the rest of the fold. These call the slots' own setters
# (which `frozen` does not stop) and make the same objects (tests/test_engine.py checks).
_new = object.__new__
_ENTRY_SLOTS = tuple(
    getattr(PathEntry, name).__set__
    for name in ("runbook", "step", "at", "stack", "result", "items")
)
_RECORD_SLOTS = tuple(
    getattr(Record, name).__set__ for name in ("value", "at", "reason", "deferred_at")
)
# The items of every visit that has none (all but checklists): one empty mapping, never
# changed (a checklist's answers make a new dict), instead of a dict per visit.
_NO_ITEMS: Mapping[str, Record] = {}


def _entry(
    runbook: str, step: str, at: datetime, stack: tuple[Frame, ...], result: Record | None,
    items: Mapping[str, Record],
) -> PathEntry:  # fmt: skip
    entry = _new(PathEntry)
    set_runbook, set_step, set_at, set_stack, set_result, set_items = _ENTRY_SLOTS
    set_runbook(entry, runbook)
    set_step(entry, step)
    set_at(entry, at)
    set_stack(entry, stack)
    set_result(entry, result)
    set_items(entry, items)
    return entry


def _record(value: Any, at: datetime, reason: str, deferred_at: datetime | None) -> Record:
    record = _new(Record)
    set_value, set_at, set_reason, set_deferred_at = _RECORD_SLOTS
    set_value(record, value)
    set_at(record, at)
    set_reason(record, reason)
    set_deferred_at(record, deferred_at)
    return record


def initial_state(runbooks: Mapping[str, Runbook]) -> WalkState:
    """The state before any event: `runbooks` (id -> runbook) must hold every runbook the
    walk will use, sub-runbooks included."""
    return WalkState(runbooks=runbooks)


@contextmanager
def no_cycle_collection(freeze_after: bool = False) -> Iterator[None]:
    """Reading a long journal makes tens of thousands of small objects and no cycles: the
    cycle collector would only go through them again and again. With `freeze_after`, what
    was made stays out of its sight for good (objects that live as long as the command)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
        if freeze_after:
            gc.freeze()
    finally:
        if collecting:
            gc.enable()


def replay(runbooks: Mapping[str, Runbook], events: Iterable[Mapping[str, Any]]) -> WalkState:
    """The state a journal's events (in order, each with `type` and an ISO 8601 `at`) add up
    to; the same as `apply`ing them one by one, in one pass. Raises MissingRunbook when an
    event needs a runbook that is not in `runbooks`."""
    fold = Fold(initial_state(runbooks), growing=True)
    handlers = _HANDLERS
    parse = datetime.fromisoformat
    with no_cycle_collection():
        count, at, last = fold.event_count, fold.last_event_at, ""
        for event in events:
            kind = str(event.get("type", ""))
            handler = handlers.get(kind)
            if handler is None:
                continue  # written by a newer version: forward compatible
            at = parse(str(event["at"]))
            handler(fold, event, at)
            count += 1
            last = kind
        if count > fold.event_count:
            fold.event_count, fold.last_event_at, fold.paused = count, at, last == "paused"
        return fold.freeze()


def apply(state: WalkState, event: Mapping[str, Any]) -> WalkState:
    """The state after one journal event; unknown event types leave it unchanged."""
    kind = str(event.get("type", ""))
    if kind not in _HANDLERS:
        return state  # written by a newer version: forward compatible
    return fold_event(state, kind, event, datetime.fromisoformat(str(event["at"])))


def fold_event(state: WalkState, kind: str, ev: Mapping[str, Any], at: datetime) -> WalkState:
    """`apply` for an event whose `type` (a known one) and time (`at`, aware) are known."""
    fold = Fold(state, growing=False)
    _HANDLERS[kind](fold, ev, at)
    fold.last_event_at = at
    fold.event_count += 1
    fold.paused = kind == "paused"
    return fold.freeze()


def _on_opened(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    runbook_of(fold.runbooks, str(ev["runbook"]))
    fold.incident = str(ev.get("incident", ""))
    fold.mode = str(ev.get("mode", ""))
    fold.runbook = str(ev["runbook"])
    fold.version = str(ev.get("version", ""))
    fold.sha256 = str(ev.get("sha256", ""))
    fold.lang = str(ev.get("lang", ""))
    fold.operator = operator_after(fold.operator, ev)
    fold.started_at = at
    fold.timezone = str(ev.get("timezone") or "")


def _on_entered(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    key = (str(ev["runbook"]), str(ev["step"]))
    seen = fold.seen.get(key)
    if seen is None:
        seen = fold.seen[key] = Seen(fold.runbooks, *key)
    frame = seen.frame
    stack = fold.stack
    if not stack or (len(stack) == 1 and stack[0].runbook == frame.runbook):
        stack = seen.alone
    elif stack[-1].runbook == frame.runbook:
        stack = (*stack[:-1], frame)
    else:
        stack = (*stack, frame)
    entries = fold.entries
    if entries and not fold.stale:
        # The visit being left is finished: what it leaves open is now known for good.
        last = entries[-1]
        left = fold.last_seen or fold.seen.get((last.runbook, last.step))
        step = left.step if left is not None else fold.step_of(last.runbook, last.step)
        if may_open(step, last) and changes_open(fold.open_before, step, last):
            found = dict(fold.open_before)
            settle_open(found, step, last, answering=False)
            fold.open_before = found
    fold.last_seen = seen
    index = len(entries)
    entry = _entry(frame.runbook, frame.step, at, stack, None, _NO_ITEMS)
    if isinstance(entries, list):
        entries.append(entry)
    else:
        fold.entries = (*entries, entry)
    fold.stack = stack
    if seen.due:
        fold.add_due(index)
    if seen.repeat:
        fold.add_repeat(index)


def _find(fold: Fold, key: tuple[str, str], wanted: Callable[[PathEntry], bool]) -> int:
    entries = fold.entries
    fallback = -1
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        if entry.runbook == key[0] and entry.step == key[1]:
            if wanted(entry):
                return index
            fallback = max(fallback, index)
    return fallback


def _any(entry: PathEntry) -> bool:
    return True


def _latest(fold: Fold, key: tuple[str, str]) -> int:
    """The latest visit of a step: nearly always the last entry (the step being answered)."""
    entries = fold.entries
    if entries and entries[-1].step == key[1] and entries[-1].runbook == key[0]:
        return len(entries) - 1
    return _find(fold, key, _any)


def _replace_entry(fold: Fold, index: int, entry: PathEntry) -> None:
    entries = fold.entries
    if isinstance(entries, list) and index == len(entries) - 1:
        entries[index] = entry  # replaying: the step being answered
    else:
        fold.set_entry(index, entry)


def _set_result(fold: Fold, index: int, result: Record) -> None:
    """The visit at `index` with `result` as its answer (its checklist items as they were)."""
    entry = fold.entries[index]
    _replace_entry(
        fold,
        index,
        _entry(entry.runbook, entry.step, entry.at, entry.stack, result, entry.items),
    )


def _on_answer(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    key = (str(ev["runbook"]), str(ev["step"]))
    index = _latest(fold, key)
    if index < 0:
        return
    value = fold.shared(ev["option"] if ev["type"] == "answered" else ev["value"])
    _set_result(fold, index, _record(value, at, "", None))


def _settle(fold: Fold, previous: Record | None, ev: Mapping[str, Any], at: datetime) -> Record:
    result = fold.shared(str(ev["result"]))
    deferred_at = previous.deferred_at if previous is not None else None
    if result == "deferred" and deferred_at is None:
        deferred_at = at
    return _record(result, at, fold.shared(str(ev.get("reason", ""))), deferred_at)


def _on_action(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    key = (str(ev["runbook"]), str(ev["step"]))
    if not ev.get("late"):
        index = _latest(fold, key)
    else:  # a deferred visit being completed
        index = _find(fold, key, lambda e: e.result is not None and e.result.value == "deferred")
    if index < 0:
        return
    _set_result(fold, index, _settle(fold, fold.entries[index].result, ev, at))


def _on_item(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    key, item = (str(ev["runbook"]), str(ev["step"])), fold.shared(str(ev["item"]))
    index = _latest(fold, key) if not ev.get("late") else _find(fold, key, _open_item(fold, item))
    if index < 0:
        return
    entry = fold.entries[index]
    items = {**entry.items, item: _settle(fold, entry.items.get(item), ev, at)}
    _replace_entry(
        fold, index, _entry(entry.runbook, entry.step, entry.at, entry.stack, entry.result, items)
    )


def _open_item(fold: Fold, item: str) -> Callable[[PathEntry], bool]:
    """Whether a visit left this checklist item open (pending in the one being asked)."""
    last_entry = fold.entries[-1] if fold.entries else None

    def is_open(e: PathEntry) -> bool:
        record = e.items.get(item)
        if record is None:
            return e is not last_entry
        return bool(record.value == "deferred")

    return is_open


def _on_note(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    fold.add_note(
        NoteEntry(
            str(ev.get("runbook", "")),
            str(ev.get("step", "")),
            str(ev["text"]),
            at,
            str(ev.get("by", "")),
        )
    )


def _on_corrected(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    key = (str(ev["runbook"]), str(ev["step"]))
    entries = fold.entries
    for index in range(len(entries) - 2, -1, -1):
        entry = entries[index]
        if (entry.runbook, entry.step) == key:
            fold.cut_entries(index, PathEntry(entry.runbook, entry.step, entry.at, entry.stack))
            fold.stack = entry.stack
            fold.closed = False
            fold.closed_at = None
            fold.outcome = None
            return


def _on_called(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    # The sub-runbook's frame gets its step from the `entered` that follows.
    fold.stack = (*fold.stack, Frame(str(ev["runbook"]), ""))


def _on_returned(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    if len(fold.stack) > 1:
        fold.stack = fold.stack[:-1]


def _on_closed(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    fold.closed = True
    fold.closed_at = at
    fold.outcome = str(ev.get("outcome", ""))


def _on_reminder(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    if "target" in ev:  # an incident-level target's reminder (see engine.targets)
        key_of_target = (str(ev["target"]), str(ev.get("kind")))
        due_of_target = _moment(ev.get("due"))
        if due_of_target is None:
            return  # not one this version wrote: it reminds of nothing it can name
        logged = fold.target_reminded.get(key_of_target)
        if logged is None or logged < due_of_target:
            fold.target_reminded = {**fold.target_reminded, key_of_target: due_of_target}
        return
    item = ev.get("item")
    key = (
        str(ev["runbook"]),
        str(ev["step"]),
        None if item is None else str(item),
        str(ev["kind"]),
    )
    due = datetime.fromisoformat(str(ev["due_at"]))
    before = fold.reminded.get(key)
    if before is not None and before >= due:
        return
    fold.reminded = {**fold.reminded, key: due}


def _on_time_zero(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    # The latest one counts, a correction included: it is what the operator knows now.
    moment = _moment(ev.get("time_zero"))
    if moment is None:
        return  # not an aware ISO 8601 time: the clock keeps counting from what it had
    fold.first_signal = moment
    seq = ev.get("seq")
    fold.first_signal_seq = seq if isinstance(seq, int) else None


def _moment(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 text; None for anything else."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _on_operator(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    fold.operator = operator_after(fold.operator, ev)


def _unchanged(fold: Fold, ev: Mapping[str, Any], at: datetime) -> None:
    return None


_Handler = Callable[[Fold, Mapping[str, Any], datetime], None]
_HANDLERS: dict[str, _Handler] = {
    "opened": _on_opened,
    "entered": _on_entered,
    "answered": _on_answer,
    "recorded": _on_answer,
    "action": _on_action,
    "item": _on_item,
    "note": _on_note,
    "corrected": _on_corrected,
    "called": _on_called,
    "returned": _on_returned,
    "confirmed": _unchanged,
    "closed": _on_closed,
    "reminder": _on_reminder,
    "time-zero": _on_time_zero,
    "paused": _unchanged,
    "resumed": _on_operator,
    "handover": _on_operator,
    "inject": _unchanged,
    "recovered": _unchanged,
}
