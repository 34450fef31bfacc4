"""The national overview: one read of the store, as plain data (text, JSON and the page render
it). Reads the maintained summaries and the timeline, never the event table, so its cost follows
the number of incidents shown, not the number of events stored.

Shown: every open incident, and those closed in the last 24 hours (server clock). Silence and
T+ are measured by the database server's clock, so every viewer sees the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from draaiboek.model.runbook import Contact, Runbook
from draaiboek.services.national import numbers, targets
from draaiboek.services.national.copies import cached, contacts_in, runbook_from_copy, uncached

RECENT = timedelta(hours=24)
_SHOWN = "(s.closed_at IS NULL OR s.closed_at > now() - %s)"


@dataclass(frozen=True)
class IncidentView:
    station: str
    incident: str
    mode: str
    runbook: str
    version: str
    current_step: str | None
    current_title: str | None
    opened_at: datetime | None
    time_zero: datetime | None
    t_plus: float | None  # seconds since time zero (or the opening), server clock
    events: int
    last_type: str
    last_at: datetime  # the station's own time of its last event
    last_arrival: datetime  # when the store received it (server clock)
    silent: float  # seconds since last_arrival
    closed_at: datetime | None
    outcome: str | None
    targets: tuple[targets.TargetState, ...]
    open_critical: tuple[str, ...]
    refused: int
    forks: int


@dataclass(frozen=True)
class StationView:
    name: str
    last_arrival: datetime | None
    silent: float | None
    live: tuple[IncidentView, ...]
    exercises: tuple[IncidentView, ...]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    station: str
    incident: str
    mode: str
    kind: str  # publishes:public-message, national:scope, ...
    step: str
    title: str
    answer: str  # the option's label, the value recorded, or the action's result


@dataclass(frozen=True)
class PublishedNumber:
    text: str
    digits: str
    flag: str  # "" | not-in-registry | example | unverified
    contact: str | None
    station: str
    incident: str
    mode: str
    at: datetime
    kind: str


@dataclass(frozen=True)
class Refusal:
    station: str
    incident: str
    seq: int
    reason: str  # fork, hash-mismatch, prev-mismatch, ...
    received_at: datetime


@dataclass(frozen=True)
class Overview:
    now: datetime
    stations: tuple[StationView, ...]
    timeline: tuple[TimelineEntry, ...]
    numbers: tuple[PublishedNumber, ...]
    refusals: tuple[Refusal, ...]

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values (times as ISO 8601 with offset, durations in seconds)."""
        return _plain(dataclasses.asdict(self))  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def read_overview(conn: Any, *, lang: str, contacts: Mapping[str, Contact]) -> Overview:
    """Everything the overview shows, read in one READ ONLY transaction with the reader role."""
    with conn.transaction():
        now: datetime = conn.execute("SELECT now()").fetchone()[0]
        summaries = conn.execute(
            "SELECT s.station, s.incident, s.mode, s.runbook, s.version, s.timezone, "
            "s.opened_at, s.events, s.last_type, s.last_at, s.last_arrival, s.current_runbook, "
            "s.current_step, s.closed_at, s.outcome, s.marks FROM draaiboek.summaries s "
            f"WHERE {_SHOWN}",
            (RECENT,),
        ).fetchall()
        used = conn.execute(
            "SELECT r.station, r.incident, r.runbook, r.sha256 FROM draaiboek.incident_runbooks r "
            "JOIN draaiboek.summaries s USING (station, incident) "
            f"WHERE {_SHOWN}",
            (RECENT,),
        ).fetchall()
        timeline = conn.execute(
            "SELECT t.station, t.incident, s.mode, t.seq, t.kind, t.at, t.type, t.runbook, "
            "t.step, t.option, t.result, t.value FROM draaiboek.timeline t "
            f"JOIN draaiboek.summaries s USING (station, incident) WHERE {_SHOWN} "
            "ORDER BY t.at, t.station, t.incident, t.seq",
            (RECENT,),
        ).fetchall()
        stations = conn.execute(
            "SELECT st.name, max(s.last_arrival) FROM draaiboek.stations st "
            "LEFT JOIN draaiboek.summaries s ON s.station = st.name GROUP BY st.name"
        ).fetchall()
        refusals = conn.execute(
            "(SELECT station, incident, seq, reason, received_at FROM draaiboek.refused "
            "UNION ALL SELECT station, incident, seq, 'fork', received_at FROM draaiboek.forks) "
            "ORDER BY received_at DESC LIMIT 200"
        ).fetchall()
        shas = sorted({row[3] for row in used})
        for sha, content in conn.execute(
            "SELECT sha256, content FROM draaiboek.runbook_copies WHERE sha256 = ANY(%s)",
            (uncached(shas),),
        ):
            runbook_from_copy(sha, bytes(content))
    parsed = {sha: cached(sha) for sha in shas}
    books: dict[tuple[str, str], dict[str, Runbook]] = {}
    for station, incident, runbook_id, sha in used:
        runbook = parsed.get(sha)
        if runbook is not None:
            books.setdefault((station, incident), {})[runbook_id] = runbook

    counts: dict[tuple[str, str], list[int]] = {}
    for station, incident, _seq, reason, _at in refusals:
        entry = counts.setdefault((station, incident), [0, 0])
        entry[1 if reason == "fork" else 0] += 1

    zeros: dict[tuple[str, str], tuple[str | None, datetime]] = {}
    entries = []
    for (
        station,
        incident,
        mode,
        _seq,
        kind,
        at,
        kind_type,
        rb,
        step,
        option,
        result,
        value,
    ) in timeline:
        key = (station, incident)
        if kind == "time-zero":
            zeros[key] = (value, at)
            continue
        runbook = books.get(key, {}).get(rb)
        entries.append(
            TimelineEntry(
                at,
                station,
                incident,
                mode or "live",
                kind,
                step,
                _step_title(runbook, step, lang),
                _answer(runbook, step, kind_type, option, result, value, lang),
            )
        )

    incidents: dict[str, list[IncidentView]] = {}
    for row in summaries:
        view = _incident(row, now, books, zeros, counts, lang)
        incidents.setdefault(view.station, []).append(view)
    station_views = []
    for name, last_arrival in stations:
        mine = sorted(incidents.pop(name, []), key=lambda v: (v.closed_at is not None, v.incident))
        station_views.append(_station(name, last_arrival, now, mine))
    for name, mine in incidents.items():  # a station removed from the table after forwarding
        last = max(v.last_arrival for v in mine)
        station_views.append(_station(name, last, now, mine))
    station_views.sort(key=lambda s: (not any(v.closed_at is None for v in s.live), s.name))

    known = numbers.registry(contacts)
    published = tuple(
        PublishedNumber(
            found.text,
            found.digits,
            found.flag,
            found.contact,
            e.station,
            e.incident,
            e.mode,
            e.at,
            e.kind,
        )
        for e in entries
        if e.kind.startswith("publishes:")
        for found in numbers.find_numbers(e.answer, known)
    )
    return Overview(
        now,
        tuple(station_views),
        tuple(entries),
        published,
        tuple(Refusal(*row) for row in refusals),
    )


