"""The station in `opened`, and the hook the forwarder hangs on (no database needed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from draaiboek import journal
from draaiboek.load.library import load_library
from draaiboek.services.session import Session, system_clock
from national.helpers import DATA, RUNBOOK


def test_opened_records_the_station_and_hooks_see_every_durable_event(tmp_path: Path) -> None:
    library = load_library([DATA], today=date(2026, 6, 24))
    seen: list[dict[str, Any]] = []
    session = Session.start(
        tmp_path / "home",
        library.runbooks[RUNBOOK],
        library.all_runbooks(),
        operator="Jan",
        clock=system_clock,
        incident_id="inc-1",
        station="meldkamer-oost-brabant",
    )
    session.on_logged.append(seen.append)
    try:
        session.pause("koffie")
    finally:
        session.close()
    events = list(journal.read(tmp_path / "home" / "incidents" / "inc-1"))
    assert events[0]["station"] == "meldkamer-oost-brabant"
    assert seen == events[-1:]
    resumed = Session.resume(
        tmp_path / "home" / "incidents" / "inc-1", operator="Piet", clock=system_clock
    )
    resumed.close()
