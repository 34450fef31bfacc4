"""The record of an incident, from its journal alone (the `report` service).

`build_report` turns a journal into a `Report`: generic sections (facts and tables of text) that
any renderer can show, plus `data`, the same record as plain JSON values for other tools. The
journal is read without the writer's lock, so this works on an incident that is still open.
A journal that does not verify still gets a report, which says so before anything else.

Later sections (the exercise score) plug in through `Report.add`: a section to show, and a key
with its data in the JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from draaiboek import engine
from draaiboek.incidents import IncidentError, incident_runbooks, summarise
from draaiboek.journal import JOURNAL_NAME, JournalDamaged, JournalError, read_events, verify_file
from draaiboek.model import Runbook, Step

FORMATS = ("md", "html", "json")
DEFAULT_TIMEZONE = "Europe/Amsterdam"
EXERCISE_BANNER = "OEFENING / EXERCISE"  # in both languages: an exercise is never mistaken

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Incidentverslag", "failed": "VERIFICATIE MISLUKT", "none": "Geen.",
        "failed_detail": "Het logboek is na het schrijven veranderd of beschadigd: eerste fout op "
        "regel {line} (seq {seq}): {reason}. Hieronder staat wat nog te lezen is.",
        "verified": "Logboek intact: {events} gebeurtenissen, de hashketen klopt.",
        "summary": "Samenvatting", "verification": "Verificatie", "people": "Dienstdoenden",
        "timeline": "Tijdlijn", "decisions": "Besluiten", "actions": "Acties en punten",
        "notes": "Notities", "corrections": "Correcties", "deadlines": "Termijnen",
        "open_closed": "Open bij afsluiten", "open_now": "Nu nog open",
        "remarks": "Opmerkingen bij dit verslag", "incident": "Incident", "runbook": "Draaiboek",
        "version": "Versie", "mode": "Modus", "live": "live", "exercise": "oefening",
        "state": "Stand", "open": "open", "paused": "gepauzeerd", "closed": "afgesloten",
        "outcome": "Uitkomst", "started": "Begonnen", "ended": "Afgesloten", "last": "Laatste",
        "duration": "Duur", "so_far": "{span} (loopt nog)", "timezone": "Tijdzone",
        "operators": "Dienstdoenden", "tool": "Programma", "last_hash": "Laatste hash",
        "events": "Gebeurtenissen", "result": "Resultaat", "time": "Tijd",
        "elapsed": "T+", "by": "Door", "event": "Gebeurtenis", "step": "Stap", "option": "Gekozen",
        "reason": "Reden", "text": "Tekst", "from": "Van", "to": "Naar", "due": "Uiterlijk",
        "status": "Status", "detail": "Toelichting", "done": "gedaan", "skipped": "niet mogelijk",
        "deferred": "uitgesteld", "met": "gehaald", "missed": "te laat", "overdue": "verstreken",
        "late_by": "{span} te laat", "met_at": "om {time}", "resolved": "opgelost",
        "handed-over": "overgedragen", "escalated": "opgeschaald", "aborted": "afgebroken",
        "user": "door gebruiker", "interrupted": "onderbroken", "input-ended": "invoer beëindigd",
        "ev_opened": "Incident geopend met draaiboek {runbook} {version} ({mode}) door {operator}",
        "ev_entered": "Naar stap {step}", "ev_answered": "Besluit bij {step}: {option}",
        "ev_recorded": "Vastgelegd bij {step}: {value}", "ev_action": "Actie {step}: {result}",
        "ev_item": "Punt {item}: {result}", "ev_note": "Notitie bij {step}: {text}",
        "ev_corrected": "Correctie: terug naar {step} (vanaf {origin})",
        "ev_reminder": "Herinnering: {step} (elke {minutes} min)",
        "ev_overdue": "Herinnering: termijn verstreken voor {step}",
        "ev_paused": "Gepauzeerd ({reason})", "ev_resumed": "Hervat door {by}",
        "ev_handover": "Overdracht van {origin} aan {to}", "ev_inject": "Inject: {text}",
        "ev_recovered": "Hersteld na een onderbroken schrijfactie ({bytes} bytes apart gezet in "
        "{file})",
        "ev_called": "Subdraaiboek {runbook} {version} gestart vanuit {step}",
        "ev_returned": "Terug uit subdraaiboek {runbook} (uitkomst: {outcome})",
        "ev_confirmed": "Afsluiten bevestigd, nog open: {open}",
        "ev_not_confirmed": "Afsluiten niet bevestigd (nog open: {open})",
        "ev_closed": "Afgesloten met uitkomst {outcome}; nog open: {open}",
        "ev_unknown": "{type}: {fields}", "late": " (later afgerond)",
        "no_runbooks": "De opgeslagen draaiboeken zijn niet te lezen ({error}); stappen staan er "
        "met hun id.",
        "no_replay": "Termijnen en open punten zijn niet te bepalen: {error}",
        "bad_lines": "{count} regel(s) van het logboek zijn onleesbaar en ontbreken hieronder.",
    },
    "en": {
        "title": "Incident report", "failed": "VERIFICATION FAILED", "none": "None.",
        "failed_detail": "The journal was changed or damaged after it was written: first problem "
        "on line {line} (seq {seq}): {reason}. What can still be read follows.",
        "verified": "Journal intact: {events} events, the hash chain holds.", "summary": "Summary",
        "verification": "Verification", "people": "Duty officers", "timeline": "Timeline",
        "decisions": "Decisions", "actions": "Actions and items", "notes": "Notes",
        "corrections": "Corrections", "deadlines": "Deadlines", "open_closed": "Open at close",
        "open_now": "Still open now", "remarks": "Remarks on this report", "incident": "Incident",
        "runbook": "Runbook", "version": "Version", "mode": "Mode", "live": "live",
        "exercise": "exercise", "state": "State", "open": "open", "paused": "paused",
        "closed": "closed", "outcome": "Outcome", "started": "Started", "ended": "Closed",
        "last": "Last event", "duration": "Duration", "so_far": "{span} (still running)",
        "timezone": "Time zone", "operators": "Duty officers", "tool": "Tool",
        "last_hash": "Last hash", "events": "Events", "result": "Result",
        "time": "Time", "elapsed": "T+", "by": "By", "event": "Event", "step": "Step",
        "option": "Chosen", "reason": "Reason", "text": "Text", "from": "From", "to": "To",
        "due": "Due", "status": "Status", "detail": "Detail", "done": "done",
        "skipped": "not possible", "deferred": "deferred", "met": "met", "missed": "missed",
        "overdue": "overdue", "late_by": "{span} late", "met_at": "at {time}",
        "resolved": "resolved", "handed-over": "handed over", "escalated": "escalated",
        "aborted": "aborted", "user": "by the user", "interrupted": "interrupted",
        "input-ended": "input ended",
        "ev_opened": "Incident opened with runbook {runbook} {version} ({mode}) by {operator}",
        "ev_entered": "To step {step}", "ev_answered": "Decision at {step}: {option}",
        "ev_recorded": "Recorded at {step}: {value}", "ev_action": "Action {step}: {result}",
        "ev_item": "Item {item}: {result}", "ev_note": "Note at {step}: {text}",
        "ev_corrected": "Correction: back to {step} (from {origin})",
        "ev_reminder": "Reminder: {step} (every {minutes} min)",
        "ev_overdue": "Reminder: deadline passed for {step}", "ev_paused": "Paused ({reason})",
        "ev_resumed": "Resumed by {by}", "ev_handover": "Handover from {origin} to {to}",
        "ev_inject": "Inject: {text}",
        "ev_recovered": "Recovered from an interrupted write ({bytes} bytes set aside in {file})",
        "ev_called": "Sub-runbook {runbook} {version} started from {step}",
        "ev_returned": "Back from sub-runbook {runbook} (outcome: {outcome})",
        "ev_confirmed": "Closing confirmed, still open: {open}",
        "ev_not_confirmed": "Closing not confirmed (still open: {open})",
        "ev_closed": "Closed with outcome {outcome}; still open: {open}",
        "ev_unknown": "{type}: {fields}", "late": " (completed later)",
        "no_runbooks": "The stored runbooks cannot be read ({error}); steps are shown by id.",
        "no_replay": "Deadlines and open items cannot be determined: {error}",
        "bad_lines": "{count} line(s) of the journal cannot be read and are missing below.",
    },
}
_RESERVED = ("seq", "at", "type", "by", "prev", "hash")


class ReportError(Exception):
    """Cannot report; the message is one line for the user."""


@dataclass
class Section:
    """One part of the report: facts (label, value) and/or a table, all plain text."""

    key: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    alert: str = ""  # shown prominently before the rest
    empty: str = ""  # shown when there are no facts and no rows


@dataclass
class Report:
    lang: str
    incident: str
    title: str
    exercise: bool
    verified: bool
    last_hash: str | None
    alert: str  # the verification failure, shown on every page; "" when the journal verifies
    sections: list[Section]
    data: dict[str, Any]

    def add(self, section: Section, data: Any = None) -> None:
        """Add a section (e.g. the exercise score), and its data under its key in the JSON."""
        self.sections.append(section)
        if data is not None:
            self.data[section.key] = data


def span(value: timedelta) -> str:
    seconds = max(0, int(value.total_seconds()))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _at(event: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(event.get("at")))
    except ValueError:
        return None


def _read(journal: Path) -> tuple[list[dict[str, Any]], int]:
    """All events that can be read, and how many complete lines could not."""
    try:
        return read_events(journal), 0
    except JournalDamaged:
        events: list[dict[str, Any]] = []
        bad = 0
        for raw in journal.read_bytes().split(b"\n")[:-1]:
            try:
                event = json.loads(raw)
            except ValueError:
                event = None
            if isinstance(event, dict):
                events.append(event)
            else:
                bad += 1
        return events, bad


class _Words:
    """Labels and names in the report's language, from the runbooks the incident used."""

    def __init__(self, lang: str, runbooks: Mapping[str, Runbook], top: str, zone: tzinfo,
                 start: datetime | None) -> None:
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