def _station(
    name: str, last: datetime | None, now: datetime, mine: list[IncidentView]
) -> StationView:
    return StationView(
        name,
        last,
        (now - last).total_seconds() if last else None,
        tuple(v for v in mine if v.mode != "exercise"),
        tuple(v for v in mine if v.mode == "exercise"),
    )


def _incident(
    row: tuple[Any, ...],
    now: datetime,
    books: Mapping[tuple[str, str], Mapping[str, Runbook]],
    zeros: Mapping[tuple[str, str], tuple[str | None, datetime]],
    counts: Mapping[tuple[str, str], list[int]],
    lang: str,
) -> IncidentView:
    (
        station,
        incident,
        mode,
        runbook_id,
        version,
        timezone,
        opened_at,
        events,
        last_type,
        last_at,
        last_arrival,
        current_runbook,
        current_step,
        closed_at,
        outcome,
        marks,
    ) = row
    key = (station, incident)
    runbooks = books.get(key, {})
    top = runbooks.get(runbook_id)
    zero = None
    if key in zeros:
        value, recorded_at = zeros[key]
        zero = targets.time_zero(value, recorded_at, timezone)
    start = zero or opened_at
    states: tuple[targets.TargetState, ...] = ()
    critical: tuple[str, ...] = ()
    if top is not None and start is not None and closed_at is None:
        states = tuple(targets.target_states(top, marks, start, now, lang))
        critical = tuple(targets.open_critical(runbooks, marks, lang))
    current = runbooks.get(current_runbook) if current_runbook else None
    refused, forks = counts.get(key, [0, 0])
    return IncidentView(
        station,
        incident,
        mode or "live",
        runbook_id or "?",
        version or "?",
        current_step,
        _step_title(current, current_step, lang) if current_step else None,
        opened_at,
        zero,
        ((closed_at or now) - start).total_seconds() if start else None,
        events,
        last_type,
        last_at,
        last_arrival,
        (now - last_arrival).total_seconds(),
        closed_at,
        outcome,
        states,
        critical,
        refused,
        forks,
    )


def _step_title(runbook: Runbook | None, step: str, lang: str) -> str:
    if runbook is None or step not in runbook.steps:
        return step
    return runbook.steps[step].title.get(lang)


def _answer(
    runbook: Runbook | None,
    step: str,
    kind: str,
    option: str | None,
    result: str | None,
    value: str | None,
    lang: str,
) -> str:
    if kind == "answered" and option is not None:
        found = runbook.steps[step].option(option) if runbook and step in runbook.steps else None
        return found.label.get(lang) if found else option
    if kind == "recorded":
        return value or ""
    return result or ""


def load_contacts(folder: Path | None) -> dict[str, Contact]:
    """The contacts registry the published numbers are checked against ({} without a folder)."""
    return contacts_in(folder) if folder is not None and folder.is_dir() else {}
