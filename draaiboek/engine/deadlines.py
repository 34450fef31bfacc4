"""Deadlines and reminders of a walk, read from its state.

Deadlines count from time zero (the first signal; the opening until it is known); reminders
are what a service shows (and logs as a `reminder` event) when a repeating step comes round or
a deadline passes. Like the engine, nothing here reads the clock: `now` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from draaiboek.engine.decide import Draft
from draaiboek.engine.state import PathEntry, WalkState
from draaiboek.model.runbook import Step


@dataclass(frozen=True)
class Deadline:
    """A step's (or checklist item's) deadline: due and met times are aware datetimes (UTC in
    a walk); `late_by` is how late it was met (missed) or is so far (overdue)."""

    runbook: str
    step: str
    item: str | None
    due_at: datetime
    met_at: datetime | None
    status: str = "open"  # met | missed | open | overdue | skipped
    late_by: timedelta | None = None  # missed: met this late; overdue: this late so far


@dataclass(frozen=True)
class ReminderDue:
    """A reminder to show and log: a repeating step came round, or a deadline passed."""

    runbook: str
    step: str
    due_at: datetime
    kind: str  # repeat | overdue
    item: str | None = None


def _met(
    step: Step, entry: PathEntry, item: str | None, returned: datetime | None
) -> tuple[datetime | None, bool]:
    """When this visit met the deadline, and whether it was settled by skipping instead."""
    if step.type == "end":
        return entry.at, False  # reaching an end is what it asks
    if step.type == "runbook":
        return returned, False
    if item is not None:
        record = entry.items.get(item)
        if record is None or record.value == "deferred":
            return None, False
        return (record.at, False) if record.value == "done" else (None, True)
    if step.type == "checklist":
        records = [entry.items.get(i.id) for i in step.items]
        if any(r is None or r.value == "deferred" for r in records):
            return None, False
        return max(r.at for r in records if r is not None), False
    if entry.result is None or entry.result.value == "deferred":
        return None, False
    if step.type == "action" and entry.result.value == "skipped":
        return None, True
    return entry.result.at, False


def deadlines(state: WalkState, now: datetime) -> list[Deadline]:
    """Every deadline of a step (or checklist item) on the effective path, in path order.

    Deadlines count from time zero (`state.time_zero`). A skipped action or item is settled, but not
    met: its status is "skipped", so that a report shows it and no overdue reminder nags.
    """
    start = state.time_zero
    if start is None:
        return []
    entries = state.entries
    found: dict[tuple[str, str, str | None], tuple[timedelta, datetime | None, bool]] = {}
    for index in state.due_entries:  # the visits of steps with a deadline, in path order
        entry = entries[index]
        step = state.step_of(entry.runbook, entry.step)
        targets = [(None, step.due)] + [(i.id, i.due) for i in step.items]
        returned = None
        if step.type == "runbook" and step.due is not None:
            # A runbook step is met when its sub-runbook returns: back at the same depth.
            depth = len(entry.stack)
            returned = next(
                (
                    entries[later].at
                    for later in range(index + 1, len(entries))
                    if len(entries[later].stack) == depth
                ),
                None,
            )
        for item, due in targets:
            if due is None:
                continue
            met, skipped = _met(step, entry, item, returned)
            key = (entry.runbook, entry.step, item)
            _, before, _ = found.get(key, (due, None, False))
            if before is not None and (met is None or before <= met):
                met, skipped = before, False
            found[key] = (due, met, skipped)
    result = []
    for (runbook, step_id, item), (due, met, skipped) in found.items():
        due_at = start + due
        if met is not None:
            late = met - due_at  # met at the very moment of the deadline is met, not late
            status, late_by = ("missed", late) if late > timedelta(0) else ("met", None)
        elif skipped:
            status, late_by = "skipped", None
        elif now >= due_at:
            status, late_by = "overdue", now - due_at
        else:
            status, late_by = "open", None
        result.append(Deadline(runbook, step_id, item, due_at, met, status, late_by))
    return result


def due_reminders(state: WalkState, now: datetime) -> list[ReminderDue]:
    """Reminders to show now: repeating steps whose interval came round since the last logged
    reminder, and overdue deadlines not reminded of yet. Nothing once the walk is closed."""
    if state.closed:
        return []
    due: list[ReminderDue] = []
    seen: set[tuple[str, str]] = set()
    entries = state.entries
    for index in state.repeat_entries:  # the visits of repeating steps, in path order
        entry = entries[index]
        key = (entry.runbook, entry.step)
        step = state.step_of(*key)
        if step.repeat is None or key in seen or step.repeat <= timedelta(0):
            continue
        seen.add(key)
        until = step.until
        if until and any(
            e.runbook == entry.runbook and e.step in until for e in islice(entries, index + 1, None)
        ):
            continue
        rounds = (now - entry.at) // step.repeat
        if rounds < 1:
            continue
        latest = entry.at + rounds * step.repeat
        logged = state.reminded.get((*key, None, "repeat"))
        if logged is None or logged < latest:
            due.append(ReminderDue(entry.runbook, entry.step, latest, "repeat"))
    for deadline in deadlines(state, now):
        if deadline.status != "overdue":
            continue
        if (deadline.runbook, deadline.step, deadline.item, "overdue") not in state.reminded:
            due.append(
                ReminderDue(
                    deadline.runbook, deadline.step, deadline.due_at, "overdue", deadline.item
                )
            )
    return due


def reminder_draft(reminder: ReminderDue) -> Draft:
    """The event a service logs when it has shown a reminder."""
    fields: dict[str, Any] = {
        "runbook": reminder.runbook,
        "step": reminder.step,
        "kind": reminder.kind,
        "due_at": reminder.due_at.isoformat(),
    }
    if reminder.item is not None:
        fields["item"] = reminder.item
    return Draft("reminder", fields)
