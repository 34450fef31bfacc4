"""The report's words: every journal event described in the report's language.

`Words` gives the catalogue's texts (keys `report.…`) and names steps, items and times the way
the incident's own runbooks and time zone do; `describe` turns one event into a sentence.
Unknown event types are still shown, with their fields, so a journal written by a newer version
reads in full.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from types import NoneType
from typing import Any

from draaiboek.model.catalogue import Messages
from draaiboek.model.durations import format_clock
from draaiboek.model.runbook import Runbook, Step
from draaiboek.model.wallclock import wall_time

_RESERVED = ("seq", "at", "type", "by", "prev", "hash", "hash_rule")


class Words(Messages):
    """Texts and names in the report's language, from the runbooks the incident used.

    `words("report.key", name=...)` is a text from the catalogue (see `Messages`).
    """

    def __init__(
        self,
        lang: str,
        runbooks: Mapping[str, Runbook],
        top: str,
        zone: tzinfo,
        start: datetime | None,
    ) -> None:
        super().__init__(lang)
        self.runbooks, self.top, self.zone, self.start = runbooks, top, zone, start
        # A long incident names the same few steps tens of thousands of times.
        self._names: dict[tuple[str, str, str | None], str] = {}
        # ... and describes the same few visits and answers as often (see `describe`).
        self.said: dict[tuple[object, ...], str] = {}

    def node(self, runbook: Any, step: Any) -> Step | None:
        found = self.runbooks.get(str(runbook))
        return found.steps.get(str(step)) if found else None

    def step(self, runbook: Any, step: Any, item: Any = None) -> str:
        key = (str(runbook), str(step), None if item is None else str(item))
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = self._step(runbook, step, item)
        return name

    def _step(self, runbook: Any, step: Any, item: Any) -> str:
        node = self.node(runbook, step)
        name = f"“{node.title.get(self.lang)}”" if node else str(step)
        if item is not None:
            entry = node.item(str(item)) if node else None
            name = f"“{entry.label.get(self.lang)}” ({name})" if entry else f"{item} ({name})"
        return name if str(runbook) == self.top else f"{name} [{runbook}]"

    def key(self, key: Any) -> str:
        """An open action or item as named in events: runbook/step or runbook/step/item."""
        return self.step(*str(key).split("/", 2)) if str(key).count("/") else str(key)

    def keys(self, keys: Any) -> str:
        return ", ".join(self.key(k) for k in keys) if isinstance(keys, list) and keys else "—"

    def local(self, at: datetime | None) -> str:
        """Date and time in the incident's zone, with the zone's abbreviation on a day with a
        DST change (see model.wallclock)."""
        return wall_time(at, self.zone, "%Y-%m-%d %H:%M:%S") if at else "?"

    def elapsed(self, at: datetime | None) -> str:
        return "T+" + format_clock(at - self.start) if at and self.start else "?"

    def text(self, value: Any) -> str:
        if isinstance(value, dict):  # a text in several languages (an inject's message)
            return str(value.get(self.lang) or next(iter(value.values()), ""))
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def moment(value: Any) -> datetime | None:
    """``value`` (an ISO 8601 time, as the journal writes them) as a datetime; None when it is
    missing or not ISO 8601."""
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


# Events whose words follow from their type, runbook, step, option, item, result and whether
# they are late (a reason or a recorded value is free text: those are described each time).
_REMEMBERED = frozenset(("entered", "answered", "action", "item"))


def describe(event: Mapping[str, Any], words: Words) -> str:
    """One event in words, in the report's language."""
    get = event.get
    kind = get("type")
    if type(kind) is not str or kind not in _REMEMBERED or get("reason"):
        return _describe(event, words)
    late = get("late")
    key = (kind, get("runbook"), get("step"), get("option"), get("item"), get("result"), late)
    try:
        said = words.said.get(key)
    except TypeError:  # a list or a map where a name belongs: not remembered
        return _describe(event, words)
    if said is None:
        said = _describe(event, words)
        # Only names (str or None) and a yes/no are remembered, so that a later key equal to
        # this one (1 == True) always reads the same (only `late`'s truth counts).
        if all(v is None or type(v) is str for v in key[1:6]) and type(late) in (bool, NoneType):
            words.said[key] = said
    return said


