"""What to remind a duty officer of now: steps' deadlines and repeats, and the incident's targets.

The one list a walk shows (and logs as `reminder` events) while it waits at a prompt: the
session calls `due_reminders` with its clock, before each prompt and from a ticker while the
prompt waits. What is logged is in the state (`reminded`, `target_reminded`), so the same
reminder is never due twice, across threads, resumes and replays.
"""

from __future__ import annotations

from datetime import datetime

from draaiboek.engine import deadlines
from draaiboek.engine.decide import Draft
from draaiboek.engine.state import WalkState
from draaiboek.engine.targets import TargetReminder, target_reminders

Reminder = deadlines.ReminderDue | TargetReminder


def due_reminders(state: WalkState, now: datetime) -> list[Reminder]:
    """Reminders due at `now` (aware) and not logged yet: incident targets first (a deadline
    passed unmet, a round come due), then steps (a repeat come round, a deadline passed)."""
    found: list[Reminder] = [*target_reminders(state, now)]
    found += deadlines.due_reminders(state, now)
    return found


def reminder_draft(reminder: Reminder) -> Draft:
    """The `reminder` event to log once it is shown: {"target", "kind": overdue|round, "due"}
    for a target, {"runbook", "step", "item"?, "kind": repeat|overdue, "due_at"} for a step."""
    if isinstance(reminder, TargetReminder):
        return reminder.draft()
    return deadlines.reminder_draft(reminder)
