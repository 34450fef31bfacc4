"""Where a walk stands: `WalkState` and the records it is made of, and what it leaves open.

A state is what the journal's events add up to; only the fold (`fold.replay`, `fold.apply`)
makes one. Going back (`corrected`) never deletes: the journal keeps every answer, and the
state drops the steps after the target from its *effective* path (`entries`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from draaiboek.model.runbook import Runbook, Step


class MissingRunbook(ValueError):
    """A walk needs a runbook (the top one or a sub-runbook) that was not passed in."""


@dataclass(frozen=True)
class Frame:
    """A runbook on the stack of (sub-)runbooks and the step the walk is at in it."""

    runbook: str
    step: str


# `slots`: a long incident holds a PathEntry per visit and a Record per answer (over 40,000
# each at 100,000 events); without a __dict__ each is about half the size.
@dataclass(frozen=True, slots=True)
class Record:
    """One answer: an option id, a recorded value, or an action/item result."""

    value: Any
    at: datetime
    reason: str = ""
    deferred_at: datetime | None = None  # kept when a deferred one is completed later


@dataclass(frozen=True, slots=True)
class PathEntry:
    """One visit of a step on the effective path, with the frame stack as it was entered."""

    runbook: str
    step: str
    at: datetime
    stack: tuple[Frame, ...]
    result: Record | None = None
    items: Mapping[str, Record] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenItem:
    """A deferred action or item, or a checklist item left unanswered."""

    runbook: str
    step: str
    item: str | None
    critical: bool
    deferred_at: datetime | None  # None: a checklist item that was never answered

    @property
    def key(self) -> str:
        return open_key(self.runbook, self.step, self.item)


@dataclass(frozen=True)
class NoteEntry:
    """A note, where and when it was made and by whom."""

    runbook: str
    step: str
    text: str
    at: datetime
    by: str


OpenKey = tuple[str, str, str | None]


class Seen:
    """A step as entering it needs it: its frame, and whether it has deadlines or repeats."""

    __slots__ = ("alone", "due", "frame", "repeat", "step")

    def __init__(self, runbooks: Mapping[str, Runbook], runbook: str, step_id: str) -> None:
        step = runbook_of(runbooks, runbook).step(step_id)  # fails on a step no runbook has
        self.step = step
        self.frame = Frame(runbook, step_id)
        self.alone = (self.frame,)  # the stack when it is the only frame
        # The step or one of its items has a deadline; the step repeats.
        self.due = step.due is not None or any(item.due is not None for item in step.items)
        self.repeat = step.repeat is not None


@dataclass(frozen=True)
class WalkState:
    """Where a walk stands: what the journal's events add up to (see `replay`)."""

    runbooks: Mapping[str, Runbook] = field(compare=False, repr=False)
    incident: str = ""
    mode: str = ""
    runbook: str = ""  # the top runbook's id
    version: str = ""
    sha256: str = ""
    lang: str = ""
    operator: str = ""
    started_at: datetime | None = None
    timezone: str = ""  # the IANA zone the incident recorded in `opened` ("" before it)
    # The first signal, from the latest `time-zero` event (None before one), and that event's
    # seq (what a correction names). `time_zero` is what the incident's clock counts from.
    first_signal: datetime | None = None
    first_signal_seq: int | None = None
    closed: bool = False
    closed_at: datetime | None = None
    outcome: str | None = None
    paused: bool = False
    stack: tuple[Frame, ...] = ()  # the last frame is where the walk stands
    entries: tuple[PathEntry, ...] = ()
    notes: tuple[NoteEntry, ...] = ()
    reminded: Mapping[tuple[str, str, str | None, str], datetime] = field(default_factory=dict)
    # (target id, kind) -> the latest `due` a target reminder was logged for.
    target_reminded: Mapping[tuple[str, str], datetime] = field(default_factory=dict)
    last_event_at: datetime | None = None
    event_count: int = 0
    # Derived from `entries` and kept up to date by the fold (`apply`, `replay`), so that a step
    # late in a long incident costs what it costs early on. Not compared: they follow from the
    # fields above. Only the fold makes states; `dataclasses.replace` would leave these stale.
    open_before: Mapping[OpenKey, OpenItem] = field(
        default_factory=dict, compare=False, repr=False
    )  # what `open_items` would be without the last entry (which is still being answered)
    due_entries: tuple[int, ...] = field(default=(), compare=False, repr=False)
    repeat_entries: tuple[int, ...] = field(default=(), compare=False, repr=False)
    # What the fold looked up about each step entered so far (a memo of `runbooks`, shared by
    # the states that follow from one another).
    seen: dict[tuple[str, str], Seen] = field(default_factory=dict, compare=False, repr=False)

    def step_of(self, runbook: str, step: str) -> Step:
        """A step of one of the walk's runbooks; MissingRunbook or KeyError when unknown."""
        return runbook_of(self.runbooks, runbook).step(step)

    @property
    def current(self) -> Frame | None:
        """Where the walk stands (runbook, step); None once it is closed or before it starts."""
        return None if self.closed or not self.stack else self.stack[-1]

    @property
    def time_zero(self) -> datetime | None:
        """What T+, every `due` and the targets count from (aware, UTC in a walk): the first
        signal once a `time-zero` event is logged, else the opening; None before `opened`."""
        return self.first_signal if self.first_signal is not None else self.started_at

    @property
    def path(self) -> tuple[tuple[str, str, datetime], ...]:
        return tuple((e.runbook, e.step, e.at) for e in self.entries)

    @property
    def visited(self) -> frozenset[tuple[str, str]]:
        return frozenset((e.runbook, e.step) for e in self.entries)

    @property
    def answers(self) -> Mapping[tuple[str, str], Any]:
        """The latest answer per step: option, value, action result, or item id -> result."""
        found: dict[tuple[str, str], Any] = {}
        for entry in self.entries:
            if entry.result is not None:
                found[(entry.runbook, entry.step)] = entry.result.value
            elif entry.items:
                found[(entry.runbook, entry.step)] = {k: r.value for k, r in entry.items.items()}
        return found

    @property
    def checklist(self) -> Mapping[str, Record]:
        """Item id -> answer for the checklist the walk stands at (empty elsewhere)."""
        current = self.current
        if current is None or not self.entries:
            return {}
        return self.entries[-1].items

    @cached_property
    def open_items(self) -> tuple[OpenItem, ...]:
        """Deferred actions and items, and checklist items left unanswered, in the order they
        were last settled (a later visit of a step decides)."""
        if not self.entries:
            return tuple(self.open_before.values())
        last = self.entries[-1]
        step = self.step_of(last.runbook, last.step)
        if not may_open(step, last):
            return tuple(self.open_before.values())
        found = dict(self.open_before)
        # The checklist being asked: its unanswered items are pending, not left open.
        settle_open(found, step, last, answering=not self.closed)
        return tuple(found.values())

    @property
    def open_critical(self) -> tuple[OpenItem, ...]:
        return tuple(item for item in self.open_items if item.critical)


