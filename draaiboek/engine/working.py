"""The fold's working copy of a WalkState: changed in place event by event, then frozen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from draaiboek.engine.state import (
    Frame,
    NoteEntry,
    PathEntry,
    Seen,
    WalkState,
    open_map,
    runbook_of,
)
from draaiboek.model.runbook import Runbook, Step

_T = TypeVar("_T")

# The fold copies every WalkState field: the sequences below as lists that may grow, the rest as
# they are. Derived from the dataclass, so a new field cannot be forgotten here.
_GROWING = ("entries", "notes", "due_entries", "repeat_entries")
_COPIED = tuple(f.name for f in fields(WalkState) if f.name not in (*_GROWING, "open_before"))


class Fold:
    """A state being changed by events: the fold's working copy, frozen into a WalkState.

    `replay` keeps one for the whole journal, with lists that grow in place. `apply` makes one
    per event: the tuples are copied at most once. Both carry `open_before` forward visit by
    visit, and work it out again only after a visit before the last one changed.
    """

    __slots__ = (*_COPIED, *_GROWING, "open_before", "last_seen", "growing", "stale", "texts")
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
    timezone: str
    first_signal: datetime | None
    first_signal_seq: int | None
    closed: bool
    closed_at: datetime | None
    outcome: str | None
    paused: bool
    stack: tuple[Frame, ...]
    reminded: Mapping[tuple[str, str, str | None, str], datetime]
    target_reminded: Mapping[tuple[str, str], datetime]
    last_event_at: datetime | None
    event_count: int
    seen: dict[tuple[str, str], Seen]

    def __init__(self, state: WalkState, growing: bool) -> None:
        for name in _COPIED:  # `reminded` and `seen` are shared: replaced, or a memo
            setattr(self, name, getattr(state, name))
        self.open_before = state.open_before  # replaced when changed, never changed in place
        self.last_seen: Seen | None = None  # of the last entry, once this fold entered it
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
        # Answers repeat the same few texts (option ids, "done", item ids) tens of thousands of
        # times in a long journal, each line decoded into its own copy: one copy of each is kept.
        self.texts: dict[Any, Any] = {}

    def shared(self, value: _T) -> _T:
        """`value`, or an equal text met before in this fold (one copy kept of each)."""
        if type(value) is not str:
            return value  # a number or a list (a recorded value): kept as it is
        kept: _T = self.texts.setdefault(value, value)
        return kept

    def step_of(self, runbook: str, step: str) -> Step:
        return runbook_of(self.runbooks, runbook).step(step)

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
            open_before = open_map(self.runbooks, entries[:-1])
        return WalkState(
            **{name: getattr(self, name) for name in _COPIED},
            entries=entries,
            notes=tuple(self.notes),
            open_before=open_before,
            due_entries=tuple(self.due_entries),
            repeat_entries=tuple(self.repeat_entries),
        )
