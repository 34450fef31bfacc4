"""The station in `opened`, and the hook the forwarder hangs on (no database needed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from draaiboek import journal
from draaiboek.load.library import load_library
from draaiboek.services.national.chain import body_of
from draaiboek.services.national.connect import NationalError
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


def test_the_body_forwarded_is_the_journal_line_without_its_hash(tmp_path: Path) -> None:
    """The store hashes the body itself: it must be the bytes the journal hashed, which are the
    canonical line with its hash member taken out (non-ASCII kept as is)."""
    library = load_library([DATA], today=date(2026, 6, 24))
    session = Session.start(
        tmp_path / "home",
        library.runbooks[RUNBOOK],
        library.all_runbooks(),
        operator="Jérôme",
        clock=system_clock,
        incident_id="inc-1",
    )
    session.close()
    folder = tmp_path / "home" / "incidents" / "inc-1"
    line = (folder / "journal.jsonl").read_bytes().splitlines()[0]
    [event] = list(journal.of_types(folder, ("opened",)))
    event_hash, body = body_of(event)
    assert body.encode("utf-8") == line.replace(f',"hash":"{event_hash}"'.encode(), b"")
    assert "Jérôme" in body
    with pytest.raises(NationalError, match="does not hash to its own hash"):
        body_of({**event, "operator": "Piet"})
