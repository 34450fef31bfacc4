"""`status --format json`: where an incident stands, as data with fixed keys for other tools.

Times are UTC ISO 8601 with microseconds, as every `at` in the journal. Keys (always present):
incident, runbook {id, version, title}, mode, state (open|paused|closed), outcome, operator,
opened, time_zero, time_zero_from (first-signal|opened), timezone, current_step ({runbook,
step, title} or null), open_items, not_done (critical work marked not possible), targets
({id, title, due, state, critical, met_at}; a round also every_seconds and rounds_done),
deadlines (the steps' own), decisions, notes (the latest few), examples, verified.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from draaiboek.engine import deadlines
from draaiboek.engine.state import WalkState, open_key
from draaiboek.engine.targets import target_statuses
from draaiboek.services.handover import handover_summary
from draaiboek.services.incidents import IncidentSummary


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="microseconds") if moment is not None else None


def _title(state: WalkState, runbook: str, step: str, item: str | None, lang: str) -> str:
    found = state.runbooks.get(runbook)
    node = found.steps.get(step) if found is not None else None
    if node is None:
        return step
    if item is not None:
        entry = node.item(item)
        return entry.label.get(lang) if entry is not None else item
    return node.title.get(lang)


def status_data(
    state: WalkState,
    summary: IncidentSummary,
    *,
    opened: Mapping[str, Any] | None,
    verified: bool,
    lang: str,
    now: datetime,
) -> dict[str, Any]:
    """The JSON object of `status --format json` (see the module docstring) at `now` (aware):
    `opened` is the journal's first event (for the examples flag), `verified` whether the
    journal checked out, `lang` the language of titles."""
    top = state.runbooks.get(state.runbook)
    current = state.current
    summary_now = handover_summary(state, now)
    current_step = (
        {
            "runbook": current.runbook,
            "step": current.step,
            "title": _title(state, current.runbook, current.step, None, lang),
        }
        if current is not None and current.step
        else None
    )
    return {
        "incident": summary.id,
        "runbook": {
            "id": state.runbook,
            "version": state.version,
            "title": top.title.get(lang) if top is not None else state.runbook,
        },
        "mode": state.mode,
        "state": summary.state,
        "outcome": state.outcome,
        "operator": state.operator,
        "opened": _iso(state.started_at),
        "time_zero": _iso(state.time_zero),
        "time_zero_from": "first-signal" if state.first_signal is not None else "opened",
        "timezone": summary.timezone,
        "current_step": current_step,
        "open_items": [
            {
                "key": item.key,
                "title": _title(state, item.runbook, item.step, item.item, lang),
                "critical": item.critical,
                "deferred_at": _iso(item.deferred_at),
            }
            for item in summary_now.open_items
        ],
        "not_done": [
            {
                "key": done.key,
                "title": _title(state, done.runbook, done.step, done.item, lang),
                "reason": done.reason,
                "at": _iso(done.at),
            }
            for done in summary_now.not_done
        ],
        "targets": [s.as_dict(lang) for s in target_statuses(state, now)],
        "deadlines": [
            {
                "key": open_key(d.runbook, d.step, d.item or None),
                "title": _title(state, d.runbook, d.step, d.item, lang),
                "due": _iso(d.due_at),
                "state": d.status,
                "met_at": _iso(d.met_at),
            }
            for d in deadlines.deadlines(state, now)
        ],
        "decisions": [
            {
                "runbook": d.runbook,
                "step": d.step,
                "title": _title(state, d.runbook, d.step, None, lang),
                "answer": d.answer,
                "at": _iso(d.at),
            }
            for d in summary_now.decisions
        ],
        "notes": [
            {"at": _iso(note.at), "by": note.by, "step": note.step, "text": note.text}
            for note in summary_now.notes
        ],
        "examples": bool((opened or {}).get("examples", False)),
        "verified": verified,
    }
