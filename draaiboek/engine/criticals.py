"""Critical work not done: what must be shown before an incident is closed or handed over.

`state.open_items` holds what is still to do (deferred, or never answered). A critical action or
checklist item marked "not possible" is settled, so it is not open; but it was not done either,
and a duty officer closing, stopping or taking over the incident must still see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from draaiboek.engine.state import OpenItem, WalkState, open_key


@dataclass(frozen=True)
class NotDone:
    """A critical action or checklist item whose latest answer on the walk's path is "not
    possible" (skipped), with the reason given and when (aware)."""

    runbook: str
    step: str
    item: str | None
    reason: str
    at: datetime

    @property
    def key(self) -> str:
        return open_key(self.runbook, self.step, self.item)


def critical_not_done(state: WalkState) -> tuple[NotDone, ...]:
    """Critical actions and items marked not possible, in path order; a later visit of the
    same step decides (done or deferred then, it is no longer listed here)."""
    found: dict[tuple[str, str, str | None], NotDone | None] = {}
    for entry in state.entries:
        step = state.step_of(entry.runbook, entry.step)
        if step.type == "action" and entry.result is not None:
            record = entry.result
            key = (entry.runbook, entry.step, None)
            skipped = step.critical and record.value == "skipped"
            found.pop(key, None)
            found[key] = NotDone(*key, record.reason, record.at) if skipped else None
        elif step.type == "checklist":
            for item in step.items:
                answered = entry.items.get(item.id)
                if answered is None:
                    continue
                ikey = (entry.runbook, entry.step, item.id)
                skipped = item.critical and answered.value == "skipped"
                found.pop(ikey, None)
                found[ikey] = NotDone(*ikey, answered.reason, answered.at) if skipped else None
    return tuple(value for value in found.values() if value is not None)


def critical_unfinished(
    state: WalkState, open_items: tuple[OpenItem, ...] | None = None
) -> tuple[str, ...]:
    """Keys (runbook/step[/item]) of every critical item still open in `open_items` (by
    default the state's) and every one marked not possible: what closing early must confirm."""
    items = state.open_items if open_items is None else open_items
    keys = [item.key for item in items if item.critical]
    keys += [done.key for done in critical_not_done(state) if done.key not in keys]
    return tuple(keys)
