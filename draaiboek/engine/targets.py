"""Incident-level targets: where each stands, and the reminders they call for.

A runbook lists targets next to the `due` of its steps (`Runbook.targets`): a deadline counted
from time zero (`within`), met by any of its `met_by` events, or a round repeated `every`
interval from time zero until a step of `until` is reached. They are visible from the start,
whether or not their step has been reached. The targets of the incident's top runbook count; a
sub-runbook's own targets are not the incident's. Like the engine, nothing here reads the
clock: `now` is passed in.

When a `met_by` event happens: a step alone is met when it is settled, as a step's own `due` is
(an action done, a value recorded, a decision taken, a checklist with every item answered, an
end entered, a sub-runbook returned; see engine.deadlines), an option when it is chosen, an item
when it is done. Only the walk's effective path counts: a step gone back over (`/t`) no longer
meets anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from draaiboek.engine.decide import Draft
from draaiboek.engine.state import PathEntry, WalkState
from draaiboek.model.runbook import Runbook, Target, TargetEvent

STATES = ("open", "met", "late", "missed")


@dataclass(frozen=True)
class TargetStatus:
    """Where one target stands at `now`. Times are aware datetimes (UTC in a walk).

    state: "met" (met at or before its due; a round: a step of `until` was reached), "late"
    (met after its due), "missed" (not met and now is past its due), "open" (not met, not due
    yet; a round: still running). `due` is the deadline, or for a round the next round (None
    once the rounds ended). `met_at` is when it was met (a round: when `until` was reached).
    For a round, `rounds_done` counts the rounds that came due so far and `last_round` is the
    latest of them (None before the first).
    """

    target: Target
    state: str
    due: datetime | None
    met_at: datetime | None = None
    rounds_done: int = 0
    last_round: datetime | None = None

    @property
    def id(self) -> str:
        return self.target.id

    @property
    def repeating(self) -> bool:
        return self.target.repeating

    def as_dict(self, lang: str) -> dict[str, Any]:
        """The fixed JSON shape of `status --format json`: id, title (in `lang`), due (UTC ISO
        8601 or null), state, critical, met_at, and for a round every (ISO 8601 seconds) and
        rounds_done."""
        found: dict[str, Any] = {
            "id": self.id,
            "title": self.target.title.get(lang),
            "due": _iso(self.due),
            "state": self.state,
            "critical": self.target.critical,
            "met_at": _iso(self.met_at),
        }
        if self.target.every is not None:
            found["every_seconds"] = int(self.target.every.total_seconds())
            found["rounds_done"] = self.rounds_done
        return found


@dataclass(frozen=True)
class TargetReminder:
    """A target to remind of now: a deadline that passed unmet ("overdue"), or a round that
    came due ("round"); `due` is that deadline or round (aware)."""

    target: Target
    kind: str  # overdue | round
    due: datetime

    def draft(self) -> Draft:
        """The `reminder` event a service logs once it has shown this reminder."""
        return Draft(
            "reminder",
            {"target": self.target.id, "kind": self.kind, "due": _iso(self.due)},
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="microseconds") if moment is not None else None


def target_statuses(state: WalkState, now: datetime) -> list[TargetStatus]:
    """Every target of the incident's top runbook at `now` (aware), in the runbook's order.
    A closed incident is seen as it stood when it closed. [] before `opened`."""
    zero = state.time_zero
    top = state.runbooks.get(state.runbook)
    if zero is None or top is None or not top.targets:
        return []
    if state.closed and state.closed_at is not None:
        now = min(now, state.closed_at)
    reached = _settled(state, top)
    return [_status(target, zero, now, reached, state) for target in top.targets]


def _status(
    target: Target,
    zero: datetime,
    now: datetime,
    reached: Mapping[tuple[str, str | None, str | None], datetime],
    state: WalkState,
) -> TargetStatus:
    if target.every is not None:
        return _rounds(target, target.every, zero, now, state)
    due = zero + target.within if target.within is not None else None
    met = _earliest(reached, target.met_by)
    if met is not None:
        late = due is not None and met > due  # met at the very moment of the deadline is met
        return TargetStatus(target, "late" if late else "met", due, met)
    if due is not None and now > due:
        return TargetStatus(target, "missed", due)
    return TargetStatus(target, "open", due)


def _rounds(
    target: Target, every: timedelta, zero: datetime, now: datetime, state: WalkState
) -> TargetStatus:
    ended = _until_reached(state, target.until)
    if every <= timedelta(0):
        return TargetStatus(target, "open", None, ended)
    last_counted = min(now, ended) if ended is not None else now
    done = max(0, (last_counted - zero) // every)
    last = zero + done * every if done else None
    if ended is not None:
        return TargetStatus(target, "met", None, ended, done, last)
    if state.closed:
        return TargetStatus(target, "open", None, None, done, last)
    return TargetStatus(target, "open", zero + (done + 1) * every, None, done, last)


def _settled(state: WalkState, top: Runbook) -> dict[tuple[str, str | None, str | None], datetime]:
    """When each possible `met_by` event first happened on the walk's path: (step, None, None)
    a step settled, (step, option, None) an option chosen, (step, None, item) an item done."""
    found: dict[tuple[str, str | None, str | None], datetime] = {}

    def note(key: tuple[str, str | None, str | None], at: datetime) -> None:
        if key not in found or at < found[key]:
            found[key] = at

    entries = state.entries
    for index, entry in enumerate(entries):
        if entry.runbook != top.id:
            continue
        step = top.steps.get(entry.step)
        if step is None:
            continue
        settled = _step_settled(step.type, [i.id for i in step.items], entry, entries, index)
        if settled is not None:
            note((entry.step, None, None), settled)
        if step.type == "decision" and entry.result is not None:
            note((entry.step, str(entry.result.value), None), entry.result.at)
        for item_id, record in entry.items.items():
            if record.value == "done":
                note((entry.step, None, item_id), record.at)
    return found


def _step_settled(
    kind: str, items: list[str], entry: PathEntry, entries: tuple[PathEntry, ...], index: int
) -> datetime | None:
    """When this visit settled its step (what meets a step's own `due`), or None."""
    if kind == "end":
        return entry.at
    if kind == "runbook":
        depth = len(entry.stack)
        # The walk is back at this depth once the sub-runbook returned: nearly always soon
        # after, so the rest of the path is walked, not copied.
        return next((e.at for e in islice(entries, index + 1, None) if len(e.stack) == depth), None)
    if kind == "checklist":
        records = [entry.items.get(item) for item in items]
        if not records or any(r is None or r.value == "deferred" for r in records):
            return None
        return max(r.at for r in records if r is not None)
    result = entry.result
    if result is None or result.value in ("deferred", "skipped"):
        return None
    return result.at


def _earliest(
    reached: Mapping[tuple[str, str | None, str | None], datetime],
    events: tuple[TargetEvent, ...],
) -> datetime | None:
    times = [
        reached[(event.step, event.option, event.item)]
        for event in events
        if (event.step, event.option, event.item) in reached
    ]
    return min(times) if times else None


def _until_reached(state: WalkState, until: tuple[str, ...]) -> datetime | None:
    """When the walk first entered a step of `until` in the top runbook (None: not yet)."""
    if not until:
        return None
    return next(
        (e.at for e in state.entries if e.runbook == state.runbook and e.step in until), None
    )


def next_target(statuses: list[TargetStatus], now: datetime) -> TargetStatus | None:
    """The target to name in the header: the soonest deadline or round still to come; None
    when nothing is still to come."""
    coming = [s for s in statuses if s.state == "open" and s.due is not None and s.due >= now]
    return min(coming, key=lambda s: s.due or now) if coming else None


def target_reminders(state: WalkState, now: datetime) -> list[TargetReminder]:
    """Reminders to show and log now, not logged before (the journal's `reminder` events are
    in `state.target_reminded`, so a replay or a second caller finds none twice): an unmet
    deadline that passed, and the latest round that came due. Nothing once closed."""
    if state.closed:
        return []
    due: list[TargetReminder] = []
    logged = state.target_reminded
    for status in target_statuses(state, now):
        target = status.target
        if status.state == "missed" and status.due is not None:
            before = logged.get((target.id, "overdue"))
            if before is None or before < status.due:
                due.append(TargetReminder(target, "overdue", status.due))
        elif target.repeating and status.state == "open" and status.last_round is not None:
            before = logged.get((target.id, "round"))
            if before is None or before < status.last_round:
                due.append(TargetReminder(target, "round", status.last_round))
    return due
