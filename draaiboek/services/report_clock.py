"""The report's words for the events of the incident's clock: time zero set or corrected, a
target's reminder, and an incident stopped early (`/stop`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from draaiboek.services.report_words import Words


def describe_clock(event: Mapping[str, Any], w: Words) -> str | None:
    """The sentence for a `time-zero`, a target `reminder` or a stopped `closed` event; None
    for any other event (the caller describes it)."""
    kind, get = event.get("type"), event.get
    if kind == "time-zero":
        moment = _moment(get("time_zero"))
        shown = w.local(moment) if moment is not None else str(get("value"))
        if "corrects" in event:
            return w("report.event.time-zero-corrected", time=shown, seq=get("corrects"))
        return w("report.event.time-zero", time=shown)
    if kind == "reminder" and "target" in event:
        top = w.runbooks.get(w.top)
        target = next((x for x in top.targets if x.id == get("target")), None) if top else None
        title = f"“{target.title.get(w.lang)}”" if target is not None else str(get("target"))
        if get("kind") == "round":
            due = _moment(get("due"))
            return w("report.event.target-round", target=title, time=w.local(due))
        return w("report.event.target-overdue", target=title)
    if kind == "closed" and get("stopped"):
        return w(
            "report.event.stopped",
            outcome=w.word("outcome", get("outcome")),
            reason=w.text(get("reason", "")),
            open=w.keys(get("open")),
        )
    return None


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
