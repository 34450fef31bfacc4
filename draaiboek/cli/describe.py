"""Steps, items and journal events in words, in the walk's language (texts from the catalogue).

Used by the confirmation lines of a walk, its overview, `status` and the exercise timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from draaiboek.engine.state import WalkState
from draaiboek.model.catalogue import Messages
from draaiboek.model.runbook import Runbook, Step


def what(lang: str, state: WalkState, runbook: str, step: str, item: str | None) -> str:
    """The title of a step (or the label of a checklist item) as the runbook says it in `lang`;
    `runbook/step` when the incident's runbooks do not have it."""
    found = state.runbooks.get(runbook)
    if found is None or step not in found.steps:
        return f"{runbook}/{step}"
    the_step = found.step(step)
    if item is not None:
        the_item = the_step.item(item)
        return the_item.label.get(lang) if the_item else item
    return the_step.title.get(lang)


def step_of(state: WalkState, runbook: str, step_id: str) -> Step | None:
    """The step, when the incident's runbooks have it."""
    found: Runbook | None = state.runbooks.get(runbook)
    return found.steps.get(step_id) if found is not None else None


def describe(t: Messages, state: WalkState, event: Mapping[str, Any]) -> str:
    """One journal event in words (`event.*` texts), for the confirmation line and overviews;
    an unknown type is named as it is."""
    lang = t.lang
    kind = str(event.get("type"))
    runbook = str(event.get("runbook", ""))
    step_id = str(event.get("step", ""))
    title = what(lang, state, runbook, step_id, None) if step_id else runbook
    if kind == "entered":
        return t("event.entered", title=title)
    if kind == "answered":
        step = step_of(state, runbook, step_id)
        option = step.option(str(event.get("option"))) if step else None
        label = option.label.get(lang) if option else str(event.get("option"))
        return t("event.answered", label=label)
    if kind == "recorded":
        return t("event.recorded", value=event.get("value"))
    if kind == "action":
        reason = event.get("reason", "")
        return t(f"event.action.{event.get('result')}", title=title, reason=reason)
    if kind == "item":
        label = what(lang, state, runbook, step_id, str(event.get("item")))
        reason = event.get("reason", "")
        return t(f"event.item.{event.get('result')}", label=label, reason=reason)
    if kind == "called":
        sub = state.runbooks.get(runbook)
        return t("event.called", title=sub.title.get(lang) if sub else runbook)
    if kind == "closed" and event.get("stopped"):  # /stop: ended early, with its reason
        outcome = t(f"outcome.{event.get('outcome')}")
        return t("event.stopped", outcome=outcome, reason=event.get("reason", ""))
    if kind in ("returned", "closed"):
        return t(f"event.{kind}", outcome=t(f"outcome.{event.get('outcome')}"))
    if kind == "time-zero":
        key = "event.time-zero-corrected" if "corrects" in event else "event.time-zero"
        return t(key, time=_local_time(event.get("local"), event.get("time_zero")))
    if kind == "confirmed":
        return t("event.confirmed.yes" if event.get("yes") else "event.confirmed.no")
    if kind == "opened":
        return t("event.opened", mode=t(f"mode.{event.get('mode')}"))
    if kind == "handover":
        return t("event.handover", from_=event.get("from", ""), to=event.get("to", ""))
    if kind == "recovered":
        return t("event.recovered", bytes=event.get("torn_bytes"), file=event.get("saved_as"))
    if kind == "note":
        return t("event.note", text=event.get("text", ""))
    if kind == "corrected":
        return t("event.corrected", title=title)
    if kind == "reminder":
        if "target" in event:  # an incident target's reminder
            return t("event.reminder", title=_target_title(lang, state, event.get("target")))
        return t("event.reminder", title=title)
    if kind == "resumed":
        return t("event.resumed", name=event.get("by", ""))
    if kind == "inject":
        return t("event.inject", message=event.get("message", ""))
    if kind == "paused":
        return t("event.paused")
    if kind == "clock":  # the system clock read earlier than the event before
        from datetime import timedelta

        from draaiboek.model.durations import format_clock

        back = timedelta(seconds=int(event.get("back_seconds") or 0))
        return t("event.clock", back=format_clock(back))
    return t("event.other", type=kind)


def _local_time(local: Any, utc: Any) -> str:
    """A time-zero event's moment in the incident's zone, `2026-11-23 17:52 +0100` (the date
    and offset too: it may be yesterday's, or in an hour the clocks repeat), from its ISO 8601
    `local` (else its UTC `time_zero`)."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(str(local or utc))
    except ValueError:
        return str(local or utc)
    return moment.strftime("%Y-%m-%d %H:%M %z")


def _target_title(lang: str, state: WalkState, target_id: Any) -> str:
    top = state.runbooks.get(state.runbook)
    found = next((x for x in top.targets if x.id == target_id), None) if top else None
    return found.title.get(lang) if found is not None else str(target_id)
