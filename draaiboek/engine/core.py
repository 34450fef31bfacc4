"""The walk through a runbook as a pure state machine.

The state is a fold over journal events (`replay`, `apply`); an answer never changes the state
directly but yields the events to log (`respond`), which the walk service appends to the journal
and feeds back through `apply`. Nothing here reads the clock, the terminal or a file: that keeps
a walk replayable from its journal alone, at any speed, in tests and in exercises.

Going back (`corrected`) never deletes: the journal keeps every answer, and the state drops the
steps after the target from its *effective* path.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from draaiboek.model.runbook import Runbook, Step

RESULTS = ("done", "skipped", "deferred")
PAUSE_REASONS = ("user", "interrupted", "input-ended")
MODES = ("live", "exercise")
# Sub-runbooks calling each other in a circle would otherwise recurse until the stack runs out.
MAX_DEPTH = 32
_ANSWERABLE = ("decision", "action", "checklist", "input")
# Follow-up events are simulated to find the next ones; their time never reaches the journal.
_SIM_AT = datetime(2000, 1, 1, tzinfo=UTC)


class Rejected(Exception):
    """The answer is not accepted; nothing is logged. `code` is stable (a message key);
    `keyword` is the JSON Schema keyword an input value failed, so a UI can explain it."""

    def __init__(self, code: str, detail: str = "", keyword: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.keyword = keyword


class MissingRunbook(ValueError):
    """A walk needs a runbook (the top one or a sub-runbook) that was not passed in."""


@dataclass(frozen=True)
class Draft:
    """An event to be logged: its type and its own fields (the journal adds seq, at, by...)."""

    type: str
    fields: Mapping[str, Any]


# --- answers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choose:
    """A decision's option, by id."""

    option: str


@dataclass(frozen=True)
class Act:
    """An action's result: done, skipped (with a reason) or deferred."""

    result: str  # done | skipped | deferred
    reason: str = ""


@dataclass(frozen=True)
class ItemAnswer:
    """A checklist item's result."""

    item: str
    result: str
    reason: str = ""


@dataclass(frozen=True)
class Value:
    """An input step's value, as typed."""

    text: str


@dataclass(frozen=True)
class Confirm:
    """Whether to close at an end step with critical actions still open."""

    yes: bool


@dataclass(frozen=True)
class Note:
    """A note at the current step."""

    text: str


@dataclass(frozen=True)
class Back:
    """Go back to the previous answered step (logs a correction)."""

    pass


@dataclass(frozen=True)
class Complete:
    """Complete an open action or checklist item of an earlier step."""

    runbook: str
    step: str
    item: str | None = None


@dataclass(frozen=True)
class Pause:
    """Stop for now; `resume` goes on at the same step."""

    reason: str = "user"


Answer = Choose | Act | ItemAnswer | Value | Confirm | Note | Back | Complete | Pause


# --- state ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """A runbook on the stack of (sub-)runbooks and the step the walk is at in it."""

    runbook: str
    step: str


@dataclass(frozen=True)
class Record:
    """One answer: an option id, a recorded value, or an action/item result."""

    value: Any
    at: datetime
    reason: str = ""
    deferred_at: datetime | None = None  # kept when a deferred one is completed later


@dataclass(frozen=True)
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


_OpenKey = tuple[str, str, str | None]


