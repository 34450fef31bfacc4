"""An event is written and fsync'd before the walk confirms it: the order of the calls."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from runbook_corpus import ANSWERS

from draaiboek.cli.render import Screen
from draaiboek.cli.walkloop import WalkLoop
from draaiboek.load.library import load_library
from draaiboek.model.catalogue import Messages
from draaiboek.services.session import Session

CORPUS = Path(__file__).resolve().parent / "corpus" / "valid"
T0 = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)


def test_every_event_is_written_and_fsynced_before_the_walk_confirms_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runbooks = load_library([CORPUS], today=date(2026, 11, 23)).all_runbooks()
    session = Session.start(
        tmp_path / "home",
        runbooks["every-step-type"],
        runbooks,
        operator="Jan",
        clock=lambda: T0,
        incident_id="volgorde",
    )
    calls: list[tuple[str, int, bytes]] = []  # (what, fd, bytes written) in the order they ran
    real_write, real_fsync = os.write, os.fsync

    def write(fd: int, data: Any) -> int:
        written = real_write(fd, data)
        calls.append(("write", fd, bytes(data[:written])))
        return written

    def fsync(fd: int) -> None:
        real_fsync(fd)
        calls.append(("fsync", fd, b""))

    screen = Screen(
        Console(file=io.StringIO(), width=100, no_color=True),
        Messages("nl"),
        "Europe/Amsterdam",
        {},
    )
    real_confirm = screen.logged_all
    confirmed: list[dict[str, Any]] = []

    def confirm(state: Any, events: Iterable[Mapping[str, Any]]) -> None:
        for event in events:
            confirmed.append(dict(event))
            calls.append(("confirm", -1, str(event["hash"]).encode()))
        real_confirm(state, events)

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(screen, "logged_all", confirm)
    try:
        finished = WalkLoop(session, screen, lambda hint: None, yaml.safe_load(ANSWERS)).run()
    finally:
        monkeypatch.undo()
        session.close()
    assert finished and session.state.closed
    assert len(confirmed) >= 8  # the walk confirmed what it logged, answer by answer

    for event in confirmed:
        at = calls.index(("confirm", -1, str(event["hash"]).encode()))
        # The one write that carried the event's whole line...
        writes = [
            (i, fd) for i, (what, fd, data) in enumerate(calls[:at])
            if what == "write" and f'"hash":"{event["hash"]}"'.encode() in data
        ]  # fmt: skip
        assert len(writes) == 1, f"event {event['seq']} was not written before it was confirmed"
        written_at, fd = writes[0]
        assert calls[written_at][2].endswith(b"\n")
        # ... then an fsync of that same file, still before the confirmation.
        assert ("fsync", fd, b"") in calls[written_at + 1 : at], (
            f"event {event['seq']} was confirmed before it was fsync'd"
        )