def _describe(event: Mapping[str, Any], words: Words) -> str:
    kind, get = str(event.get("type")), event.get
    w, step = words, words.step(get("runbook"), get("step"))
    if kind == "opened":
        mode = w.word("report.mode", get("mode"))
        return w(
            "report.event.opened",
            runbook=get("runbook"),
            version=get("version"),
            mode=mode,
            operator=get("operator") or get("by"),
        )
    if kind == "entered":
        return w("report.event.entered", step=step)
    if kind == "answered":
        node = w.node(get("runbook"), get("step"))
        option = node.option(str(get("option"))) if node else None
        return w(
            "report.event.answered",
            step=step,
            option=f"“{option.label.get(w.lang)}”" if option else get("option"),
        )
    if kind == "recorded":
        return w("report.event.recorded", step=step, value=w.text(get("value")))
    if kind in ("action", "item"):
        result = w.word("report.result", get("result"))
        if get("reason"):
            result += f": {get('reason')}"
        result += w("report.late") if get("late") else ""
        if kind == "action":
            return w("report.event.action", step=step, result=result)
        return w(
            "report.event.item",
            item=w.step(get("runbook"), get("step"), get("item")),
            result=result,
        )
    if kind == "note":
        return w("report.event.note", step=step, text=w.text(get("text")))
    if kind == "corrected":
        return w(
            "report.event.corrected",
            step=step,
            origin=w.step(get("from_runbook"), get("from_step")),
        )
    if kind in ("time-zero", "closed") or (kind == "reminder" and "target" in event):
        from draaiboek.services.report_clock import describe_clock

        found = describe_clock(event, w)
        if found is not None:
            return found
    if kind == "reminder":
        target = w.step(get("runbook"), get("step"), get("item"))
        node = w.node(get("runbook"), get("step"))
        if get("kind") == "repeat" and node is not None and node.repeat is not None:
            return w(
                "report.event.reminder",
                step=target,
                minutes=round(node.repeat.total_seconds() / 60),
            )
        return w("report.event.overdue", step=target)
    simple = {
        "paused": lambda: w("report.event.paused", reason=w.word("report.reason", get("reason"))),
        "resumed": lambda: w("report.event.resumed", by=get("by")),
        "handover": lambda: w(
            "report.event.handover", origin=get("from") or get("by"), to=get("to")
        ),
        "inject": lambda: w("report.event.inject", text=w.text(get("message", get("text", "")))),
        "recovered": lambda: w(
            "report.event.recovered", bytes=get("torn_bytes"), file=get("saved_as")
        ),
        "called": lambda: w(
            "report.event.called",
            runbook=get("runbook"),
            version=get("version"),
            step=w.step(get("from_runbook"), get("from_step")),
        ),
        "returned": lambda: w(
            "report.event.returned",
            runbook=get("runbook"),
            outcome=w.word("outcome", get("outcome")),
        ),
        "confirmed": lambda: w(
            "report.event.confirmed" if get("yes") else "report.event.not-confirmed",
            open=w.keys(get("open")),
        ),
        "closed": lambda: w(
            "report.event.closed",
            outcome=w.word("outcome", get("outcome")),
            open=w.keys(get("open")),
        ),
        "clock": lambda: w(
            "report.event.clock",
            back=format_clock(timedelta(seconds=int(get("back_seconds") or 0))),
            previous=w.local(moment(get("previous"))),
        ),
    }
    if kind == "exercise":
        return w(
            "report.event.exercise",
            title=w.text(get("title", "")),
            scenario=get("scenario"),
            version=get("scenario_version"),
            speed=f"{get('speed', 1):g}" if isinstance(get("speed"), int | float) else "?",
            start=w.local(moment(get("start"))),
        )
    if kind in simple:
        return simple[kind]()
    # An event this version does not know (a newer one wrote it): its fields in words, not as
    # JSON, so that a printed report reads as sentences.
    fields = {k: v for k, v in event.items() if k not in _RESERVED}
    return w("report.event.unknown", type=kind, fields=_in_words(fields, w))


def _in_words(fields: Mapping[str, Any], w: Words) -> str:
    """Fields as "name: value; name: value" (nested ones as "name.sub: value")."""
    parts = []
    for name, value in fields.items():
        if isinstance(value, Mapping):
            parts += [f"{name}.{sub}" for sub in _in_words(value, w).split("; ") if sub]
        elif isinstance(value, list):
            parts.append(f"{name}: " + ", ".join(w.text(item) for item in value))
        else:
            parts.append(f"{name}: {w.text(value)}")
    return "; ".join(parts) or "—"