class _Seen:
    """A step as entering it needs it: its frame, and whether it has deadlines or repeats."""

    __slots__ = ("alone", "due", "frame", "repeat", "step")

    def __init__(self, runbooks: Mapping[str, Runbook], runbook: str, step_id: str) -> None:
        step = _runbook(runbooks, runbook).step(step_id)  # fails on a step no runbook has
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
    closed: bool = False
    outcome: str | None = None
    paused: bool = False
    stack: tuple[Frame, ...] = ()  # the last frame is where the walk stands
    entries: tuple[PathEntry, ...] = ()
    notes: tuple[NoteEntry, ...] = ()
    reminded: Mapping[tuple[str, str, str | None, str], datetime] = field(default_factory=dict)
    last_event_at: datetime | None = None
    event_count: int = 0
    # Derived from `entries` and kept up to date by the fold (`apply`, `replay`), so that a step
    # late in a long incident costs what it costs early on. Not compared: they follow from the
    # fields above. Only the fold makes states; `dataclasses.replace` would leave these stale.
    open_before: Mapping[_OpenKey, OpenItem] = field(
        default_factory=dict, compare=False, repr=False
    )  # what `open_items` would be without the last entry (which is still being answered)
    due_entries: tuple[int, ...] = field(default=(), compare=False, repr=False)
    repeat_entries: tuple[int, ...] = field(default=(), compare=False, repr=False)
    # What the fold looked up about each step entered so far (a memo of `runbooks`, shared by
    # the states that follow from one another).
    seen: dict[tuple[str, str], _Seen] = field(default_factory=dict, compare=False, repr=False)

    def step_of(self, runbook: str, step: str) -> Step:
        return _runbook(self.runbooks, runbook).step(step)

    @property
    def current(self) -> Frame | None:
        return None if self.closed or not self.stack else self.stack[-1]

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
        if not _may_open(step, last):
            return tuple(self.open_before.values())
        found = dict(self.open_before)
        # The checklist being asked: its unanswered items are pending, not left open.
        _settle_open(found, step, last, answering=not self.closed)
        return tuple(found.values())

    @property
    def open_critical(self) -> tuple[OpenItem, ...]:
        return tuple(item for item in self.open_items if item.critical)


def _may_open(step: Step, entry: PathEntry) -> bool:
    """Whether this visit can leave something open (or settle something opened before)."""
    if step.type == "action":
        return entry.result is not None
    return step.type == "checklist"


def _settle_open(
    found: dict[_OpenKey, OpenItem], step: Step, entry: PathEntry, answering: bool
) -> None:
    """What one visit leaves open: it replaces what earlier visits of the step left."""
    if step.type == "action" and entry.result is not None:
        key: _OpenKey = (entry.runbook, entry.step, None)
        found.pop(key, None)
        item = _open(entry, None, step.critical, entry.result)
        if item is not None:
            found[key] = item  # a later visit decides, and moves to the end
    elif step.type == "checklist":
        for checklist_item in step.items:
            record = entry.items.get(checklist_item.id)
            if record is None and answering:
                continue  # still being asked: pending, not left open
            ikey: _OpenKey = (entry.runbook, entry.step, checklist_item.id)
            found.pop(ikey, None)
            opened = _open(entry, checklist_item.id, checklist_item.critical, record)
            if opened is not None:
                found[ikey] = opened


def _open_map(
    runbooks: Mapping[str, Runbook], entries: Iterable[PathEntry]
) -> dict[_OpenKey, OpenItem]:
    """What these (finished) visits leave open, from scratch."""
    found: dict[_OpenKey, OpenItem] = {}
    for entry in entries:
        step = _runbook(runbooks, entry.runbook).step(entry.step)
        if _may_open(step, entry):
            _settle_open(found, step, entry, answering=False)
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


def _runbook(runbooks: Mapping[str, Runbook], runbook_id: str) -> Runbook:
    try:
        return runbooks[runbook_id]
    except KeyError:
        raise MissingRunbook(
            f"runbook {runbook_id!r} is needed but was not loaded "
            f"(loaded: {', '.join(sorted(runbooks)) or 'none'})"
        ) from None


# --- the fold ------------------------------------------------------------------------------


# The fold copies every WalkState field: the sequences below as lists that may grow, the rest as
# they are. Derived from the dataclass, so a new field cannot be forgotten here.
_GROWING = ("entries", "notes", "due_entries", "repeat_entries")
_COPIED = tuple(f.name for f in fields(WalkState) if f.name not in (*_GROWING, "open_before"))


