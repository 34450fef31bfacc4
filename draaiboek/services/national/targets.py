"""What the overview computes from a runbook and an incident's summary: targets, open critical
items, time zero. Pure functions: the summary's marks map what happened to the station's time.

Mark keys (kept per batch by the store): ``e:RB/STEP`` entered, ``o:RB/STEP/OPTION`` chosen,
``a:RB/STEP`` action done, ``i:RB/STEP/ITEM`` item done, ``r:RB/STEP`` value recorded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from draaiboek.model.runbook import Runbook, TargetEvent
from draaiboek.model.timezone import DEFAULT_TIMEZONE, zone_name

SOON = timedelta(minutes=10)
_HHMM = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")


@dataclass(frozen=True)
class TargetState:
    """One target of an incident: `state` is met, late (met after `due`), missed (not met and
    past `due`), due-soon (within 10 minutes), open, or round (a repeated round; `due` is the
    next one). Times are timezone-aware."""

    id: str
    title: str
    due: datetime | None
    state: str
    met_at: datetime | None
    critical: bool


def _at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _mark(runbook_id: str, event: TargetEvent) -> str:
    if event.option is not None:
        return f"o:{runbook_id}/{event.step}/{event.option}"
    if event.item is not None:
        return f"i:{runbook_id}/{event.step}/{event.item}"
    return f"e:{runbook_id}/{event.step}"


def target_states(
    runbook: Runbook, marks: Mapping[str, str], zero: datetime, now: datetime, lang: str
) -> list[TargetState]:
    """Every incident-level target of `runbook`, counted from time zero `zero`."""
    states = []
    for target in runbook.targets:
        title = target.title.get(lang)
        if target.every is not None:
            if any(f"e:{runbook.id}/{step}" in marks for step in target.until):
                continue  # the rounds have ended
            rounds = max(0, math.floor((now - zero) / target.every)) + 1
            due = zero + rounds * target.every
            state = "due-soon" if due - now <= SOON else "round"
            states.append(TargetState(target.id, title, due, state, None, target.critical))
            continue
        if target.within is None:
            continue
        due = zero + target.within
        times = [_at(marks.get(_mark(runbook.id, event))) for event in target.met_by]
        met_at = min((t for t in times if t is not None), default=None)
        if met_at is not None:
            state = "met" if met_at <= due else "late"
        elif now > due:
            state = "missed"
        elif due - now <= SOON:
            state = "due-soon"
        else:
            state = "open"
        states.append(TargetState(target.id, title, due, state, met_at, target.critical))
    return states


def open_critical(
    runbooks: Mapping[str, Runbook], marks: Mapping[str, str], lang: str
) -> list[str]:
    """Titles of critical checklist items and critical actions on steps that were entered and
    are not done (marked not possible or deferred counts as not done)."""
    found = []
    for runbook in runbooks.values():
        for step in runbook.steps.values():
            if f"e:{runbook.id}/{step.id}" not in marks:
                continue
            if step.type == "action" and step.critical and f"a:{runbook.id}/{step.id}" not in marks:
                found.append(step.title.get(lang))
            for item in step.items:
                if item.critical and f"i:{runbook.id}/{step.id}/{item.id}" not in marks:
                    found.append(f"{step.title.get(lang)}: {item.label.get(lang)}")
    return found


def time_zero(value: str | None, recorded_at: datetime, timezone: str | None) -> datetime | None:
    """The first signal as recorded at the time-zero step: an ISO 8601 date-time, or a local
    time HH:MM meaning its most recent occurrence at or before `recorded_at` (in the incident's
    time zone). None when the value is neither."""
    if not value:
        return None
    try:
        zone = ZoneInfo(zone_name(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    match = _HHMM.match(value)
    if match:
        local = recorded_at.astimezone(zone)
        candidate = local.replace(
            hour=int(match.group(1)), minute=int(match.group(2)), second=0, microsecond=0
        )
        if candidate > local:
            candidate = (candidate - timedelta(days=1)).replace(tzinfo=zone)
        return candidate
    parsed = _at(value.strip())
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
