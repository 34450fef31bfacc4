"""The store as the witness outside the machine: compare a local journal with what its station
forwarded. A journal shorter than the stored copy (a tail cut off) or differing from it (an
event changed and the chain rehashed) is reported with the first seq where they part."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from draaiboek import journal
from draaiboek.services.national.connect import NationalError, describe, psycopg_module


@dataclass(frozen=True)
class Comparison:
    """`problem` is None when every stored event is in the local journal, byte for byte (by
    hash). `local` and `stored` count events; `differs_at` is the first seq that differs."""

    incident: str
    station: str | None
    local: int
    stored: int
    differs_at: int | None
    problem: str | None


def _content_hash(event: dict[str, Any]) -> str:
    """The hash the event's content has, whatever its own hash field says."""
    return journal.event_hash({key: value for key, value in event.items() if key != "hash"})


def compare(conn: Any, folder: Path) -> Comparison:
    """Compare the journal in `folder` with the store, read as a station (its own events) or as
    the reader (the station named in `opened`, else the only one holding the incident)."""
    incident = folder.name
    opening = next(iter(journal.of_types(folder, ("opened",))), None)
    named = opening.get("station") if opening else None
    psycopg = psycopg_module()
    try:
        with conn.transaction():
            stations = [
                row[0]
                for row in conn.execute(
                    "SELECT DISTINCT station FROM draaiboek.summaries WHERE incident = %s "
                    "AND station = coalesce(draaiboek.current_station(), %s, station)",
                    (incident, named),
                )
            ]
            if len(stations) > 1:
                raise NationalError(
                    f"incident {incident} is stored for several stations ({', '.join(stations)}): "
                    "verify as the station's role"
                )
            station = stations[0] if stations else None
            stored = conn.execute(
                "SELECT seq, hash FROM draaiboek.events WHERE station = %s AND incident = %s "
                "ORDER BY seq",
                (station, incident),
            ).fetchall()
    except psycopg.Error as exc:
        raise NationalError(f"cannot read the store: {describe(exc)}") from None
    local = 0
    differs = None
    for event in journal.stream(folder, verify=False, on_damage="stop"):
        seq = event.get("seq")
        if (
            differs is None
            and isinstance(seq, int)
            and seq < len(stored)
            and stored[seq][1] != _content_hash(event)
        ):
            differs = seq
        local += 1
    problem = None
    if differs is not None:
        problem = f"event {differs} differs from the one forwarded to the store"
    elif local < len(stored):
        problem = (
            f"the journal has {local} events but the station forwarded {len(stored)}: its tail "
            "was cut off after forwarding"
        )
    return Comparison(incident, station, local, len(stored), differs, problem)