class _Fold:
    """A state being changed by events: the fold's working copy, frozen into a WalkState.

    `replay` keeps one for the whole journal, with lists that grow in place. `apply` makes one
    per event: the tuples are copied at most once. Both carry `open_before` forward visit by
    visit, and work it out again only after a visit before the last one changed.
    """

    __slots__ = (*_COPIED, *_GROWING, "open_before", "last_seen", "growing", "stale")
    # Types of the copied fields the handlers use (the values come from `_COPIED`).
    runbooks: Mapping[str, Runbook]
    incident: str
    mode: str
    runbook: str
    version: str
    sha256: str
    lang: str
    operator: str
    started_at: datetime | None
    closed: bool
    outcome: str | None
    paused: bool
    stack: tuple[Frame, ...]
    reminded: Mapping[tuple[str, str, str | None, str], datetime]
    last_event_at: datetime | None
    event_count: int
    seen: dict[tuple[str, str], _Seen]

    def __init__(self, state: WalkState, growing: bool) -> None:
        for name in _COPIED:  # `reminded` and `seen` are shared: replaced, or a memo
            setattr(self, name, getattr(state, name))
        self.open_before = state.open_before  # replaced when changed, never changed in place
        self.last_seen: _Seen | None = None  # of the last entry, once this fold entered it
        self.growing = growing
        self.entries: list[PathEntry] | tuple[PathEntry, ...] = state.entries
        self.notes: list[NoteEntry] | tuple[NoteEntry, ...] = state.notes
        self.due_entries: list[int] | tuple[int, ...] = state.due_entries
        self.repeat_entries: list[int] | tuple[int, ...] = state.repeat_entries
        if growing:
            self.entries = list(self.entries)
            self.notes = list(self.notes)
            self.due_entries = list(self.due_entries)
            self.repeat_entries = list(self.repeat_entries)
        # True: `open_before` no longer matches `entries`; it is worked out again when frozen.
        self.stale = False

    def step_of(self, runbook: str, step: str) -> Step:
        return _runbook(self.runbooks, runbook).step(step)

    def set_entry(self, index: int, entry: PathEntry) -> None:
        if index != len(self.entries) - 1:
            self.stale = True  # an earlier visit changed (a late completion)
        if isinstance(self.entries, list):
            self.entries[index] = entry
        else:
            self.entries = (*self.entries[:index], entry, *self.entries[index + 1 :])

    def cut_entries(self, index: int, entry: PathEntry) -> None:
        """Replace the entry at `index` (a visit of the same step) and drop all after it."""
        self.stale = True
        self.last_seen = None
        entries = [*self.entries[:index], entry]
        due = [i for i in self.due_entries if i <= index]
        repeat = [i for i in self.repeat_entries if i <= index]
        if self.growing:
            self.entries, self.due_entries, self.repeat_entries = entries, due, repeat
        else:
            self.entries, self.due_entries, self.repeat_entries = (
                tuple(entries),
                tuple(due),
                tuple(repeat),
            )

    def add_note(self, note: NoteEntry) -> None:
        if isinstance(self.notes, list):
            self.notes.append(note)
        else:
            self.notes = (*self.notes, note)

    def add_due(self, index: int) -> None:
        if isinstance(self.due_entries, list):
            self.due_entries.append(index)
        else:
            self.due_entries = (*self.due_entries, index)

    def add_repeat(self, index: int) -> None:
        if isinstance(self.repeat_entries, list):
            self.repeat_entries.append(index)
        else:
            self.repeat_entries = (*self.repeat_entries, index)

    def freeze(self) -> WalkState:
        entries = tuple(self.entries)
        open_before = self.open_before
        if self.stale:
            open_before = _open_map(self.runbooks, entries[:-1])
        return WalkState(
            **{name: getattr(self, name) for name in _COPIED},
            entries=entries,
            notes=tuple(self.notes),
            open_before=open_before,
            due_entries=tuple(self.due_entries),
            repeat_entries=tuple(self.repeat_entries),
        )


# Replaying a long journal makes a PathEntry for every visit and answer and a Record for every
# answer; a frozen dataclass's __init__ sets each field with object.__setattr__, which costs
# more than the rest of the fold. These make the same objects (tests/test_engine.py checks).
_new = object.__new__


def _entry(
    runbook: str, step: str, at: datetime, stack: tuple[Frame, ...], result: Record | None,
    items: Mapping[str, Record],
) -> PathEntry:  # fmt: skip
    entry = _new(PathEntry)
    fields = entry.__dict__
    fields["runbook"] = runbook
    fields["step"] = step
    fields["at"] = at
    fields["stack"] = stack
    fields["result"] = result
    fields["items"] = items
    return entry


def _record(value: Any, at: datetime, reason: str, deferred_at: datetime | None) -> Record:
    record = _new(Record)
    fields = record.__dict__
    fields["value"] = value
    fields["at"] = at
    fields["reason"] = reason
    fields["deferred_at"] = deferred_at
    return record


