"""The report's words: its labels in each language, and every journal event described in them.

`Words` names steps, items and times the way the incident's own runbooks and time zone do;
`describe` turns one event into a sentence. Unknown event types are still shown, with their
fields, so a journal written by a newer version reads in full.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any

from draaiboek.model.runbook import Runbook, Step

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Incidentverslag",
        "failed": "VERIFICATIE MISLUKT",
        "none": "Geen.",
        "failed_detail": "Het logboek is na het schrijven veranderd of beschadigd: eerste fout op "
        "regel {line} (seq {seq}): {reason}. Hieronder staat wat nog te lezen is.",
        "verified": "Logboek intact: {events} gebeurtenissen, de hashketen klopt.",
        "summary": "Samenvatting",
        "verification": "Verificatie",
        "people": "Dienstdoenden",
        "timeline": "Tijdlijn",
        "decisions": "Besluiten",
        "actions": "Acties en punten",
        "notes": "Notities",
        "corrections": "Correcties",
        "deadlines": "Termijnen",
        "open_closed": "Open bij afsluiten",
        "open_now": "Nu nog open",
        "remarks": "Opmerkingen bij dit verslag",
        "incident": "Incident",
        "runbook": "Draaiboek",
        "version": "Versie",
        "mode": "Modus",
        "live": "live",
        "exercise": "oefening",
        "state": "Stand",
        "open": "open",
        "paused": "gepauzeerd",
        "closed": "afgesloten",
        "outcome": "Uitkomst",
        "started": "Begonnen",
        "ended": "Afgesloten",
        "last": "Laatste",
        "duration": "Duur",
        "so_far": "{span} (loopt nog)",
        "timezone": "Tijdzone",
        "operators": "Dienstdoenden",
        "tool": "Programma",
        "last_hash": "Laatste hash",
        "events": "Gebeurtenissen",
        "result": "Resultaat",
        "time": "Tijd",
        "elapsed": "T+",
        "by": "Door",
        "event": "Gebeurtenis",
        "step": "Stap",
        "option": "Gekozen",
        "reason": "Reden",
        "text": "Tekst",
        "from": "Van",
        "to": "Naar",
        "due": "Uiterlijk",
        "status": "Status",
        "detail": "Toelichting",
        "done": "gedaan",
        "skipped": "niet mogelijk",
        "deferred": "uitgesteld",
        "met": "gehaald",
        "missed": "te laat",
        "overdue": "verstreken",
        "late_by": "{span} te laat",
        "met_at": "om {time}",
        "resolved": "opgelost",
        "handed-over": "overgedragen",
        "escalated": "opgeschaald",
        "aborted": "afgebroken",
        "user": "door gebruiker",
        "interrupted": "onderbroken",
        "input-ended": "invoer beëindigd",
        "ev_opened": "Incident geopend met draaiboek {runbook} {version} ({mode}) door {operator}",
        "ev_entered": "Naar stap {step}",
        "ev_answered": "Besluit bij {step}: {option}",
        "ev_recorded": "Vastgelegd bij {step}: {value}",
        "ev_action": "Actie {step}: {result}",
        "ev_item": "Punt {item}: {result}",
        "ev_note": "Notitie bij {step}: {text}",
        "ev_corrected": "Correctie: terug naar {step} (vanaf {origin})",
        "ev_reminder": "Herinnering: {step} (elke {minutes} min)",
        "ev_overdue": "Herinnering: termijn verstreken voor {step}",
        "ev_paused": "Gepauzeerd ({reason})",
        "ev_resumed": "Hervat door {by}",
        "ev_handover": "Overdracht van {origin} aan {to}",
        "ev_inject": "Inject: {text}",
        "ev_recovered": "Hersteld na een onderbroken schrijfactie ({bytes} bytes apart gezet in "
        "{file})",
        "ev_called": "Subdraaiboek {runbook} {version} gestart vanuit {step}",
        "ev_returned": "Terug uit subdraaiboek {runbook} (uitkomst: {outcome})",
        "ev_confirmed": "Afsluiten bevestigd, nog open: {open}",
        "ev_not_confirmed": "Afsluiten niet bevestigd (nog open: {open})",
        "ev_closed": "Afgesloten met uitkomst {outcome}; nog open: {open}",
        "ev_unknown": "{type}: {fields}",
        "late": " (later afgerond)",
        "no_runbooks": "De opgeslagen draaiboeken zijn niet te lezen ({error}); stappen staan er "
        "met hun id.",
        "no_replay": "Termijnen en open punten zijn niet te bepalen: {error}",
        "bad_lines": "{count} regel(s) van het logboek zijn onleesbaar en ontbreken hieronder.",
    },
    "en": {
        "title": "Incident report",
        "failed": "VERIFICATION FAILED",
        "none": "None.",
        "failed_detail": "The journal was changed or damaged after it was written: first problem "
        "on line {line} (seq {seq}): {reason}. What can still be read follows.",
        "verified": "Journal intact: {events} events, the hash chain holds.",
        "summary": "Summary",
        "verification": "Verification",
        "people": "Duty officers",
        "timeline": "Timeline",
        "decisions": "Decisions",
        "actions": "Actions and items",
        "notes": "Notes",
        "corrections": "Corrections",
        "deadlines": "Deadlines",
        "open_closed": "Open at close",
        "open_now": "Still open now",
        "remarks": "Remarks on this report",
        "incident": "Incident",
        "runbook": "Runbook",
        "version": "Version",
        "mode": "Mode",
        "live": "live",
        "exercise": "exercise",
        "state": "State",
        "open": "open",
        "paused": "paused",
        "closed": "closed",
        "outcome": "Outcome",
        "started": "Started",
        "ended": "Closed",
        "last": "Last event",
        "duration": "Duration",
        "so_far": "{span} (still running)",
        "timezone": "Time zone",
        "operators": "Duty officers",
        "tool": "Tool",
        "last_hash": "Last hash",
        "events": "Events",
        "result": "Result",
        "time": "Time",
        "elapsed": "T+",
        "by": "By",
        "event": "Event",
        "step": "Step",
        "option": "Chosen",
        "reason": "Reason",
        "text": "Text",
        "from": "From",
        "to": "To",
        "due": "Due",
        "status": "Status",
        "detail": "Detail",
        "done": "done",
        "skipped": "not possible",
        "deferred": "deferred",
        "met": "met",
        "missed": "missed",
        "overdue": "overdue",
        "late_by": "{span} late",
        "met_at": "at {time}",
        "resolved": "resolved",
        "handed-over": "handed over",
        "escalated": "escalated",
        "aborted": "aborted",
        "user": "by the user",
        "interrupted": "interrupted",
        "input-ended": "input ended",
        "ev_opened": "Incident opened with runbook {runbook} {version} ({mode}) by {operator}",
        "ev_entered": "To step {step}",
        "ev_answered": "Decision at {step}: {option}",
        "ev_recorded": "Recorded at {step}: {value}",
        "ev_action": "Action {step}: {result}",
        "ev_item": "Item {item}: {result}",
        "ev_note": "Note at {step}: {text}",
        "ev_corrected": "Correction: back to {step} (from {origin})",
        "ev_reminder": "Reminder: {step} (every {minutes} min)",
        "ev_overdue": "Reminder: deadline passed for {step}",
        "ev_paused": "Paused ({reason})",
        "ev_resumed": "Resumed by {by}",
        "ev_handover": "Handover from {origin} to {to}",
        "ev_inject": "Inject: {text}",
        "ev_recovered": "Recovered from an interrupted write ({bytes} bytes set aside in {file})",
        "ev_called": "Sub-runbook {runbook} {version} started from {step}",
        "ev_returned": "Back from sub-runbook {runbook} (outcome: {outcome})",
        "ev_confirmed": "Closing confirmed, still open: {open}",
        "ev_not_confirmed": "Closing not confirmed (still open: {open})",
        "ev_closed": "Closed with outcome {outcome}; still open: {open}",
        "ev_unknown": "{type}: {fields}",
        "late": " (completed later)",
        "no_runbooks": "The stored runbooks cannot be read ({error}); steps are shown by id.",
        "no_replay": "Deadlines and open items cannot be determined: {error}",
        "bad_lines": "{count} line(s) of the journal cannot be read and are missing below.",
    },
}
_RESERVED = ("seq", "at", "type", "by", "prev", "hash")


def span(value: timedelta) -> str:
    seconds = max(0, int(value.total_seconds()))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Words:
    """Labels and names in the report's language, from the runbooks the incident used."""

    def __init__(
        self,
        lang: str,
        runbooks: Mapping[str, Runbook],
        top: str,
        zone: tzinfo,
        start: datetime | None,
    ) -> None:
        self.w, self.lang, self.runbooks, self.top = LABELS[lang], lang, runbooks, top
        self.zone, self.start = zone, start

    def __call__(self, key: str, **params: Any) -> str:
        text = self.w.get(key, key)
        return text.format(**params) if params else text

    def node(self, runbook: Any, step: Any) -> Step | None:
        found = self.runbooks.get(str(runbook))
        return found.steps.get(str(step)) if found else None

    def step(self, runbook: Any, step: Any, item: Any = None) -> str:
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
        return at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S") if at else "?"

    def elapsed(self, at: datetime | None) -> str:
        return "T+" + span(at - self.start) if at and self.start else "?"

    def text(self, value: Any) -> str:
        if isinstance(value, dict):  # a text in several languages (an inject's message)
            return str(value.get(self.lang) or next(iter(value.values()), ""))
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def describe(event: Mapping[str, Any], words: Words) -> str:
    """One event in words, in the report's language."""
    kind, get = str(event.get("type")), event.get
    w, step = words, words.step(get("runbook"), get("step"))
    if kind == "opened":
        mode = w(str(get("mode"))) if get("mode") in ("live", "exercise") else get("mode")
        return w(
            "ev_opened",
            runbook=get("runbook"),
            version=get("version"),
            mode=mode,
            operator=get("operator") or get("by"),
        )
    if kind == "entered":
        return w("ev_entered", step=step)
    if kind == "answered":
        node = w.node(get("runbook"), get("step"))
        option = node.option(str(get("option"))) if node else None
        return w(
            "ev_answered",
            step=step,
            option=f"“{option.label.get(w.lang)}”" if option else get("option"),
        )
    if kind == "recorded":
        return w("ev_recorded", step=step, value=w.text(get("value")))
    if kind in ("action", "item"):
        result = w(str(get("result")))
        if get("reason"):
            result += f": {get('reason')}"
        result += w("late") if get("late") else ""
        if kind == "action":
            return w("ev_action", step=step, result=result)
        return w("ev_item", item=w.step(get("runbook"), get("step"), get("item")), result=result)
    if kind == "note":
        return w("ev_note", step=step, text=w.text(get("text")))
    if kind == "corrected":
        return w("ev_corrected", step=step, origin=w.step(get("from_runbook"), get("from_step")))
    if kind == "reminder":
        target = w.step(get("runbook"), get("step"), get("item"))
        node = w.node(get("runbook"), get("step"))
        if get("kind") == "repeat" and node is not None and node.repeat is not None:
            return w("ev_reminder", step=target, minutes=round(node.repeat.total_seconds() / 60))
        return w("ev_overdue", step=target)
    simple = {
        "paused": lambda: w("ev_paused", reason=w(str(get("reason")))),
        "resumed": lambda: w("ev_resumed", by=get("by")),
        "handover": lambda: w("ev_handover", origin=get("from") or get("by"), to=get("to")),
        "inject": lambda: w("ev_inject", text=w.text(get("message", get("text", "")))),
        "recovered": lambda: w("ev_recovered", bytes=get("torn_bytes"), file=get("saved_as")),
        "called": lambda: w(
            "ev_called",
            runbook=get("runbook"),
            version=get("version"),
            step=w.step(get("from_runbook"), get("from_step")),
        ),
        "returned": lambda: w(
            "ev_returned", runbook=get("runbook"), outcome=w(str(get("outcome")))
        ),
        "confirmed": lambda: w(
            "ev_confirmed" if get("yes") else "ev_not_confirmed", open=w.keys(get("open"))
        ),
        "closed": lambda: w("ev_closed", outcome=w(str(get("outcome"))), open=w.keys(get("open"))),
    }
    if kind in simple:
        return simple[kind]()
    fields = {k: v for k, v in event.items() if k not in _RESERVED}
    return w("ev_unknown", type=kind, fields=json.dumps(fields, ensure_ascii=False))
