"""One batch of events into the store, and the runbook copies they name.

The station asks the store for its batch table (``draaiboek.open_batch()``), COPYs the batch
into it and calls ``draaiboek.ingest()``, which parses each event once, checks the batch as a
set, inserts the valid continuation of each incident's chain, diverts the rest and updates the
summaries (see sql/0001_store.sql). One transaction per batch: a batch is stored whole or not at
all, and sending it again is a no-op for what was stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from draaiboek.services.national.connect import NationalError, describe, psycopg_module

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class Row:
    """One event as forwarded: its incident, seq, hash and the exact bytes the hash covers."""

    incident: str
    seq: int
    hash: str
    body: str


@dataclass(frozen=True)
class Outcome:
    """What the store says about one incident after a batch.

    ``stored_seq``/``stored_hash``: the last event stored now (None: nothing stored).
    ``refused`` counts events refused or not yet acceptable (a gap, or after a refused one);
    ``problem`` names the first of them or a fork (e.g. ``"hash-mismatch at seq 12"``).
    """

    incident: str
    stored_seq: int | None
    stored_hash: str | None
    accepted: int
    duplicates: int
    refused: int
    forks: int
    problem: str | None


@dataclass(frozen=True)
class RunbookCopy:
    """A runbook file an incident used, with the marks the overview reads (see runbook_marks)."""

    sha256: str
    runbook: str
    version: str
    content: bytes
    marks: tuple[tuple[str, str], ...]  # (step, kind)


def load_batch(conn: psycopg.Connection[Any], rows: Iterable[Row]) -> None:
    """Open this session's batch table and COPY `rows` into it, inside the caller's transaction
    (``draaiboek.ingest()`` then reads it); psycopg.Error when the database refuses."""
    conn.execute("SELECT draaiboek.open_batch()")
    with conn.cursor().copy(
        "COPY pg_temp.draaiboek_batch (incident, seq, hash, body) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row((row.incident, row.seq, row.hash, row.body))


def send(conn: psycopg.Connection[Any], rows: Iterable[Row]) -> list[Outcome]:
    """Store one batch in one transaction; NationalError when the database refuses it whole."""
    psycopg = psycopg_module()
    try:
        with conn.transaction():
            load_batch(conn, rows)
            found = conn.execute("SELECT * FROM draaiboek.ingest()").fetchall()
    except psycopg.Error as exc:
        if isinstance(exc, psycopg.OperationalError):
            raise NationalError(f"the database connection failed: {describe(exc)}") from None
        raise NationalError(f"the database refused the batch: {describe(exc)}") from None
    return [Outcome(*row) for row in found]


def send_copies(conn: psycopg.Connection[Any], copies: Sequence[RunbookCopy]) -> int:
    """Store the runbook copies the store does not have yet; returns how many were new."""
    if not copies:
        return 0
    psycopg = psycopg_module()
    try:
        with conn.transaction():
            have = {
                sha
                for (sha,) in conn.execute(
                    "SELECT sha256 FROM draaiboek.runbook_copies WHERE sha256 = ANY(%s)",
                    ([copy.sha256 for copy in copies],),
                )
            }
            new = [copy for copy in copies if copy.sha256 not in have]
            for copy in new:
                conn.execute(
                    "INSERT INTO draaiboek.runbook_copies (sha256, runbook, version, content) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (copy.sha256, copy.runbook, copy.version, copy.content),
                )
                if copy.marks:
                    conn.cursor().executemany(
                        "INSERT INTO draaiboek.runbook_marks (sha256, step, kind) "
                        "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                        [(copy.sha256, step, kind) for step, kind in copy.marks],
                    )
    except psycopg.Error as exc:
        if isinstance(exc, psycopg.OperationalError):
            raise NationalError(f"the database connection failed: {describe(exc)}") from None
        raise NationalError(f"the database refused a runbook copy: {describe(exc)}") from None
    return len(new)


def stored_head(conn: psycopg.Connection[Any], incident: str) -> tuple[int, str] | None:
    """(seq, hash) of this station's last stored event of `incident`, or None."""
    row = conn.execute(
        "SELECT seq, hash FROM draaiboek.events WHERE station = draaiboek.current_station() "
        "AND incident = %s ORDER BY seq DESC LIMIT 1",
        (incident,),
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def station_of(conn: psycopg.Connection[Any]) -> str:
    """The station the connected role forwards for; NationalError for any other role."""
    row = conn.execute("SELECT draaiboek.current_station()").fetchone()
    if not row or row[0] is None:
        raise NationalError(
            f"role {conn.info.user} is not a station: connect as the role that "
            "'draaiboek db add-station NAME' made"
        )
    return str(row[0])
