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


def test_the_text_overview_shows_control_characters_escaped() -> None:
    from draaiboek.services.national.text import safe

    assert safe("rood\x1b[31m\nregel\x9b") == "rood\\x1b[31m\\nregel\\x9b"


def test_published_numbers_are_found_and_checked_against_the_registry() -> None:
    from draaiboek.services.national.copies import contacts_in
    from draaiboek.services.national.numbers import find_numbers, registry

    known = registry(contacts_in(DATA))
    text = "Bel 088-6628237, +31 (0)6 1234 5678, 0031 00 000 0001 of 020 123 4567; 24-06-2019 18:00"
    found = [(f.digits, f.flag) for f in find_numbers(text, known)]
    assert found == [
        ("0886628237", ""),
        ("0612345678", "unverified"),
        ("0000000001", "example"),
        ("0201234567", "not-in-registry"),
    ]