def initial_state(runbooks: Mapping[str, Runbook]) -> WalkState:
    return WalkState(runbooks=runbooks)


@contextmanager
def no_cycle_collection(freeze_after: bool = False) -> Iterator[None]:
    """Reading a long journal makes tens of thousands of small objects and no cycles: the
    cycle collector would only go through them again and again. With `freeze_after`, what
    was made stays out of its sight for good (objects that live as long as the command)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
        if freeze_after:
            gc.freeze()
    finally:
        if collecting:
            gc.enable()


def replay(runbooks: Mapping[str, Runbook], events: Iterable[Mapping[str, Any]]) -> WalkState:
    fold = _Fold(initial_state(runbooks), growing=True)
    handlers = _HANDLERS
    parse = datetime.fromisoformat
    with no_cycle_collection():
        count, at, last = fold.event_count, fold.last_event_at, ""
        for event in events:
            kind = str(event.get("type", ""))
            handler = handlers.get(kind)
            if handler is None:
                continue  # written by a newer version: forward compatible
            at = parse(str(event["at"]))
            handler(fold, event, at)
            count += 1
            last = kind
        if count > fold.event_count:
            fold.event_count, fold.last_event_at, fold.paused = count, at, last == "paused"
        return fold.freeze()


def apply(state: WalkState, event: Mapping[str, Any]) -> WalkState:
    """The state after one journal event; unknown event types leave it unchanged."""
    kind = str(event.get("type", ""))
    if kind not in _HANDLERS:
        return state  # written by a newer version: forward compatible
    return _apply(state, kind, event, datetime.fromisoformat(str(event["at"])))


def _apply(state: WalkState, kind: str, ev: Mapping[str, Any], at: datetime) -> WalkState:
    fold = _Fold(state, growing=False)
    _HANDLERS[kind](fold, ev, at)
    fold.last_event_at = at
    fold.event_count += 1
    fold.paused = kind == "paused"
    return fold.freeze()


def _on_opened(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    _runbook(fold.runbooks, str(ev["runbook"]))
    fold.incident = str(ev.get("incident", ""))
    fold.mode = str(ev.get("mode", ""))
    fold.runbook = str(ev["runbook"])
    fold.version = str(ev.get("version", ""))
    fold.sha256 = str(ev.get("sha256", ""))
    fold.lang = str(ev.get("lang", ""))
    fold.operator = str(ev.get("operator") or str(ev.get("by", "")))
    fold.started_at = at


def _on_entered(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    key = (str(ev["runbook"]), str(ev["step"]))
    seen = fold.seen.get(key)
    if seen is None:
        seen = fold.seen[key] = _Seen(fold.runbooks, *key)
    frame = seen.frame
    stack = fold.stack
    if not stack or (len(stack) == 1 and stack[0].runbook == frame.runbook):
        stack = seen.alone
    elif stack[-1].runbook == frame.runbook:
        stack = (*stack[:-1], frame)
    else:
        stack = (*stack, frame)
    entries = fold.entries
    if entries and not fold.stale:
        # The visit being left is finished: what it leaves open is now known for good.
        last = entries[-1]
        left = fold.last_seen or fold.seen.get((last.runbook, last.step))
        step = left.step if left is not None else fold.step_of(last.runbook, last.step)
        if _may_open(step, last) and _changes_open(fold.open_before, step, last):
            found = dict(fold.open_before)
            _settle_open(found, step, last, answering=False)
            fold.open_before = found
    fold.last_seen = seen
    index = len(entries)
    entry = _entry(frame.runbook, frame.step, at, stack, None, {})
    if isinstance(entries, list):
        entries.append(entry)
    else:
        fold.entries = (*entries, entry)
    fold.stack = stack
    if seen.due:
        fold.add_due(index)
    if seen.repeat:
        fold.add_repeat(index)


def _changes_open(found: Mapping[_OpenKey, OpenItem], step: Step, entry: PathEntry) -> bool:
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


def _find(fold: _Fold, key: tuple[str, str], wanted: Callable[[PathEntry], bool]) -> int:
    entries = fold.entries
    fallback = -1
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        if entry.runbook == key[0] and entry.step == key[1]:
            if wanted(entry):
                return index
            fallback = max(fallback, index)
    return fallback


def _any(entry: PathEntry) -> bool:
    return True


def _latest(fold: _Fold, key: tuple[str, str]) -> int:
    """The latest visit of a step: nearly always the last entry (the step being answered)."""
    entries = fold.entries
    if entries and entries[-1].step == key[1] and entries[-1].runbook == key[0]:
        return len(entries) - 1
    return _find(fold, key, _any)


def _replace_entry(fold: _Fold, index: int, entry: PathEntry) -> None:
    entries = fold.entries
    if isinstance(entries, list) and index == len(entries) - 1:
        entries[index] = entry  # replaying: the step being answered
    else:
        fold.set_entry(index, entry)


def _on_answer(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    key = (str(ev["runbook"]), str(ev["step"]))
    index = _latest(fold, key)
    if index < 0:
        return
    value = ev["option"] if ev["type"] == "answered" else ev["value"]
    entry = fold.entries[index]
    _replace_entry(
        fold,
        index,
        _entry(
            entry.runbook,
            entry.step,
            entry.at,
            entry.stack,
            _record(value, at, "", None),
            entry.items,
        ),
    )


def _settle(previous: Record | None, ev: Mapping[str, Any], at: datetime) -> Record:
    result = str(ev["result"])
    deferred_at = previous.deferred_at if previous is not None else None
    if result == "deferred" and deferred_at is None:
        deferred_at = at
    return _record(result, at, str(ev.get("reason", "")), deferred_at)


def _on_action(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    key = (str(ev["runbook"]), str(ev["step"]))
    if not ev.get("late"):
        index = _latest(fold, key)
    else:  # a deferred visit being completed
        index = _find(fold, key, lambda e: e.result is not None and e.result.value == "deferred")
    if index < 0:
        return
    entry = fold.entries[index]
    _replace_entry(
        fold,
        index,
        _entry(
            entry.runbook,
            entry.step,
            entry.at,
            entry.stack,
            _settle(entry.result, ev, at),
            entry.items,
        ),
    )


def _on_item(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    key, item = (str(ev["runbook"]), str(ev["step"])), str(ev["item"])
    index = _latest(fold, key) if not ev.get("late") else _find(fold, key, _open_item(fold, item))
    if index < 0:
        return
    entry = fold.entries[index]
    items = {**entry.items, item: _settle(entry.items.get(item), ev, at)}
    _replace_entry(
        fold, index, _entry(entry.runbook, entry.step, entry.at, entry.stack, entry.result, items)
    )


def _open_item(fold: _Fold, item: str) -> Callable[[PathEntry], bool]:
    """Whether a visit left this checklist item open (pending in the one being asked)."""
    last_entry = fold.entries[-1] if fold.entries else None

    def is_open(e: PathEntry) -> bool:
        record = e.items.get(item)
        if record is None:
            return e is not last_entry
        return bool(record.value == "deferred")

    return is_open


def _on_note(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    fold.add_note(
        NoteEntry(
            str(ev.get("runbook", "")),
            str(ev.get("step", "")),
            str(ev["text"]),
            at,
            str(ev.get("by", "")),
        )
    )


def _on_corrected(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    key = (str(ev["runbook"]), str(ev["step"]))
    entries = fold.entries
    for index in range(len(entries) - 2, -1, -1):
        entry = entries[index]
        if (entry.runbook, entry.step) == key:
            fold.cut_entries(index, PathEntry(entry.runbook, entry.step, entry.at, entry.stack))
            fold.stack = entry.stack
            fold.closed = False
            fold.outcome = None
            return


def _on_called(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    # The sub-runbook's frame gets its step from the `entered` that follows.
    fold.stack = (*fold.stack, Frame(str(ev["runbook"]), ""))


def _on_returned(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    if len(fold.stack) > 1:
        fold.stack = fold.stack[:-1]


def _on_closed(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    fold.closed = True
    fold.outcome = str(ev.get("outcome", ""))


def _on_reminder(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    item = ev.get("item")
    key = (
        str(ev["runbook"]),
        str(ev["step"]),
        None if item is None else str(item),
        str(ev["kind"]),
    )
    due = datetime.fromisoformat(str(ev["due_at"]))
    before = fold.reminded.get(key)
    if before is not None and before >= due:
        return
    fold.reminded = {**fold.reminded, key: due}


def _on_handover(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    fold.operator = str(ev["to"])


def _on_resumed(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    fold.operator = str(ev.get("by", "")) or fold.operator


def _unchanged(fold: _Fold, ev: Mapping[str, Any], at: datetime) -> None:
    return None


_Handler = Callable[[_Fold, Mapping[str, Any], datetime], None]
_HANDLERS: dict[str, _Handler] = {
    "opened": _on_opened,
    "entered": _on_entered,
    "answered": _on_answer,
    "recorded": _on_answer,
    "action": _on_action,
    "item": _on_item,
    "note": _on_note,
    "corrected": _on_corrected,
    "called": _on_called,
    "returned": _on_returned,
    "confirmed": _unchanged,
    "closed": _on_closed,
    "reminder": _on_reminder,
    "paused": _unchanged,
    "resumed": _on_resumed,
    "handover": _on_handover,
    "inject": _unchanged,
    "recovered": _unchanged,
}


# --- what is asked, and what an answer logs ------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    """What the walk asks next."""

    kind: str  # decision | action | checklist-item | input | confirm-end | closed
    runbook_id: str
    step_id: str
    item_id: str | None = None
    open_critical: tuple[OpenItem, ...] = ()


def prompt(state: WalkState) -> Prompt:
    last = state.entries[-1] if state.entries else None
    current = state.current
    if current is None or last is None:
        where = (last.runbook, last.step) if last is not None else (state.runbook, "")
        return Prompt("closed", *where)
    step = state.step_of(current.runbook, current.step)
    if step.type == "checklist":
        pending = [i.id for i in step.items if i.id not in last.items]
        return Prompt(
            "checklist-item", current.runbook, current.step, pending[0] if pending else None
        )
    if step.type == "end":
        return Prompt("confirm-end", current.runbook, current.step, None, state.open_critical)
    return Prompt(step.type, current.runbook, current.step)


def open_events(
    runbook: Runbook,
    *,
    incident: str,
    mode: str,
    operator: str,
    tool_version: str,
    timezone: str,
    lang: str,
    allow_draft: bool,
    runbooks: Mapping[str, Runbook] | None = None,
) -> list[Draft]:
    """The events that start a walk: opened, entered(start), and what follows automatically.

    `runbooks` must hold the sub-runbooks when the start step is itself a runbook step.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    opened = Draft(
        "opened",
        {
            "incident": incident,
            "runbook": runbook.id,
            "version": runbook.version,
            "sha256": runbook.sha256,
            "mode": mode,
            "operator": operator,
            "tool_version": tool_version,
            "timezone": timezone,
            "lang": lang,
            "status": runbook.status,
            "allow_draft": allow_draft,
        },
    )
    drafts = [opened, Draft("entered", {"runbook": runbook.id, "step": runbook.start})]
    state = initial_state({**(runbooks or {}), runbook.id: runbook})
    for draft in drafts:
        state = _sim(state, draft, _SIM_AT)
    return drafts + follow_ups(state)


