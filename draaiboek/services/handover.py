"""The handover summary: what a duty officer taking over an incident must know at once.

Shown when another operator resumes, in the overview (`/o`) and by `status`: the decisions so
far with their answers, what is open (critical first), critical work marked not possible (with
its reason), the latest notes and the targets still to come or missed. Data only; the CLI
renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from draaiboek.engine.criticals import NotDone, critical_not_done
from draaiboek.engine.state import NoteEntry, OpenItem, WalkState
from draaiboek.engine.targets import TargetStatus, target_statuses

RECENT_NOTES = 5  # a summary, not the journal: the report has them all


@dataclass(frozen=True)
class Decision:
    """An answer that steers the walk: a decision's option or an input step's value."""

    runbook: str
    step: str
    kind: str  # decision | input
    answer: Any  # the option id, or the value as recorded
    at: datetime


@dataclass(frozen=True)
class HandoverSummary:
    """Where an incident stands for the next operator (times aware, UTC in a walk).

    `time_zero` is what the clock counts from; `first_signal` says whether it is the first
    signal (True) or still the opening (False). `open_items` lists critical ones first;
    `targets` lists the missed ones, then those still to come by due (met ones are left out);
    `notes` are the latest RECENT_NOTES, oldest first, and `notes_total` counts them all.
    """

    time_zero: datetime | None
    first_signal: bool
    decisions: tuple[Decision, ...]
    open_items: tuple[OpenItem, ...]
    not_done: tuple[NotDone, ...]
    notes: tuple[NoteEntry, ...]
    notes_total: int
    targets: tuple[TargetStatus, ...]


def decisions_so_far(state: WalkState) -> tuple[Decision, ...]:
    """Every decision taken and value recorded on the walk's effective path, in order."""
    found = []
    for entry in state.entries:
        if entry.result is None:
            continue
        kind = state.step_of(entry.runbook, entry.step).type
        if kind in ("decision", "input"):
            found.append(
                Decision(entry.runbook, entry.step, kind, entry.result.value, entry.result.at)
            )
    return tuple(found)


def handover_summary(state: WalkState, now: datetime) -> HandoverSummary:
    """The summary of `state` at `now` (aware; see HandoverSummary)."""
    statuses = target_statuses(state, now)
    missed = [s for s in statuses if s.state == "missed"]
    coming = sorted(
        (s for s in statuses if s.state == "open" and s.due is not None),
        key=lambda s: s.due or now,
    )
    items = state.open_items
    return HandoverSummary(
        time_zero=state.time_zero,
        first_signal=state.first_signal is not None,
        decisions=decisions_so_far(state),
        open_items=(
            *(i for i in items if i.critical),
            *(i for i in items if not i.critical),
        ),
        not_done=critical_not_done(state),
        notes=state.notes[-RECENT_NOTES:],
        notes_total=len(state.notes),
        targets=(*missed, *coming),
    )
