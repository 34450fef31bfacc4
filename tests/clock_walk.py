"""The clock runbook (tests/corpus/clock/klok.yaml) walked by the engine with a clock the test
sets for every answer: shared by the time-zero, target and handover tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from draaiboek.engine.decide import Draft, open_events, respond
from draaiboek.engine.fold import apply, initial_state
from draaiboek.engine.inputs import Answer
from draaiboek.engine.state import WalkState
from draaiboek.load.build import build_runbook
from draaiboek.load.documents import read_document
from draaiboek.model.runbook import Runbook

CLOCK_FILE = Path(__file__).resolve().parent / "corpus" / "clock" / "klok.yaml"
# Opened at 18:00 in Amsterdam (17:00 UTC), a day without a change of clocks.
OPENED = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def clock_runbook() -> Runbook:
    doc, findings = read_document(CLOCK_FILE)
    assert doc is not None, findings
    return build_runbook(doc)


class ClockWalk:
    """The engine alone: every answer at a time the test gives; events get seq numbers."""

    def __init__(
        self,
        opened: datetime = OPENED,
        zone: str = "Europe/Amsterdam",
        runbook: Runbook | None = None,
    ) -> None:
        self.runbook = runbook or clock_runbook()
        self.state: WalkState = initial_state({self.runbook.id: self.runbook})
        self.events: list[dict[str, Any]] = []
        drafts = open_events(
            self.runbook, incident="klok-1", mode="live", operator="Jan", tool_version="t",
            timezone=zone, lang="nl", allow_draft=False,
        )  # fmt: skip
        self.log(drafts, opened)

    def log(self, drafts: list[Draft], at: datetime) -> list[dict[str, Any]]:
        new = []
        for draft in drafts:
            event = {
                "seq": len(self.events), "type": draft.type, "at": at.isoformat(), "by": "Jan",
                **draft.fields,
            }  # fmt: skip
            self.events.append(event)
            self.state = apply(self.state, event)
            new.append(event)
        return new

    def answer(self, answer: Answer, at: datetime) -> list[dict[str, Any]]:
        return self.log(respond(self.state, answer, at), at)
