"""Forwarding an incident's journal to the store: copies first, then the events in batches.

Idempotent: the store says what it holds, only what follows is sent, and an event sent twice is
a no-op there. What the store acknowledged is recorded in the home (see acks). Only events that
verify locally are sent: a damaged journal is forwarded up to its first bad line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from draaiboek import journal
from draaiboek.model.runbook import Runbook
from draaiboek.services.national import acks, ingest
from draaiboek.services.national.chain import body_of
from draaiboek.services.national.connect import NationalError

if TYPE_CHECKING:
    import psycopg

BATCH = 5000


@dataclass(frozen=True)
class Forwarded:
    """The result for one incident: how many events it has locally (verified), how many were
    sent and stored now, what the store holds, and the first problem (None: all is well)."""

    incident: str
    local: int
    sent: int
    accepted: int
    stored: int
    problem: str | None = None


def runbook_marks(runbook: Runbook) -> tuple[tuple[str, str], ...]:
    """(step, kind) for each step the overview reads: time zero, published, national."""
    marks = []
    if runbook.time_zero:
        marks.append((runbook.time_zero, "time-zero"))
    for step in runbook.steps.values():
        if step.publishes:
            marks.append((step.id, f"publishes:{step.publishes}"))
        if step.national:
            marks.append((step.id, f"national:{step.national}"))
    return tuple(marks)


def runbook_copies(folder: Path, opening: list[dict[str, Any]]) -> list[ingest.RunbookCopy]:
    """The runbook files an incident names (its opened and called events), with their marks."""
    from draaiboek.services.incidents import incident_runbooks

    copies = []
    for runbook in incident_runbooks(folder, opening).values():
        content = (folder / f"{runbook.sha256}.yaml").read_bytes()
        copies.append(
            ingest.RunbookCopy(
                runbook.sha256, runbook.id, runbook.version, content, runbook_marks(runbook)
            )
        )
    return copies


def forward_incident(
    conn: psycopg.Connection[Any],
    folder: Path,
    *,
    station: str,
    home: Path,
    target: str,
    batch: int = BATCH,
) -> Forwarded:
    """Send what the store does not hold of the incident in `folder`; record the ack in `home`.

    `station` is the connected role's station (ingest.station_of). NationalError when the
    database cannot be reached or refuses a batch whole; refusals of single events come back as
    `problem`.
    """
    incident = folder.name
    opening = list(journal.of_types(folder, ("opened", "called")))
    if not opening or opening[0].get("type") != "opened":
        return Forwarded(incident, 0, 0, 0, 0, "no 'opened' event yet: nothing to forward")
    local_station = opening[0].get("station")
    if local_station is not None and local_station != station:
        raise NationalError(
            f"incident {incident} was opened at station {local_station!r}, but this database "
            f"role forwards for {station!r}: use that station's credentials"
        )
    ingest.send_copies(conn, runbook_copies(folder, opening))
    head = ingest.stored_head(conn, incident)
    start = head[0] if head else 0  # resend the stored head: a different one there is a fork
    sent = accepted = 0
    stored = head[0] + 1 if head else 0
    problem = None
    stream = journal.stream(folder, verify=True, on_damage="stop")
    local_hashes: dict[int, str] = {}
    for rows in _batches(stream, incident, start, batch, local_hashes):
        sent += len(rows)
        for outcome in ingest.send(conn, rows):
            accepted += outcome.accepted
            if outcome.stored_seq is None:
                continue
            stored = outcome.stored_seq + 1
            if local_hashes.get(outcome.stored_seq) == outcome.stored_hash:
                ack = acks.Ack(outcome.stored_seq, str(outcome.stored_hash), target)
                acks.write_ack(home, incident, ack)
            problem = problem or outcome.problem
        if problem:
            return Forwarded(incident, max(local_hashes) + 1, sent, accepted, stored, problem)
    result = stream.result
    if result.events < stored:
        problem = (
            f"the local journal has {result.events} events, the store holds {stored}: the "
            "journal is shorter than what was forwarded ('draaiboek verify --db' compares them)"
        )
    elif not result.ok:
        problem = f"local journal, line {result.broken_line}: {result.reason}"
    return Forwarded(incident, result.events, sent, accepted, stored, problem)


def _batches(
    events: journal.EventStream,
    incident: str,
    start: int,
    size: int,
    hashes: dict[int, str],
) -> Iterator[list[ingest.Row]]:
    rows: list[ingest.Row] = []
    for event in events:
        seq = event["seq"]
        if seq < start:
            continue
        event_hash, body = body_of(event)
        hashes[seq] = event_hash
        rows.append(ingest.Row(incident, seq, event_hash, body))
        if len(rows) >= size:
            yield rows
            rows = []
    if rows:
        yield rows
