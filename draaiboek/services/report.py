"""The record of an incident, from its journal alone (the `report` service).

`build_report` turns a journal into a `Report`: generic sections (facts and tables of text) that
any renderer can show, plus `data`, the same record as plain JSON values for other tools. The
journal is read without the writer's lock, so this works on an incident that is still open.
A journal that does not verify still gets a report, which says so before anything else.

Later sections (the exercise score) plug in through `Report.add`: a section to show, and a key
with its data in the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from draaiboek import journal as journals
from draaiboek.engine import deadlines
from draaiboek.engine.fold import replay
from draaiboek.engine.operator import operators_of
from draaiboek.engine.state import WalkState
from draaiboek.journal import Event, JournalError, VerifyResult
from draaiboek.model.catalogue import Messages
from draaiboek.model.durations import format_clock
from draaiboek.model.runbook import Runbook
from draaiboek.model.timezone import zone_name as recorded_zone
from draaiboek.services.incidents import IncidentError, incident_runbooks, summarise
from draaiboek.services.report_words import Words, describe

FORMATS = ("md", "html", "json")
EXERCISE_BANNER = "OEFENING / EXERCISE"  # in both languages: an exercise is never mistaken


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


def _at(event: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(event.get("at")))
    except ValueError:
        return None


def _read(folder: Path) -> tuple[list[Event], int, VerifyResult]:
    """All events that can be read, how many complete lines could not, and whether the journal
    verifies: one pass over the journal."""
    stream = journals.stream(folder, verify=True, on_damage="skip")
    events = list(stream)
    return events, stream.bad_lines, stream.result


def build_report(folder: Path, *, lang: str, now: datetime) -> Report:
    """The report of the incident in `folder`; `now` counts for an incident still open."""
    try:
        events, bad_lines, check = _read(folder)
    except JournalError as exc:
        raise ReportError(str(exc)) from None
    words = Messages(lang)
    remarks = [words("report.bad-lines", count=bad_lines)] if bad_lines else []
    opened = next((e for e in events if e.get("type") == "opened"), {})
    zone_name = recorded_zone(opened.get("timezone"))
    try:
        zone: tzinfo = ZoneInfo(zone_name)
    except (ValueError, KeyError, OSError):  # unknown zone, or no tz database on this machine
        zone, zone_name = UTC, "UTC"
    runbooks: dict[str, Runbook] = {}
    try:
        runbooks = incident_runbooks(folder, events)
    except (IncidentError, OSError) as exc:
        remarks.append(words("report.no-runbooks", error=exc))
    state: WalkState | None = None
    try:
        state = replay(runbooks, events)
    except Exception as exc:  # a damaged or foreign journal can break replay in many ways
        remarks.append(words("report.no-replay", error=f"{type(exc).__name__}: {exc}"))
    summary = summarise(folder, events)
    started = _at(opened)
    closed = next((e for e in reversed(events) if e.get("type") == "closed"), None)
    ended = _at(closed) if closed else None
    w = Words(lang, runbooks, str(opened.get("runbook", "")), zone, started)
    exercise = any(e.get("type") == "opened" and e.get("mode") == "exercise" for e in events)

    def when(event: Mapping[str, Any]) -> list[str]:
        at = _at(event)
        return [w.local(at), w.elapsed(at)]

    def of(*kinds: str) -> list[dict[str, Any]]:
        return [e for e in events if e.get("type") in kinds]

    timeline = [
        [str(e.get("seq", "?")), *when(e), str(e.get("by", "")), describe(e, w)] for e in events
    ]
    handovers = [
        [*when(e), str(e.get("from") or e.get("by")), str(e.get("to"))] for e in of("handover")
    ]
    operators = operators_of(events) or ["?"]
    deadline_rows: list[list[str]] = []
    deadline_data: list[dict[str, Any]] = []
    open_keys: list[str] = []
    if state is not None:
        for d in deadlines.deadlines(state, ended or now):
            detail = (
                w("report.late-by", span=format_clock(d.late_by))
                if d.late_by is not None
                else w("report.met-at", time=w.local(d.met_at))
                if d.met_at
                else ""
            )
            deadline_rows.append(
                [
                    w.step(d.runbook, d.step, d.item),
                    f"{w.local(d.due_at)} ({w.elapsed(d.due_at)})",
                    w.word("report.deadline", d.status),
                    detail,
                ]
            )
            deadline_data.append(
                {
                    "runbook": d.runbook,
                    "step": d.step,
                    "item": d.item,
                    "due_at": d.due_at.isoformat(),
                    "status": d.status,
                    "met_at": d.met_at.isoformat() if d.met_at else None,
                    "late_seconds": d.late_by.total_seconds() if d.late_by else None,
                }
            )
        open_keys = [i.key for i in state.open_items]
    if closed is not None and isinstance(closed.get("open"), list):
        open_keys = [str(key) for key in closed["open"]]
    end = ended or now
    duration = format_clock(end - started) if started else "?"
    verification = {
        "ok": check.ok,
        "events": check.events,
        "last_hash": check.last_hash,
        "broken_line": check.broken_line,
        "broken_seq": check.broken_seq,
        "reason": check.reason,
        "torn_tail": check.torn_tail,
    }
    alert = (
        ""
        if check.ok
        else f"{words('report.failed')}: "
        + words(
            "report.failed-detail",
            line=check.broken_line,
            seq=check.broken_seq,
            reason=check.reason,
        )
    )
    title = next(
        (rb.title.get(lang) for rb_id, rb in runbooks.items() if rb_id == summary.runbook),
        summary.runbook,
    )
    facts = [
        (w("report.incident"), summary.id),
        (w("report.runbook"), f"{summary.runbook} — {title}"),
        (w("report.version"), summary.version),
        ("sha256", str(opened.get("sha256", "?"))),
        (w("report.mode"), w.word("report.mode", summary.mode)),
        (w("report.state"), w.word("state", summary.state)),
        (w("report.outcome"), w.word("outcome", summary.outcome) if summary.outcome else "—"),
        (w("report.started"), w.local(started)),
        (
            w("report.ended") if closed else w("report.last"),
            w.local(ended or (_at(events[-1]) if events else None)),
        ),
        (w("report.duration"), duration if closed else w("report.so-far", span=duration)),
        (w("report.timezone"), zone_name),
        (w("report.operators"), ", ".join(operators)),
        (w("report.tool"), f"draaiboek {opened.get('tool_version', '?')}"),
    ]
    sections = [
        Section("summary", w("report.summary"), facts=facts),
        Section(
            "verification",
            w("report.verification"),
            alert=alert,
            facts=[
                (
                    w("report.result"),
                    words("report.verified", events=check.events)
                    if check.ok
                    else words("report.failed"),
                ),
                (w("report.events"), str(check.events)),
                (w("report.last-hash"), check.last_hash or "—"),
            ],
        ),
        Section(
            "people",
            w("report.people"),
            facts=[(w("report.operators"), ", ".join(operators))],
            columns=[w("report.time"), w("report.elapsed"), w("report.from"), w("report.to")],
            rows=handovers,
        ),
        Section(
            "timeline",
            w("report.timeline"),
            columns=["#", w("report.time"), w("report.elapsed"), w("report.by"), w("report.event")],
            rows=timeline,
        ),
        Section(
            "decisions",
            w("report.decisions"),
            columns=[w("report.time"), w("report.elapsed"), w("report.event")],
            rows=[[*when(e), describe(e, w)] for e in of("answered")],
        ),
        Section(
            "actions",
            w("report.actions"),
            columns=[w("report.time"), w("report.elapsed"), w("report.event")],
            rows=[[*when(e), describe(e, w)] for e in of("action", "item")],
        ),
        Section(
            "notes",
            w("report.notes"),
            columns=[
                w("report.time"),
                w("report.elapsed"),
                w("report.by"),
                w("report.step"),
                w("report.text"),
            ],
            rows=[
                [
                    *when(e),
                    str(e.get("by", "")),
                    w.step(e.get("runbook"), e.get("step")),
                    w.text(e.get("text")),
                ]
                for e in of("note")
            ],
        ),
        Section(
            "corrections",
            w("report.corrections"),
            columns=[w("report.time"), w("report.elapsed"), w("report.event")],
            rows=[[*when(e), describe(e, w)] for e in of("corrected")],
        ),
        Section(
            "deadlines",
            w("report.deadlines"),
            columns=[w("report.step"), w("report.due"), w("report.status"), w("report.detail")],
            rows=deadline_rows,
        ),
        Section(
            "open",
            w("report.open-closed") if closed else w("report.open-now"),
            columns=[w("report.step")],
            rows=[[w.key(key)] for key in open_keys],
        ),
    ]
    if remarks:
        sections.append(
            Section(
                "remarks",
                w("report.remarks"),
                rows=[[r] for r in remarks],
                columns=[w("report.detail")],
            )
        )
    for section in sections:
        section.empty = section.empty or words("report.none")
    data: dict[str, Any] = {
        "incident": summary.id,
        "runbook": summary.runbook,
        "title": title,
        "version": summary.version,
        "sha256": opened.get("sha256"),
        "mode": summary.mode,
        "exercise": exercise,
        "state": summary.state,
        "outcome": summary.outcome,
        "started": opened.get("at"),
        "ended": closed.get("at") if closed else None,
        "duration_seconds": (end - started).total_seconds() if started else None,
        "timezone": zone_name,
        "lang": lang,
        "operators": operators,
        "handovers": [
            {"at": e.get("at"), "from": e.get("from") or e.get("by"), "to": e.get("to")}
            for e in of("handover")
        ],
        "events": [
            {
                "seq": e.get("seq"),
                "at": e.get("at"),
                "local": w.local(_at(e)),
                "elapsed": w.elapsed(_at(e)),
                "type": e.get("type"),
                "by": e.get("by"),
                "description": describe(e, w),
                "event": e,
            }
            for e in events
        ],
        "deadlines": deadline_data if state is not None else None,
        "open": open_keys,
        "verification": verification,
        "remarks": remarks,
    }
    return Report(
        lang,
        summary.id,
        f"{words('report.title')} {summary.id}",
        exercise,
        check.ok,
        check.last_hash,
        alert,
        sections,
        data,
    )