def _sim(state: WalkState, draft: Draft, at: datetime) -> WalkState:
    event = {"type": draft.type, **draft.fields, "by": state.operator}
    return _apply(state, draft.type, event, at)


def follow_ups(state: WalkState) -> list[Draft]:
    """Events that follow automatically from where the walk stands (none in a stable state).

    `respond` and `open_events` include them; a service resuming a journal that ended right
    after an `entered` (a crash) logs these before asking anything.
    """
    drafts: list[Draft] = []
    while (current := state.current) is not None:
        if not current.step:  # a crash between `called` and the sub-runbook's first `entered`
            start = _runbook(state.runbooks, current.runbook).start
            drafts.append(Draft("entered", {"runbook": current.runbook, "step": start}))
            state = _sim(state, drafts[-1], _SIM_AT)
            continue
        step = state.step_of(current.runbook, current.step)
        new: list[Draft] = []
        moved_on = _unfinished_move(state, current, step)
        if moved_on is not None:  # a crash between an answer and the step it leads to
            new = [Draft("entered", {"runbook": current.runbook, "step": moved_on})]
        elif step.type == "runbook" and step.runbook is not None:
            if len(state.stack) >= MAX_DEPTH:
                raise ValueError(
                    f"sub-runbooks nested deeper than {MAX_DEPTH}: do they call "
                    "each other in a circle?"
                )
            sub = _runbook(state.runbooks, step.runbook)
            new = [
                Draft(
                    "called",
                    {
                        "runbook": sub.id,
                        "version": sub.version,
                        "sha256": sub.sha256,
                        "from_runbook": current.runbook,
                        "from_step": current.step,
                    },
                ),
                Draft("entered", {"runbook": sub.id, "step": sub.start}),
            ]
        elif step.type == "end" and len(state.stack) > 1:
            parent = state.stack[-2]
            after = state.step_of(parent.runbook, parent.step).next
            new = [
                Draft(
                    "returned",
                    {
                        "runbook": current.runbook,
                        "outcome": step.outcome,
                        "to_runbook": parent.runbook,
                        "to_step": parent.step,
                    },
                ),
                Draft("entered", {"runbook": parent.runbook, "step": after}),
            ]
        elif step.type == "end" and not state.open_critical:
            new = [_closed(state, step)]
        for draft in new:
            state = _sim(state, draft, _SIM_AT)
        drafts += new
        if not new:
            break
    return drafts