def describe(event: Mapping[str, Any], words: _Words) -> str:
    """One event in words, in the report's language."""
    kind, get = str(event.get("type")), event.get
    w, step = words, words.step(get("runbook"), get("step"))
    if kind == "opened":
        mode = w(str(get("mode"))) if get("mode") in ("live", "exercise") else get("mode")
        return w("ev_opened", runbook=get("runbook"), version=get("version"), mode=mode,
                 operator=get("operator") or get("by"))
    if kind == "entered":
        return w("ev_entered", step=step)
    if kind == "answered":
        node = w.node(get("runbook"), get("step"))
        option = node.option(str(get("option"))) if node else None
        return w("ev_answered", step=step, option=f"“{option.label.get(w.lang)}”" if option
                 else get("option"))
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
        "called": lambda: w("ev_called", runbook=get("runbook"), version=get("version"),
                            step=w.step(get("from_runbook"), get("from_step"))),
        "returned": lambda: w("ev_returned", runbook=get("runbook"),
                              outcome=w(str(get("outcome")))),
        "confirmed": lambda: w("ev_confirmed" if get("yes") else "ev_not_confirmed",
                               open=w.keys(get("open"))),
        "closed": lambda: w("ev_closed", outcome=w(str(get("outcome"))),
                            open=w.keys(get("open"))),
    }
    if kind in simple:
        return simple[kind]()
    fields = {k: v for k, v in event.items() if k not in _RESERVED}
    return w("ev_unknown", type=kind, fields=json.dumps(fields, ensure_ascii=False))


