"""Incidents on disk: ids, folders, the runbooks an incident used, and the list of incidents.

An incident is a folder under `<home>/incidents/` named by its id, holding its journal and a
copy of every runbook file it used, named by sha256. Everything here reads the journal (through
`draaiboek.journal`) and never takes the writer's lock, so it works while another terminal is
walking the incident.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from draaiboek import journal
from draaiboek.engine.operator import OPERATOR_EVENTS, operator_of
from draaiboek.journal import JournalError
from draaiboek.load.build import build_runbook
from draaiboek.load.documents import read_document
from draaiboek.model.runbook import RUNBOOK_FORMAT, Runbook
from draaiboek.model.timezone import DEFAULT_TIMEZONE, zone_name

_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
_STORED_COPY = re.compile(r"^[0-9a-f]{64}\.yaml$")


class IncidentError(Exception):
    """Cannot continue; the message is one line for the user."""


def incidents_root(home: Path) -> Path:
    return home / "incidents"


def new_incident_id(local_now: datetime, runbook_id: str, suffix: str | None = None) -> str:
    """Readable and unique: date, time, runbook id and a short random suffix."""
    import secrets

    tail = suffix if suffix is not None else secrets.token_hex(2)
    return f"{local_now:%Y%m%d-%H%M}-{runbook_id}-{tail}"


def check_incident_id(incident_id: str) -> None:
    """A user-given id becomes a folder name: only a plain name, never a path."""
    if not _PLAIN_NAME.fullmatch(incident_id) or ".." in incident_id:
        shown = incident_id if len(incident_id) <= 60 else f"{incident_id[:40]}... (120 at most)"
        raise IncidentError(
            f"incident id {shown!r} is not a plain name: use letters, digits, '.', '_' "
            "and '-' only (it becomes a folder name)"
        )


def incident_folder(home: Path, incident_id: str) -> Path:
    check_incident_id(incident_id)
    return incidents_root(home) / incident_id


def find_incident(home: Path, given: str) -> Path:
    """An incident id, any unique part of one (its random tail "3f9a" will do), or a path to an
    incident folder or journal file. AmbiguousIncident when a part fits several ids.

    What is not a path (no folder separator) must be a plain id before the filesystem is asked
    anything: a 300-character name is an IncidentError, not an OSError. Raises IncidentError.
    """
    looks_like_path = os.sep in given or "/" in given or given in (".", "..")
    if not looks_like_path:
        check_incident_id(given)
    try:
        found = journal.folder_of(Path(given))
    except OSError as exc:
        raise IncidentError(f"cannot use {given!r}: {exc.strerror or exc}") from None
    if found is not None:
        return found
    if looks_like_path:
        check_incident_id(given)  # not a folder or journal either: say what an id must be
    folder = incident_folder(home, given)
    if journal.is_incident(folder):
        return folder
    return _by_part(home, given)


class AmbiguousIncident(IncidentError):
    """A part of an id that more than one incident's id holds: `candidates` are those ids (a
    usage error, exit 2: the user gives more of the id)."""

    def __init__(self, given: str, candidates: list[str]) -> None:
        shown = "\n".join(f"  {candidate}" for candidate in candidates)
        super().__init__(
            f"{given!r} is part of {len(candidates)} incident ids; give more of the one you mean:"
            f"\n{shown}"
        )
        self.candidates = candidates


def _by_part(home: Path, given: str) -> Path:
    """The one incident whose id holds `given` (its random tail, or any other part): the ids
    are the folder names, so only the folder is listed, no journal is read."""
    root = incidents_root(home)
    try:
        names = sorted(
            entry.name
            for entry in os.scandir(root)
            if not entry.name.startswith(".") and given.casefold() in entry.name.casefold()
        )
    except OSError:
        names = []
    found = [name for name in names if journal.is_incident(root / name)]
    if len(found) == 1:
        return root / found[0]
    if found:
        raise AmbiguousIncident(given, found)
    raise IncidentError(
        f"no incident {given!r} under {root}: 'draaiboek incidents' lists them (or give --home)"
    )


def incident_runbooks(folder: Path, events: list[dict[str, Any]]) -> dict[str, Runbook]:
    """The runbooks exactly as they were when the incident used them (the stored copies).

    Only the `opened` and `called` events are looked at (a JournalHead's events will do).
    """
    runbooks: dict[str, Runbook] = {}
    read: set[str] = set()
    for event in events:
        if event.get("type") not in ("opened", "called"):
            continue
        sha256 = str(event.get("sha256", ""))
        copy = folder / f"{sha256}.yaml"
        document, _ = read_document(copy)
        if document is None or document.format != RUNBOOK_FORMAT or not document.schema_valid:
            raise IncidentError(
                f"the stored copy of runbook {event.get('runbook')!r} ({copy.name}) is missing "
                "or damaged: 'draaiboek verify' checks the journal"
            )
        if document.sha256 != sha256:
            raise IncidentError(
                f"the stored copy {copy.name} does not match its sha256: it was changed"
            )
        read.add(copy.name)
        runbook = build_runbook(document)
        runbooks[runbook.id] = runbook
    # A sub-runbook is stored when the incident starts but only named in a journal once it is
    # called: a walk resumed before that point needs the stored copy too.
    for copy in sorted(folder.glob("*.yaml")):
        if not _STORED_COPY.match(copy.name) or copy.name in read:
            continue  # a copy read above gave its runbook already (the same bytes, the same id)
        document, _ = read_document(copy)
        if (
            document is not None
            and document.format == RUNBOOK_FORMAT
            and document.schema_valid
            and document.sha256 == copy.stem
        ):
            runbook = build_runbook(document)
            runbooks.setdefault(runbook.id, runbook)
    return runbooks


@dataclass(frozen=True)
class JournalHead:
    """What taking over an incident needs before its journal is opened and read in full (which
    the writer does, once): found in the raw lines, decoding only the few that matter."""

    first: dict[str, Any] | None  # the first event (`opened` in a journal that started well)
    runbook_events: list[dict[str, Any]]  # the `opened` and `called` events, in order
    operator: str  # whom the walk stands with, as replaying the journal works it out


_HEAD_TYPES = ("called", *OPERATOR_EVENTS)


def read_head(folder: Path) -> JournalHead:
    """The first event, the runbook events and the operator of an incident's journal.

    Raises what `journal.read` raises for a missing journal or for one of these lines that is
    not a JSON object; like it, ignores a torn last line and does not check hashes.
    """
    first = next(iter(journal.read(folder)), None)
    found = list(journal.of_types(folder, _HEAD_TYPES))
    runbook_events = [e for e in found if e.get("type") in ("opened", "called")]
    return JournalHead(first, runbook_events, operator_of(found))


@dataclass(frozen=True)
class IncidentSummary:
    id: str
    folder: Path
    runbook: str
    version: str
    mode: str  # live | exercise
    state: str  # open | paused | closed | damaged
    outcome: str | None
    started: str | None  # ISO UTC of the opened event
    last_event: str | None  # ISO UTC
    last_type: str | None
    operator: str | None
    events: int
    timezone: str = DEFAULT_TIMEZONE  # of the incident: its times are shown in it
    verified: bool = True  # the last event's hash and the head register agree (check_incident)
    problem: str = ""  # why not, one line
    examples: bool = False  # it runs on a shipped example runbook (`"examples": true` in opened)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "folder": str(self.folder),
            "runbook": self.runbook,
            "version": self.version,
            "mode": self.mode,
            "state": self.state,
            "outcome": self.outcome,
            "started": self.started,
            "last_event": self.last_event,
            "last_type": self.last_type,
            "operator": self.operator,
            "events": self.events,
            "timezone": self.timezone,
            "verified": self.verified,
            "problem": self.problem,
            "examples": self.examples,
        }


def summarise(folder: Path, events: Iterable[Mapping[str, Any]]) -> IncidentSummary:
    """What `draaiboek incidents` shows of an incident, from its events in one pass (a stream
    will do: nothing but a few events is kept)."""
    fold = SummaryFold()
    for event in events:
        fold.add(event)
    return fold.summary(folder)


class SummaryFold:
    """`summarise`, one event at a time: for a reader that streams the journal once for
    something else too (`tap` it into that stream)."""

    def __init__(self) -> None:
        self.opened: Mapping[str, Any] = {}
        self.closed: Mapping[str, Any] | None = None
        self.last: Mapping[str, Any] = {}
        self.operator_events: list[Mapping[str, Any]] = []
        self.count = 0

    def add(self, event: Mapping[str, Any]) -> None:
        kind = event.get("type")
        if self.count == 0 and kind == "opened":
            self.opened = event
        if kind == "closed":
            self.closed = event
        if kind in OPERATOR_EVENTS:
            self.operator_events.append(event)
        self.last = event
        self.count += 1

    def tap(self, events: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        """The same events, each added here on its way through."""
        for event in events:
            self.add(event)
            yield event

    def summary(self, folder: Path) -> IncidentSummary:
        return _summary(folder, self)


def _summary(folder: Path, fold: SummaryFold) -> IncidentSummary:
    opened, closed, last, count = fold.opened, fold.closed, fold.last, fold.count
    operator_events = fold.operator_events
    if closed is not None:
        state = "closed"
    elif last.get("type") == "paused":
        state = "paused"
    else:
        state = "open"
    return IncidentSummary(
        id=str(opened.get("incident", folder.name)),
        folder=folder,
        runbook=str(opened.get("runbook", "?")),
        version=str(opened.get("version", "?")),
        mode=str(opened.get("mode", "?")),
        state=state,
        outcome=closed.get("outcome") if closed else None,
        started=opened.get("at"),
        last_event=last.get("at"),
        last_type=last.get("type"),
        operator=operator_of(operator_events) or None,
        events=count,
        timezone=zone_name(opened.get("timezone")),
        examples=opened.get("examples") is True,
    )


def list_incidents(home: Path) -> list[IncidentSummary]:
    """Every incident under the home, newest first, from the journals alone, each checked
    cheaply (`check_incident`: its last event's hash and the head register). Hidden folders
    (incidents being built, see journal.writer) are not incidents yet."""
    from dataclasses import replace

    from draaiboek.services.integrity import check_incident

    root = incidents_root(home)
    if not root.is_dir():
        return []
    summaries = []
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or not journal.is_incident(folder):
            continue
        try:
            check = check_incident(folder, home)
            summary = summarise(folder, journal.read(folder))
        except JournalError as exc:
            damaged = IncidentSummary(
                folder.name, folder, "?", "?", "?", "damaged", None, None, None, None, None, 0
            )
            summaries.append(replace(damaged, verified=False, problem=str(exc)))
            continue
        if not check.ok:
            summary = replace(summary, verified=False, problem="; ".join(check.problems))
        elif summary.events == 0:
            summary = replace(
                summary,
                verified=False,
                problem="no events: a start cut off before 'opened' by an earlier version; "
                f"'draaiboek start --incident {folder.name}' starts it again",
            )
        summaries.append(summary)
    summaries.sort(key=lambda s: s.started or "", reverse=True)
    return summaries