def _unfinished_move(state: WalkState, current: Frame, step: Step) -> str | None:
    """The step an answer led to when the journal ends before its `entered` (a crash).

    In a walk that was not interrupted the answer and the next `entered` are logged together,
    so this only finds something when resuming a journal cut off in between.
    """
    last = state.entries[-1] if state.entries else None
    if last is None:
        return None
    here = (last.runbook, last.step) == (current.runbook, current.step)
    if step.type == "runbook":
        # Back at the runbook step after `returned`: the last entry is the sub-runbook's end.
        return step.next if not here else None
    if not here:
        return None
    if step.type == "decision" and last.result is not None:
        option = step.option(str(last.result.value))
        return option.next if option is not None else None
    if step.type in ("action", "input") and last.result is not None:
        return step.next
    if step.type == "checklist" and step.items and all(i.id in last.items for i in step.items):
        return step.next
    return None


def _closed(state: WalkState, step: Step) -> Draft:
    return Draft(
        "closed",
        {
            "runbook": state.stack[-1].runbook,
            "step": step.id,
            "outcome": step.outcome,
            "open": [i.key for i in state.open_items],
        },
    )


def respond(state: WalkState, answer: Answer, now: datetime) -> list[Draft]:
    """The events an answer produces, in order; raises Rejected when it is not accepted."""
    if state.current is None:
        raise Rejected("closed")
    drafts = _answer_drafts(state, answer)
    for draft in drafts:
        state = _sim(state, draft, now)
    return drafts + follow_ups(state)


