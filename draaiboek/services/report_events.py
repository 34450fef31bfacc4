"""Reading an incident's journal for its report without holding it in memory.

One checking pass (`first_pass`) verifies the chain and replays the walk while keeping only
what is small (the first and last events, handovers, who took part, counts, which events have
an earlier time than one before them). The report's long tables are `JournalRows`: their rows
are made again from the journal each time they are shown, so memory stays flat however long the
incident ran.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, overload

from draaiboek import journal
from draaiboek.engine.fold import replay
from draaiboek.engine.operator import operator_after
from draaiboek.engine.state import WalkState
from draaiboek.journal import Event, Head, VerifyResult
from draaiboek.model.runbook import Runbook
from draaiboek.services.incidents import SummaryFold
from draaiboek.services.report_words import moment

T = TypeVar("T")


def at_of(event: Mapping[str, Any]) -> datetime | None:
    """When an event was logged (aware), None when its `at` is missing or not ISO 8601."""
    return moment(event.get("at"))


class JournalRows(Sequence[T]):
    """Rows made from the events of a journal (of some types, or all), read again from the
    journal each time they are iterated; ``len`` is known from the first pass. Indexing reads
    up to the row (for tests and small journals, not for rendering)."""

    def __init__(
        self,
        folder: Path,
        make: Callable[[Event], T],
        count: int,
        types: tuple[str, ...] | None = None,
    ) -> None:
        self.folder, self.make, self.size, self.types = folder, make, count, types

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[T]:
        if not self.size:
            return
        if self.types is None:
            events: Iterator[Event] = iter(
                journal.stream(self.folder, verify=False, on_damage="skip")
            )
        else:
            events = journal.of_types(self.folder, self.types, skip_damaged=True)
        # The report is of the journal as the first pass read it: what was appended since is
        # left out, and the rest of the file is not read once the last row is made.
        for made, event in enumerate(events, 1):
            yield self.make(event)
            if made == self.size:
                break

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return list(self)[index]


@dataclass
class FirstPass:
    """What the report keeps from its one checking pass over the journal."""

    check: VerifyResult
    bad_lines: int  # complete lines that are not events at all
    total: int  # events that could be read
    counts: Counter[str]  # events per type
    opened: Event  # the first `opened` ({} without one)
    closed: Event | None  # the last `closed`
    last: Event | None
    handovers: list[Event]
    operators: list[str]  # everyone who held the walk or logged an event, in order
    exercise: bool
    backwards: list[int]  # seqs logged at an earlier time than an event before them
    state: WalkState | None  # None when the journal could not be replayed
    replay_error: str = ""
    copy_events: list[Event] = field(default_factory=list)  # events naming stored copies
    summary: SummaryFold = field(default_factory=SummaryFold)  # what `incidents` shows of it


class _Collect:
    def __init__(self) -> None:
        self.total = 0
        self.counts: Counter[str] = Counter()
        self.opened: Event = {}
        self.closed: Event | None = None
        self.last: Event | None = None
        self.handovers: list[Event] = []
        self.people: dict[str, None] = {}
        self.operator = ""
        self.exercise = False
        self.latest: datetime | None = None
        self.backwards: list[int] = []
        self.copy_events: list[Event] = []
        self.summary = SummaryFold()

    def tap(self, events: Iterator[Event]) -> Iterator[Event]:
        for event in events:
            self.add(event)
            yield event

    def add(self, event: Event) -> None:
        kind = str(event.get("type"))
        self.summary.add(event)
        self.total += 1
        self.counts[kind] += 1
        self.last = event
        if kind == "opened":
            if not self.opened:
                self.opened = event
            self.exercise = self.exercise or event.get("mode") == "exercise"
        elif kind == "closed":
            self.closed = event
        elif kind == "handover":
            self.handovers.append(event)
        if kind in ("opened", "called", "exercise"):
            self.copy_events.append(event)
        by = str(event.get("by") or "")
        if by:
            self.people[by] = None
        self.operator = operator_after(self.operator, event)
        if self.operator:
            self.people[self.operator] = None
        at = at_of(event)
        if at is not None:
            if self.latest is not None and at < self.latest:
                seq = event.get("seq")
                self.backwards.append(seq if isinstance(seq, int) else self.total - 1)
            else:
                self.latest = at


def first_pass(folder: Path, runbooks: Mapping[str, Runbook], witnessed: Head | None) -> FirstPass:
    """Read the journal once: verify it (against ``witnessed``, a head recorded outside the
    incident), replay it with ``runbooks``, and keep what is small. A line that is not an event
    is counted and skipped; a replay that fails is said in ``replay_error``. Raises JournalError
    when the journal cannot be read at all."""
    stream = journal.stream(folder, verify=True, on_damage="skip", witnessed=witnessed)
    collect = _Collect()
    events = collect.tap(iter(stream))
    state: WalkState | None = None
    error = ""
    try:
        state = replay(runbooks, events)
    except Exception as exc:  # a damaged or foreign journal can break replay in many ways
        error = f"{type(exc).__name__}: {exc}"
    for _ in events:  # what the replay left unread still counts
        pass
    return FirstPass(
        check=stream.result,
        bad_lines=stream.bad_lines,
        total=collect.total,
        counts=collect.counts,
        opened=collect.opened,
        closed=collect.closed,
        last=collect.last,
        handovers=collect.handovers,
        operators=list(collect.people),
        exercise=collect.exercise,
        backwards=collect.backwards,
        state=state,
        replay_error=error,
        copy_events=collect.copy_events,
        summary=collect.summary,
    )