def build_report(folder: Path, *, lang: str, now: datetime) -> Report:
    """The report of the incident in `folder`; `now` counts for an incident still open."""
    journal = folder / JOURNAL_NAME
    try:
        events, bad_lines = _read(journal)
        check = verify_file(journal)
    except JournalError as exc:
        raise ReportError(str(exc)) from None
    words = LABELS[lang]
    remarks = [words["bad_lines"].format(count=bad_lines)] if bad_lines else []
    opened = next((e for e in events if e.get("type") == "opened"), {})
    zone_name = str(opened.get("timezone") or DEFAULT_TIMEZONE)
    try:
        zone: tzinfo = ZoneInfo(zone_name)
    except (ValueError, KeyError, OSError):  # unknown zone, or no tz database on this machine
        zone, zone_name = UTC, "UTC"
    runbooks: dict[str, Runbook] = {}
    try:
        runbooks = incident_runbooks(folder, events)
    except (IncidentError, OSError) as exc:
        remarks.append(words["no_runbooks"].format(error=exc))
    state: engine.WalkState | None = None
    try:
        state = engine.replay(runbooks, events)
    except Exception as exc:  # a damaged or foreign journal can break replay in many ways
        remarks.append(words["no_replay"].format(error=f"{type(exc).__name__}: {exc}"))
    summary = summarise(folder, events)
    started = _at(opened)
    closed = next((e for e in reversed(events) if e.get("type") == "closed"), None)
    ended = _at(closed) if closed else None
    w = _Words(lang, runbooks, str(opened.get("runbook", "")), zone, started)
    exercise = any(e.get("type") == "opened" and e.get("mode") == "exercise" for e in events)

    def when(event: Mapping[str, Any]) -> list[str]:
        at = _at(event)
        return [w.local(at), w.elapsed(at)]

    def of(*kinds: str) -> list[dict[str, Any]]:
        return [e for e in events if e.get("type") in kinds]

    timeline = [[str(e.get("seq", "?")), *when(e), str(e.get("by", "")), describe(e, w)]
                for e in events]
    handovers = [[*when(e), str(e.get("from") or e.get("by")), str(e.get("to"))]
                 for e in of("handover")]
    operators = list(dict.fromkeys([str(opened.get("operator") or opened.get("by") or "?")]
                                   + [str(e["by"]) for e in events if e.get("by")]
                                   + [str(e.get("to")) for e in of("handover")]))
    deadline_rows: list[list[str]] = []
    deadline_data: list[dict[str, Any]] = []
    open_keys: list[str] = []
    if state is not None:
        for d in engine.deadlines(state, ended or now):
            detail = (w("late_by", span=span(d.late_by)) if d.late_by is not None
                      else w("met_at", time=w.local(d.met_at)) if d.met_at else "")
            deadline_rows.append([w.step(d.runbook, d.step, d.item),
                                  f"{w.local(d.due_at)} ({w.elapsed(d.due_at)})",
                                  w(d.status), detail])
            deadline_data.append({"runbook": d.runbook, "step": d.step, "item": d.item,
                                  "due_at": d.due_at.isoformat(), "status": d.status,
                                  "met_at": d.met_at.isoformat() if d.met_at else None,
                                  "late_seconds": d.late_by.total_seconds() if d.late_by
                                  else None})
        open_keys = [i.key for i in state.open_items]
    if closed is not None and isinstance(closed.get("open"), list):
        open_keys = [str(key) for key in closed["open"]]
    end = ended or now
    duration = span(end - started) if started else "?"
    verification = {"ok": check.ok, "events": check.events, "last_hash": check.last_hash,
                    "broken_line": check.broken_line, "broken_seq": check.broken_seq,
                    "reason": check.reason, "torn_tail": check.torn_tail}
    alert = "" if check.ok else f"{words['failed']}: " + words["failed_detail"].format(
        line=check.broken_line, seq=check.broken_seq, reason=check.reason)
    title = next((rb.title.get(lang) for rb_id, rb in runbooks.items() if rb_id == summary.runbook),
                 summary.runbook)
    facts = [
        (w("incident"), summary.id), (w("runbook"), f"{summary.runbook} — {title}"),
        (w("version"), summary.version), ("sha256", str(opened.get("sha256", "?"))),
        (w("mode"), w(summary.mode) if summary.mode in ("live", "exercise") else summary.mode),
        (w("state"), w(summary.state)),
        (w("outcome"), w(summary.outcome) if summary.outcome else "—"),
        (w("started"), w.local(started)),
        (w("ended") if closed else w("last"), w.local(ended or (_at(events[-1]) if events
                                                                else None))),
        (w("duration"), duration if closed else w("so_far", span=duration)),
        (w("timezone"), zone_name), (w("operators"), ", ".join(operators)),
        (w("tool"), f"draaiboek {opened.get('tool_version', '?')}"),
    ]
    sections = [
        Section("summary", w("summary"), facts=facts),
        Section("verification", w("verification"), alert=alert, facts=[
            (w("result"), words["verified"].format(events=check.events) if check.ok
             else words["failed"]),
            (w("events"), str(check.events)), (w("last_hash"), check.last_hash or "—")]),
        Section("people", w("people"), facts=[(w("operators"), ", ".join(operators))],
                columns=[w("time"), w("elapsed"), w("from"), w("to")], rows=handovers),
        Section("timeline", w("timeline"), columns=["#", w("time"), w("elapsed"), w("by"),
                                                    w("event")], rows=timeline),
        Section("decisions", w("decisions"), columns=[w("time"), w("elapsed"), w("event")],
                rows=[[*when(e), describe(e, w)] for e in of("answered")]),
        Section("actions", w("actions"), columns=[w("time"), w("elapsed"), w("event")],
                rows=[[*when(e), describe(e, w)] for e in of("action", "item")]),
        Section("notes", w("notes"), columns=[w("time"), w("elapsed"), w("by"), w("step"),
                                              w("text")],
                rows=[[*when(e), str(e.get("by", "")), w.step(e.get("runbook"), e.get("step")),
                       w.text(e.get("text"))] for e in of("note")]),
        Section("corrections", w("corrections"), columns=[w("time"), w("elapsed"), w("event")],
                rows=[[*when(e), describe(e, w)] for e in of("corrected")]),
        Section("deadlines", w("deadlines"), columns=[w("step"), w("due"), w("status"),
                                                      w("detail")], rows=deadline_rows),
        Section("open", w("open_closed") if closed else w("open_now"), columns=[w("step")],
                rows=[[w.key(key)] for key in open_keys]),
    ]
    if remarks:
        sections.append(Section("remarks", w("remarks"), rows=[[r] for r in remarks],
                                columns=[w("detail")]))
    for section in sections:
        section.empty = section.empty or words["none"]
    data: dict[str, Any] = {
        "incident": summary.id, "runbook": summary.runbook, "title": title,
        "version": summary.version, "sha256": opened.get("sha256"), "mode": summary.mode,
        "exercise": exercise, "state": summary.state, "outcome": summary.outcome,
        "started": opened.get("at"), "ended": closed.get("at") if closed else None,
        "duration_seconds": (end - started).total_seconds() if started else None,
        "timezone": zone_name, "lang": lang, "operators": operators,
        "handovers": [{"at": e.get("at"), "from": e.get("from") or e.get("by"),
                       "to": e.get("to")} for e in of("handover")],
        "events": [{"seq": e.get("seq"), "at": e.get("at"), "local": w.local(_at(e)),
                    "elapsed": w.elapsed(_at(e)), "type": e.get("type"), "by": e.get("by"),
                    "description": describe(e, w), "event": e} for e in events],
        "deadlines": deadline_data if state is not None else None,
        "open": open_keys, "verification": verification, "remarks": remarks,
    }
    return Report(lang, summary.id, f"{words['title']} {summary.id}", exercise, check.ok,
                  check.last_hash, alert, sections, data)
