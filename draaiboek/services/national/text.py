"""The overview as plain text for a terminal or a log (the CLI's `--format text`).

Every value from the store was written by some station: control characters are shown escaped,
so a hostile note cannot move the cursor or colour the screen.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from draaiboek.model.catalogue import Messages
from draaiboek.model.durations import format_clock
from draaiboek.model.timezone import DEFAULT_TIMEZONE
from draaiboek.services.national.overview import (
    IncidentView,
    Overview,
    PublishedNumber,
    TimelineEntry,
)

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
    t = Messages(lang)
    out = [f"{t('national.title')} — {t('national.now')} {_time(overview.now)}", ""]
    for station in overview.stations:
        out.append(
            f"{t('national.station')} {safe(station.name)}: {t('national.silent-for')} "
            f"{_clock(station.silent)} ({t('national.silent')} {_time(station.last_arrival)})"
        )
        for live, incidents in ((True, station.live), (False, station.exercises)):
            if not incidents and not live:
                continue
            heading = t("national.live") if live else t("national.exercises")
            none = "" if incidents else f" {t('national.no-incidents')}"
            out.append(f"  {heading}:{none}")
            for view in incidents:
                out.extend(_incident(view, t))
        out.append("")
    out += _section(t, "timeline", [_entry(entry, t) for entry in overview.timeline])
    out.append("")
    out += _section(t, "numbers", [_number(number, t) for number in overview.numbers])
    out.append("")
    out += _section(
        t,
        "refusals",
        [
            f"{safe(refusal.station)}  {safe(refusal.incident)}  seq {refusal.seq}  "
            f"{safe(refusal.reason)}  {_time(refusal.received_at)}"
            for refusal in overview.refusals
        ],
    )
    return "\n".join(out) + "\n"


def _section(t: Messages, name: str, lines: list[str]) -> list[str]:
    """The heading ``national.<name>`` and its `lines` indented, or ``national.no-<name>``."""
    return [
        f"{t(f'national.{name}')}:",
        *(f"  {line}" for line in lines or [t(f"national.no-{name}")]),
    ]


def _entry(entry: TimelineEntry, t: Messages) -> str:
    exercise = f" [{t('national.exercise')}]" if entry.mode == "exercise" else ""
    return (
        f"{_time(entry.at)}  {safe(entry.station)}{exercise}  {safe(entry.kind)}  "
        f"{safe(entry.title)}: {safe(entry.answer)}"
    )


def _number(number: PublishedNumber, t: Messages) -> str:
    flag = t(f"national.flag-{number.flag}") if number.flag else t("national.flag-ok")
    marker = "!!" if number.flag else "ok"
    return (
        f"{marker} {safe(number.text)}  {flag}  ({safe(number.station)}, "
        f"{safe(number.incident)}, {_time(number.at)})"
    )


def _incident(view: IncidentView, t: Messages) -> list[str]:
    closed = f" ({t('national.closed')}: {safe(view.outcome)})" if view.closed_at else ""
    lines = [
        f"    {safe(view.incident)}{closed}",
        f"      {t('national.runbook')}: {safe(view.runbook)} {safe(view.version)}; "
        f"{t('national.step')}: {safe(view.current_title or view.current_step or '—')}; "
        f"{t('national.t-plus')}{_clock(view.t_plus)}",
        f"      {t('national.last-event')}: {safe(view.last_type)} "
        f"({t('national.station-time')} {_time(view.last_at)}); "
        f"{t('national.silent-for')} {_clock(view.silent)}",
    ]
    late = [target for target in view.targets if target.state in LATE_STATES]
    if late:
        shown = "; ".join(
            f"{safe(target.title)} ({t('national.state-' + target.state)}, {_time(target.due)})"
            for target in late
        )
        lines.append(f"      {t('national.targets')}: {shown}")
    if view.open_critical:
        critical = "; ".join(safe(c) for c in view.open_critical)
        lines.append(f"      {t('national.critical')}: {critical}")
    if view.refused or view.forks:
        lines.append(
            f"      {t('national.refusals')}: {view.refused} + {t('national.fork')} {view.forks}"
        )
    return lines