def _answer_drafts(state: WalkState, answer: Answer) -> list[Draft]:
    current = state.current
    assert current is not None
    where = {"runbook": current.runbook, "step": current.step}
    step = state.step_of(current.runbook, current.step)
    if isinstance(answer, Note):
        if not answer.text.strip():
            raise Rejected("empty-note")
        return [Draft("note", {**where, "text": answer.text})]
    if isinstance(answer, Pause):
        if answer.reason not in PAUSE_REASONS:
            raise Rejected("invalid-value", f"pause reason {answer.reason!r}")
        return [Draft("paused", {"reason": answer.reason})]
    if isinstance(answer, Back):
        return [_back(state, current)]
    if isinstance(answer, Complete):
        return [_complete(state, answer)]
    entered = [Draft("entered", {"runbook": current.runbook, "step": step.next})]
    if isinstance(answer, Choose) and step.type == "decision":
        option = step.option(answer.option)
        if option is None:
            raise Rejected("unknown-option", answer.option)
        return [
            Draft("answered", {**where, "option": option.id}),
            Draft("entered", {"runbook": current.runbook, "step": option.next}),
        ]
    if isinstance(answer, Act) and step.type == "action":
        return [Draft("action", {**where, **_result(answer.result, answer.reason)}), *entered]
    if isinstance(answer, ItemAnswer) and step.type == "checklist":
        return _item(state, step, answer, where) + entered * _all_answered(state, step, answer)
    if isinstance(answer, Value) and step.type == "input":
        value = coerce_value(answer.text, step.value_schema or {})
        return [Draft("recorded", {**where, "value": value}), *entered]
    if isinstance(answer, Confirm) and step.type == "end":
        open_now = [i.key for i in state.open_critical]
        confirmed = Draft("confirmed", {**where, "open": open_now, "yes": answer.yes})
        return [confirmed, _closed(state, step)] if answer.yes else [confirmed]
    raise Rejected("not-expected", f"{type(answer).__name__} at a {step.type} step")


