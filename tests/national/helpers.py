"""Helpers for the national tests: walking the test runbook into a home, synthetic chains."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cli_run import cli as run_cli

from draaiboek.journal.canonical import canonical_body
from draaiboek.services.national.ingest import Row

DATA = Path(__file__).parent / "data"
RUNBOOK = "landelijk-test"
UNSET = (
    "DRAAIBOEK_RUNBOOKS",
    "DRAAIBOEK_LANG",
    "DRAAIBOEK_OPERATOR",
    "DRAAIBOEK_HOME",
    "DRAAIBOEK_DB",
    "DRAAIBOEK_STATION",
)

FIRST = """\
eerste-signaal: "12:00"
omvang: landelijk
"""
MESSAGE = """\
bericht: "Bel 088 662 8237 of de tiplijn 020-1234567"
"""
REST = """\
lijst: {posten: done, zichtbaar: done}
"""


def cli(home: Path, args: list[str], input: str = "") -> tuple[int, str]:
    """`draaiboek ARGS` in-process, the national settings cleared too; (exit code, output)."""
    return run_cli(home, args, input, unset=UNSET)


def walk(home: Path, incident: str, answers: str, *extra: str) -> tuple[int, str]:
    """Start (or, when it exists, resume) `incident` of the test runbook with `answers`."""
    path = home.parent / f"answers-{incident}.yaml"
    home.mkdir(parents=True, exist_ok=True)
    path.write_text(answers, encoding="utf-8")
    exists = (home / "incidents" / incident).is_dir()
    args = (
        ["resume", incident]
        if exists
        else ["start", RUNBOOK, "--incident", incident, "--operator", "Jan"]
    )
    return cli(home, [*args, "--runbooks", str(DATA), "--answers", str(path), *extra])


def chain(incident: str, count: int, *, start: datetime | None = None) -> list[dict[str, Any]]:
    """A valid chain of `count` events (opened, then notes), hashed by the journal's rule."""
    at = start or datetime(2026, 6, 24, 16, 0, tzinfo=UTC)
    events: list[dict[str, Any]] = []
    prev = None
    for seq in range(count):
        event: dict[str, Any] = {
            "seq": seq,
            "at": (at + timedelta(seconds=seq)).isoformat(timespec="microseconds"),
            "type": "opened" if seq == 0 else "note",
            "by": "Jan",
            "prev": prev,
        }
        if seq == 0:
            event.update(
                incident=incident,
                runbook=RUNBOOK,
                version="1.0.0",
                mode="live",
                sha256="0" * 64,
                timezone="Europe/Amsterdam",
            )
        else:
            event["text"] = f"notitie {seq}"
        event["hash"] = hashlib.sha256(canonical_body(event).encode("utf-8")).hexdigest()
        prev = event["hash"]
        events.append(event)
    return events


def rows(incident: str, events: list[dict[str, Any]]) -> list[Row]:
    out = []
    for event in events:
        fields = {k: v for k, v in event.items() if k != "hash"}
        out.append(Row(incident, event["seq"], event["hash"], canonical_body(fields)))
    return out


def rehash(event: dict[str, Any]) -> dict[str, Any]:
    """`event` with its hash recomputed (a forger who knows the rule)."""
    fields = {k: v for k, v in event.items() if k != "hash"}
    return {**fields, "hash": hashlib.sha256(canonical_body(fields).encode("utf-8")).hexdigest()}
