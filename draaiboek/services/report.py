"""The record of an incident, from its journal alone (the `report` service).

`build_report` turns a journal into a `Report`: generic sections (facts and tables of text) that
any renderer can show, plus `data`, the same record as plain JSON values for other tools. The
journal is read without the writer's lock, so this works on an incident that is still open.
A journal that does not verify (its chain, the head recorded outside it, the runbook copies it
names) still gets a report, which says so before anything else. The journal is never held in
memory: one checking pass keeps what is small, and the long tables read it again when they are
shown (see report_events).

Later sections (the exercise score) plug in through `Report.add`: a section to show, and a key
with its data in the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from draaiboek import journal as journals
from draaiboek.engine import deadlines
from draaiboek.engine.state import WalkState
from draaiboek.journal import Event, JournalError
from draaiboek.model.catalogue import Messages
from draaiboek.model.durations import format_clock
from draaiboek.model.runbook import Runbook
from draaiboek.model.timezone import zone_name as recorded_zone
from draaiboek.model.wallclock import wall_time_with_offset
from draaiboek.services.incidents import IncidentError, incident_runbooks
from draaiboek.services.integrity import changed_copies, witnessed_head
from draaiboek.services.report_events import JournalRows, at_of, first_pass
from draaiboek.services.report_layout import (
    ELAPSED,
    MARK,
    SEQ,
    TEXT,
    WHEN,
    WHO,
    arrange,
    by_row,
    decision_row,
    open_rows,
)
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
    rows: Sequence[list[str]] = field(default_factory=list)  # may be read from the journal
    alert: str = ""  # shown prominently before the rest
    empty: str = ""  # shown when there are no facts and no rows
    kinds: tuple[str, ...] = ()  # each column's kind (report_layout): its width on paper


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
        """Add a section (e.g. the exercise score) in its place (report_layout.ORDER), and its
        data under its key in the JSON."""
        self.sections = arrange([*self.sections, section])
        if data is not None:
            self.data[section.key] = data


def _runbooks(folder: Path) -> tuple[dict[str, Runbook], str]:
    """The runbooks as the incident used them (its stored copies), or {} and why not."""
    try:
        named = list(journals.of_types(folder, ("opened", "called"), skip_damaged=True))
        return incident_runbooks(folder, named), ""
    except (IncidentError, OSError) as exc:
        return {}, str(exc)


def build_report(folder: Path, *, lang: str, now: datetime, home: Path | None = None) -> Report:
    """The report of the incident in `folder`; `now` (aware) counts for an incident still open.

    The journal is checked in full: its chain, against the head the register in `home` recorded
    (by default the home the folder is in, when it is in one), and every stored runbook copy it
    names; `Report.verified` is False when any of these fails. Raises ReportError when the
    journal cannot be read at all.
    """
    if home is None and folder.parent.name == "incidents":
        home = folder.parent.parent
    words = Messages(lang)
    try:
        witnessed, register_problems = witnessed_head(home, folder)  # before the journal
        runbooks, runbook_error = _runbooks(folder)
        found = first_pass(folder, runbooks, witnessed)
    except JournalError as exc:
        raise ReportError(str(exc)) from None
    check = found.check
    copies = changed_copies(folder, found.copy_events)
    remarks = [words("report.bad-lines", count=found.bad_lines)] if found.bad_lines else []
    if runbook_error:
        remarks.append(words("report.no-runbooks", error=runbook_error))
    if found.replay_error:
        remarks.append(words("report.no-replay", error=found.replay_error))
    remarks += register_problems
    if found.opened.get("examples") is True:  # never mistaken for real work
        remarks.insert(0, words("report.examples"))
    if found.backwards:
        seqs = ", ".join(str(seq) for seq in found.backwards[:20])
        more = "…" if len(found.backwards) > 20 else ""
        remarks.append(words("report.clock-back", count=len(found.backwards), seqs=seqs + more))
    opened = found.opened
    zone_name = recorded_zone(opened.get("timezone"))
    try:
        zone: tzinfo = ZoneInfo(zone_name)
    except (ValueError, KeyError, OSError):  # unknown zone, or no tz database on this machine
        zone, zone_name = UTC, "UTC"
    state = found.state
    summary = found.summary.summary(folder)
    started = at_of(opened) if opened else None
    # T+, the duration and every deadline count from time zero: the first signal once known.
    zero = state.time_zero if state is not None and state.time_zero else started
    closed = found.closed
    ended = at_of(closed) if closed else None
    w = Words(lang, runbooks, str(opened.get("runbook", "")), zone, zero)
    backwards = set(found.backwards)

    def when(event: Mapping[str, Any]) -> list[str]:
        at = at_of(event)
        mark = "⚠ " if event.get("seq") in backwards else ""  # the clock went back here
        return [mark + w.local(at), w.elapsed(at)]

    def rows(types: tuple[str, ...], make: Any) -> JournalRows[list[str]]:
        return JournalRows(folder, make, sum(found.counts[kind] for kind in types), types)

    timeline = JournalRows(
        folder,
        lambda e: [str(e.get("seq", "?")), *when(e), str(e.get("by", "")), describe(e, w)],
        found.total,
    )
    handovers = [
        [*when(e), str(e.get("from") or e.get("by")), str(e.get("to"))] for e in found.handovers
    ]
    operators = found.operators
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
    duration = format_clock(end - zero) if zero else "?"
    verified = check.ok and not copies and not register_problems
    verification = {
        "ok": verified,
        "events": check.events,
        "last_hash": check.last_hash,
        "broken_line": check.broken_line,
        "broken_seq": check.broken_seq,
        "reason": check.reason,
        "torn_tail": check.torn_tail,
        "hash_rule": check.rule,
        "recorded_head": (
            {"seq": check.witnessed.seq, "hash": check.witnessed.hash} if check.witnessed else None
        ),
        "cut": check.cut,
        "copies_changed": copies,
        "out_of_order": found.backwards,
    }
    problems = []
    if not check.ok:
        problems.append(
            words(
                "report.failed-detail",
                line=check.broken_line,
                seq=check.broken_seq,
                reason=check.reason,
            )
        )
    if copies:
        problems.append(words("report.copies-changed", names=", ".join(copies)))
    problems += register_problems
    alert = f"{words('report.failed')}: " + " ".join(problems) if problems else ""
    title = next(
        (rb.title.get(lang) for rb_id, rb in runbooks.items() if rb_id == summary.runbook),
        summary.runbook,
    )
    last_at = ended or (at_of(found.last) if found.last else None)
    targets: list[Section] = []
    target_data: list[Any] | None = None
    if state is not None and state.runbooks.get(state.runbook) is not None:
        from draaiboek.services.report_targets import targets_section

        section, target_data = targets_section(state, w, end)
        targets = [section] if target_data else []
    facts = [
        (w("report.outcome"), w.word("outcome", summary.outcome) if summary.outcome else "—"),
        (w("report.state"), w.word("state", summary.state)),
        # The header's times always say their zone and offset (an autumn night has 02:10 twice).
        (w("report.time-zero"), _time_zero(w, state, zone) if zero else "?"),
        (w("report.started"), _opened(w, started, zone)),
        (
            w("report.ended") if closed else w("report.last"),
            wall_time_with_offset(last_at, zone) if last_at else "?",
        ),
        (w("report.duration"), duration if closed else w("report.so-far", span=duration)),
        (w("report.operators"), ", ".join(operators)),
        (w("report.runbook"), f"{summary.runbook} {summary.version} — {title}"),
        (w("report.incident"), summary.id),
        (w("report.mode"), w.word("report.mode", summary.mode)),
        (w("report.timezone"), zone_name),
    ]
    open_table, open_data = open_rows(
        state, closed.get("open") if closed and isinstance(closed.get("open"), list) else None, w
    )
    sections = [
        Section(
            "summary",
            w("report.summary"),
            facts=facts,
            columns=[w("report.handover"), w("report.elapsed"), w("report.from"), w("report.to")],
            rows=handovers,
            kinds=(WHEN, ELAPSED, WHO, WHO),
        ),
        Section(
            "decisions",
            w("report.decisions"),
            columns=[
                w("report.time"),
                w("report.elapsed"),
                w("report.by"),
                w("report.step"),
                w("report.answer"),
            ],
            rows=rows(("answered", "recorded"), lambda e: decision_row(e, w, when)),
            kinds=(WHEN, ELAPSED, WHO, TEXT, TEXT),
        ),
        *targets,
        Section(
            "deadlines",
            w("report.deadlines"),
            columns=[w("report.step"), w("report.due"), w("report.status"), w("report.detail")],
            rows=deadline_rows,
        ),
        Section(
            "open",
            w("report.open-closed") if closed else w("report.open-now"),
            columns=[w("report.step"), w("report.critical-column"), w("report.status")],
            rows=open_table,
            kinds=(TEXT, MARK, TEXT),
        ),
        Section(
            "verification",
            w("report.verification"),
            alert=alert,
            facts=[
                (
                    w("report.result"),
                    words("report.verified", events=check.events)
                    if verified
                    else words("report.failed"),
                ),
                (w("report.events"), str(check.events)),
                (w("report.last-hash"), check.last_hash or "—"),
                (w("report.runbook-sha256"), str(opened.get("sha256", "?"))),
                (w("report.tool"), f"draaiboek {opened.get('tool_version', '?')}"),
            ],
        ),
        Section(
            "timeline",
            w("report.timeline"),
            columns=["#", w("report.time"), w("report.elapsed"), w("report.by"), w("report.event")],
            rows=timeline,
            kinds=(SEQ, WHEN, ELAPSED, WHO, TEXT),
        ),
        Section(
            "actions",
            w("report.actions"),
            columns=[w("report.time"), w("report.elapsed"), w("report.by"), w("report.event")],
            rows=rows(("action", "item"), lambda e: by_row(e, w, when, describe)),
            kinds=(WHEN, ELAPSED, WHO, TEXT),
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
            rows=rows(
                ("note",),
                lambda e: [
                    *when(e),
                    str(e.get("by", "")),
                    w.step(e.get("runbook"), e.get("step")),
                    w.text(e.get("text")),
                ],
            ),
            kinds=(WHEN, ELAPSED, WHO, TEXT, TEXT),
        ),
        Section(
            "corrections",
            w("report.corrections"),
            columns=[w("report.time"), w("report.elapsed"), w("report.by"), w("report.event")],
            rows=rows(("corrected",), lambda e: by_row(e, w, when, describe)),
            kinds=(WHEN, ELAPSED, WHO, TEXT),
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
    sections = arrange(sections)

    def entry(e: Event) -> dict[str, Any]:
        at = at_of(e)
        return {
            "seq": e.get("seq"),
            "at": e.get("at"),
            "local": w.local(at),
            "elapsed": w.elapsed(at),
            "type": e.get("type"),
            "by": e.get("by"),
            "description": describe(e, w),
            "event": e,
        }

    data: dict[str, Any] = {
        "incident": summary.id,
        "runbook": summary.runbook,
        "title": title,
        "version": summary.version,
        "sha256": opened.get("sha256"),
        "mode": summary.mode,
        "exercise": found.exercise,
        "state": summary.state,
        "outcome": summary.outcome,
        "started": opened.get("at"),
        "ended": closed.get("at") if closed else None,
        "time_zero": zero.isoformat(timespec="microseconds") if zero else None,
        "time_zero_from": "first-signal" if state and state.first_signal else "opened",
        "duration_seconds": (end - zero).total_seconds() if zero else None,
        "timezone": zone_name,
        "lang": lang,
        "operators": operators,
        "handovers": [
            {"at": e.get("at"), "from": e.get("from") or e.get("by"), "to": e.get("to")}
            for e in found.handovers
        ],
        "events": JournalRows(folder, entry, found.total),  # streamed by the JSON renderer
        "deadlines": deadline_data if state is not None else None,
        "targets": target_data,
        "open": open_keys,
        "open_items": open_data,
        "verification": verification,
        "remarks": remarks,
    }
    return Report(
        lang,
        summary.id,
        f"{words('report.title')} {summary.id}",
        found.exercise,
        verified,
        check.last_hash,
        alert,
        sections,
        data,
    )


def _opened(w: Words, started: datetime | None, zone: tzinfo) -> str:
    """When the incident was opened in the tool, with its T+ (it may be after time zero)."""
    if started is None:
        return "?"
    return f"{wall_time_with_offset(started, zone)} ({w.elapsed(started)})"


def _time_zero(w: Words, state: WalkState | None, zone: tzinfo) -> str:
    """Time zero with its zone's offset, and whether it is the first signal or the opening."""
    zero = state.time_zero if state is not None else None
    if zero is None:
        return "?"
    shown = wall_time_with_offset(zero, zone)
    signal = state is not None and state.first_signal is not None
    return w("report.time-zero-signal" if signal else "report.time-zero-opened", time=shown)