def _result(result: str, reason: str) -> dict[str, str]:
    if result not in RESULTS:
        raise Rejected("invalid-value", f"result {result!r}")
    if result == "skipped" and not reason.strip():
        raise Rejected("reason-required")
    return {"result": result, "reason": reason.strip() if result == "skipped" else ""}


def _item(
    state: WalkState, step: Step, answer: ItemAnswer, where: Mapping[str, str]
) -> list[Draft]:
    if step.item(answer.item) is None:
        raise Rejected("unknown-item", answer.item)
    before = state.checklist.get(answer.item)
    if before is not None and before.value != "deferred":
        raise Rejected("already-answered", answer.item)
    return [Draft("item", {**where, "item": answer.item, **_result(answer.result, answer.reason)})]


def _all_answered(state: WalkState, step: Step, answer: ItemAnswer) -> bool:
    answered = {*state.checklist, answer.item}
    return all(item.id in answered for item in step.items)


def _back(state: WalkState, current: Frame) -> Draft:
    for entry in reversed(state.entries[:-1]):
        # Runbook steps and the ends of sub-runbooks pass by themselves: nothing to correct.
        if state.step_of(entry.runbook, entry.step).type in _ANSWERABLE:
            return Draft(
                "corrected",
                {
                    "runbook": entry.runbook,
                    "step": entry.step,
                    "from_runbook": current.runbook,
                    "from_step": current.step,
                },
            )
    raise Rejected("nothing-to-go-back-to")


def _complete(state: WalkState, answer: Complete) -> Draft:
    runbook = state.runbooks.get(answer.runbook)
    step = runbook.steps.get(answer.step) if runbook is not None else None
    kind = "action" if answer.item is None else "checklist"
    if step is None or step.type != kind or (answer.item and step.item(answer.item) is None):
        raise Rejected("unknown-item", open_key(answer.runbook, answer.step, answer.item))
    key = open_key(answer.runbook, answer.step, answer.item)
    if key not in {i.key for i in state.open_items}:
        raise Rejected("not-open", key)
    fields: dict[str, Any] = {"runbook": answer.runbook, "step": answer.step}
    if answer.item is not None:
        fields["item"] = answer.item
    # `late` tells apply that this settles an earlier visit, not the step being asked now.
    fields.update(result="done", reason="", late=True)
    return Draft("action" if answer.item is None else "item", fields)


_BOOLEAN = {
    "j": True,
    "ja": True,
    "y": True,
    "yes": True,
    "true": True,
    "waar": True,
    "n": False,
    "nee": False,
    "no": False,
    "false": False,
    "onwaar": False,
}


def coerce_value(text: str, schema: Mapping[str, Any]) -> Any:
    """Typed text -> the value the schema's `type` asks for, validated against the schema."""
    declared = schema.get("type", "string")
    types = [declared] if isinstance(declared, str) else list(declared)
    value: Any = text
    for kind in types:
        converted = _convert(text, kind)
        if converted is not _NO:
            value = converted
            break
    else:
        if "string" not in types:
            raise Rejected("invalid-value", f"{text!r} is not of type {' or '.join(types)}")
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(
        Draft202012Validator(
            dict(schema), format_checker=Draft202012Validator.FORMAT_CHECKER
        ).iter_errors(value)
    )
    if error is not None:
        raise Rejected("invalid-value", error.message, str(error.validator))
    return value


_NO = object()


def _convert(raw: str, kind: str) -> Any:
    text = raw.strip()
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text.replace(",", ".")) if "." in text or "," in text else int(text)
            return number if math.isfinite(number) else _NO
    except ValueError:
        return _NO
    if kind == "boolean":
        return _BOOLEAN.get(text.lower(), _NO)
    return raw if kind == "string" else _NO  # a text is recorded as typed