def may_open(step: Step, entry: PathEntry) -> bool:
    """Whether this visit can leave something open (or settle something opened before)."""
    if step.type == "action":
        return entry.result is not None
    return step.type == "checklist"


def settle_open(
    found: dict[OpenKey, OpenItem], step: Step, entry: PathEntry, answering: bool
) -> None:
    """What one visit leaves open: it replaces what earlier visits of the step left."""
    if step.type == "action" and entry.result is not None:
        key: OpenKey = (entry.runbook, entry.step, None)
        found.pop(key, None)
        item = _open(entry, None, step.critical, entry.result)
        if item is not None:
            found[key] = item  # a later visit decides, and moves to the end
    elif step.type == "checklist":
        for checklist_item in step.items:
            record = entry.items.get(checklist_item.id)
            if record is None and answering:
                continue  # still being asked: pending, not left open
            ikey: OpenKey = (entry.runbook, entry.step, checklist_item.id)
            found.pop(ikey, None)
            opened = _open(entry, checklist_item.id, checklist_item.critical, record)
            if opened is not None:
                found[ikey] = opened


def open_map(
    runbooks: Mapping[str, Runbook], entries: Iterable[PathEntry]
) -> dict[OpenKey, OpenItem]:
    """What these (finished) visits leave open, from scratch."""
    found: dict[OpenKey, OpenItem] = {}
    for entry in entries:
        step = runbook_of(runbooks, entry.runbook).step(entry.step)
        if may_open(step, entry):
            settle_open(found, step, entry, answering=False)
    return found


def _open(
    entry: PathEntry, item: str | None, critical: bool, rec: Record | None
) -> OpenItem | None:
    if rec is not None and rec.value != "deferred":
        return None
    deferred_at = rec.deferred_at if rec is not None else None
    return OpenItem(entry.runbook, entry.step, item, critical, deferred_at)


def open_key(runbook: str, step: str, item: str | None) -> str:
    """How open actions and items are named in events, tests and reports."""
    return f"{runbook}/{step}" if item is None else f"{runbook}/{step}/{item}"


def runbook_of(runbooks: Mapping[str, Runbook], runbook_id: str) -> Runbook:
    """`runbooks[runbook_id]`; raises MissingRunbook (naming what was loaded) when absent."""
    try:
        return runbooks[runbook_id]
    except KeyError:
        raise MissingRunbook(
            f"runbook {runbook_id!r} is needed but was not loaded "
            f"(loaded: {', '.join(sorted(runbooks)) or 'none'})"
        ) from None


def changes_open(found: Mapping[OpenKey, OpenItem], step: Step, entry: PathEntry) -> bool:
    """Whether settling this finished visit changes `found` (most visits leave nothing open)."""
    if step.type == "action":
        result = entry.result
        if result is None:
            return False
        return result.value == "deferred" or (
            bool(found) and (entry.runbook, entry.step, None) in found
        )
    for item in step.items:
        record = entry.items.get(item.id)
        if record is None or record.value == "deferred":
            return True
        if found and (entry.runbook, entry.step, item.id) in found:
            return True
    return False
