"""The overview as plain text for a terminal or a log (the CLI's `--format text`).

Every value from the store was written by some station: control characters are shown escaped,
so a hostile note cannot move the cursor or colour the screen.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from draaiboek.model.durations import format_clock
from draaiboek.model.timezone import DEFAULT_TIMEZONE
from draaiboek.services.national.labels import labels
from draaiboek.services.national.overview import IncidentView, Overview

_ZONE = ZoneInfo(DEFAULT_TIMEZONE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LATE_STATES = ("missed", "late", "due-soon")


def safe(value: object) -> str:
    """`value` as one line of text with control characters shown as \\xNN (newlines too)."""
    text = str(value).replace("\n", "\\n").replace("\t", " ")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def _clock(seconds: float | None) -> str:
    return format_clock(timedelta(seconds=seconds)) if seconds is not None else "—"


def _time(at: datetime | None) -> str:
    """Dutch local time with its offset (unambiguous in the autumn's repeated hour)."""
    return at.astimezone(_ZONE).isoformat(timespec="seconds") if at else "—"


def render(overview: Overview, lang: str) -> str:
    """The whole overview: stations (live incidents, then exercises), the national timeline,
    published numbers (flagged), and what the database refused."""
    words = labels(lang)
    out = [f"{words['title']} — {words['now']} {_time(overview.now)}", ""]
    for station in overview.stations:
        out.append(
            f"{words['station']} {safe(station.name)}: {words['silent-for']} "
            f"{_clock(station.silent)} ({words['silent']} {_time(station.last_arrival)})"
        )
        for heading, incidents in (
            (words["live"], station.live),
            (words["exercises"], station.exercises),
        ):
            if not incidents and heading != words["live"]:
                continue
            out.append(f"  {heading}:" + ("" if incidents else f" {words['no-incidents']}"))
            for view in incidents:
                out.extend(_incident(view, words))
        out.append("")
    out.append(f"{words['timeline']}:")
    if not overview.timeline:
        out.append(f"  {words['no-timeline']}")
    for entry in overview.timeline:
        exercise = f" [{words['exercise']}]" if entry.mode == "exercise" else ""
        out.append(
            f"  {_time(entry.at)}  {safe(entry.station)}{exercise}  {safe(entry.kind)}  "
            f"{safe(entry.title)}: {safe(entry.answer)}"
        )
    out.append("")
    out.append(f"{words['numbers']}:")
    if not overview.numbers:
        out.append(f"  {words['no-numbers']}")
    for number in overview.numbers:
        flag = words[f"flag-{number.flag}"] if number.flag else words["flag-ok"]
        marker = "!!" if number.flag else "ok"
        out.append(
            f"  {marker} {safe(number.text)}  {flag}  ({safe(number.station)}, "
            f"{safe(number.incident)}, {_time(number.at)})"
        )
    out.append("")
    out.append(f"{words['refusals']}:")
    if not overview.refusals:
        out.append(f"  {words['no-refusals']}")
    for refusal in overview.refusals:
        out.append(
            f"  {safe(refusal.station)}  {safe(refusal.incident)}  seq {refusal.seq}  "
            f"{safe(refusal.reason)}  {_time(refusal.received_at)}"
        )
    return "\n".join(out) + "\n"


def _incident(view: IncidentView, words: dict[str, str]) -> list[str]:
    closed = f" ({words['closed']}: {safe(view.outcome)})" if view.closed_at else ""
    lines = [
        f"    {safe(view.incident)}{closed}",
        f"      {words['runbook']}: {safe(view.runbook)} {safe(view.version)}; "
        f"{words['step']}: {safe(view.current_title or view.current_step or '—')}; "
        f"{words['t-plus']}{_clock(view.t_plus)}",
        f"      {words['last-event']}: {safe(view.last_type)} ({words['station-time']} "
        f"{_time(view.last_at)}); {words['silent-for']} {_clock(view.silent)}",
    ]
    late = [t for t in view.targets if t.state in LATE_STATES]
    if late:
        shown = "; ".join(
            f"{safe(t.title)} ({words['state-' + t.state]}, {_time(t.due)})" for t in late
        )
        lines.append(f"      {words['targets']}: {shown}")
    if view.open_critical:
        lines.append(f"      {words['critical']}: {'; '.join(safe(c) for c in view.open_critical)}")
    if view.refused or view.forks:
        lines.append(f"      {words['refusals']}: {view.refused} + {words['fork']} {view.forks}")
    return lines
