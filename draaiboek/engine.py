"""The walk through a runbook as a pure state machine.

The state is a fold over journal events (`replay`, `apply`); an answer never changes the state
directly but yields the events to log (`respond`), which the walk service appends to the journal
and feeds back through `apply`. Nothing here reads the clock, the terminal or a file: that keeps
a walk replayable from its journal alone, at any speed, in tests and in exercises.

Going back (`corrected`) never deletes: the journal keeps every answer, and the state drops the
steps after the target from its *effective* path.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from draaiboek.model import Runbook, Step

RESULTS = ("done", "skipped", "deferred")
PAUSE_REASONS = ("user", "interrupted", "input-ended")
MODES = ("live", "exercise")
# Sub-runbooks calling each other in a circle would otherwise recurse until the stack runs out.
MAX_DEPTH = 32
_ANSWERABLE = ("decision", "action", "checklist", "input")
# Follow-up events are simulated to find the next ones; their time never reaches the journal.
_SIM_AT = datetime(2000, 1, 1, tzinfo=UTC)


class Rejected(Exception):
    """The answer is not accepted; nothing is logged. `code` is stable (a message key)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


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
    option: str


@dataclass(frozen=True)
class Act:
    result: str  # done | skipped | deferred
    reason: str = ""


@dataclass(frozen=True)
class ItemAnswer:
    item: str
    result: str
    reason: str = ""


@dataclass(frozen=True)
class Value:
    text: str


@dataclass(frozen=True)
class Confirm:
    yes: bool


@dataclass(frozen=True)
class Note:
    text: str


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Complete:
    runbook: str
    step: str
    item: str | None = None


@dataclass(frozen=True)
class Pause:
    reason: str = "user"


Answer = Choose | Act | ItemAnswer | Value | Confirm | Note | Back | Complete | Pause


# --- state ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
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
    runbook: str
    step: str
    text: str
    at: datetime
    by: str


@dataclass(frozen=True)
class WalkState:
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

    @property
    def open_items(self) -> tuple[OpenItem, ...]:
        found: dict[tuple[str, str, str | None], OpenItem | None] = {}
        for index, entry in enumerate(self.entries):
            step = self.step_of(entry.runbook, entry.step)
            if step.type == "action" and entry.result is not None:
                key = (entry.runbook, entry.step, None)
                found.pop(key, None)  # a later visit decides, and moves to the end
                found[key] = _open(entry, None, step.critical, entry.result)
            elif step.type == "checklist":
                answering = index == len(self.entries) - 1 and not self.closed
                for item in step.items:
                    record = entry.items.get(item.id)
                    if record is None and answering:
                        continue  # still being asked: pending, not left open
                    ikey = (entry.runbook, entry.step, item.id)
                    found.pop(ikey, None)
                    found[ikey] = _open(entry, item.id, item.critical, record)
        return tuple(item for item in found.values() if item is not None)

    @property
    def open_critical(self) -> tuple[OpenItem, ...]:
        return tuple(item for item in self.open_items if item.critical)


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


def initial_state(runbooks: Mapping[str, Runbook]) -> WalkState:
    return WalkState(runbooks=runbooks)


def replay(runbooks: Mapping[str, Runbook], events: Iterable[Mapping[str, Any]]) -> WalkState:
    state = initial_state(runbooks)
    for event in events:
        state = apply(state, event)
    return state


def apply(state: WalkState, event: Mapping[str, Any]) -> WalkState:
    """The state after one journal event; unknown event types leave it unchanged."""
    kind = str(event.get("type", ""))
    if kind not in _HANDLERS:
        return state  # written by a newer version: forward compatible
    at = datetime.fromisoformat(str(event["at"]))
    return _apply(state, kind, event, at, str(event.get("by", "")))


def _apply(state: WalkState, kind: str, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    new = _HANDLERS[kind](state, ev, at, by)
    return replace(new, last_event_at=at, event_count=state.event_count + 1,
                   paused=kind == "paused")


def _on_opened(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    _runbook(state.runbooks, str(ev["runbook"]))
    return replace(
        state, incident=str(ev.get("incident", "")), mode=str(ev.get("mode", "")),
        runbook=str(ev["runbook"]), version=str(ev.get("version", "")),
        sha256=str(ev.get("sha256", "")), lang=str(ev.get("lang", "")),
        operator=str(ev.get("operator") or by), started_at=at,
    )


def _on_entered(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    frame = Frame(str(ev["runbook"]), str(ev["step"]))
    state.step_of(frame.runbook, frame.step)  # fail early on a step no runbook has
    if state.stack and state.stack[-1].runbook == frame.runbook:
        stack = (*state.stack[:-1], frame)
    else:
        stack = (*state.stack, frame)
    entry = PathEntry(frame.runbook, frame.step, at, stack)
    return replace(state, stack=stack, entries=(*state.entries, entry))


def _find(state: WalkState, key: tuple[str, str], wanted: Callable[[PathEntry], bool]) -> int:
    fallback = -1
    for index in range(len(state.entries) - 1, -1, -1):
        entry = state.entries[index]
        if (entry.runbook, entry.step) == key:
            if wanted(entry):
                return index
            fallback = max(fallback, index)
    return fallback


def _set(state: WalkState, index: int, entry: PathEntry) -> WalkState:
    return replace(state, entries=(*state.entries[:index], entry, *state.entries[index + 1 :]))


def _on_answer(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    key = (str(ev["runbook"]), str(ev["step"]))
    index = _find(state, key, lambda e: True)
    if index < 0:
        return state
    value = ev["option"] if ev["type"] == "answered" else ev["value"]
    return _set(state, index, replace(state.entries[index], result=Record(value, at)))


def _settle(previous: Record | None, ev: Mapping[str, Any], at: datetime) -> Record:
    result = str(ev["result"])
    deferred_at = previous.deferred_at if previous is not None else None
    if result == "deferred" and deferred_at is None:
        deferred_at = at
    return Record(result, at, str(ev.get("reason", "")), deferred_at)


def _on_action(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    key = (str(ev["runbook"]), str(ev["step"]))
    late = bool(ev.get("late"))
    index = _find(state, key, lambda e: not late or (e.result is not None
                                                     and e.result.value == "deferred"))
    if index < 0:
        return state
    entry = state.entries[index]
    return _set(state, index, replace(entry, result=_settle(entry.result, ev, at)))


def _on_item(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    key, item = (str(ev["runbook"]), str(ev["step"])), str(ev["item"])
    last = len(state.entries) - 1

    def is_open(e: PathEntry) -> bool:
        record = e.items.get(item)
        if record is None:
            return e is not state.entries[last]
        return bool(record.value == "deferred")

    late = bool(ev.get("late"))
    index = _find(state, key, lambda e: not late or is_open(e))
    if index < 0:
        return state
    entry = state.entries[index]
    items = {**entry.items, item: _settle(entry.items.get(item), ev, at)}
    return _set(state, index, replace(entry, items=items))


def _on_note(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    note = NoteEntry(str(ev.get("runbook", "")), str(ev.get("step", "")), str(ev["text"]), at, by)
    return replace(state, notes=(*state.notes, note))


def _on_corrected(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    key = (str(ev["runbook"]), str(ev["step"]))
    for index in range(len(state.entries) - 2, -1, -1):
        entry = state.entries[index]
        if (entry.runbook, entry.step) == key:
            fresh = PathEntry(entry.runbook, entry.step, entry.at, entry.stack)
            return replace(state, entries=(*state.entries[:index], fresh), stack=entry.stack,
                           closed=False, outcome=None)
    return state


def _on_called(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    # The sub-runbook's frame gets its step from the `entered` that follows.
    return replace(state, stack=(*state.stack, Frame(str(ev["runbook"]), "")))


def _on_returned(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    return replace(state, stack=state.stack[:-1]) if len(state.stack) > 1 else state


def _on_closed(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    return replace(state, closed=True, outcome=str(ev.get("outcome", "")))


def _on_reminder(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    item = ev.get("item")
    key = (str(ev["runbook"]), str(ev["step"]), None if item is None else str(item),
           str(ev["kind"]))
    due = datetime.fromisoformat(str(ev["due_at"]))
    before = state.reminded.get(key)
    if before is not None and before >= due:
        return state
    return replace(state, reminded={**state.reminded, key: due})


def _on_handover(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    return replace(state, operator=str(ev["to"]))


def _on_resumed(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    return replace(state, operator=by or state.operator)


def _unchanged(state: WalkState, ev: Mapping[str, Any], at: datetime, by: str) -> WalkState:
    return state


_Handler = Callable[[WalkState, Mapping[str, Any], datetime, str], WalkState]
_HANDLERS: dict[str, _Handler] = {
    "opened": _on_opened, "entered": _on_entered, "answered": _on_answer,
    "recorded": _on_answer, "action": _on_action, "item": _on_item, "note": _on_note,
    "corrected": _on_corrected, "called": _on_called, "returned": _on_returned,
    "confirmed": _unchanged, "closed": _on_closed, "reminder": _on_reminder,
    "paused": _unchanged, "resumed": _on_resumed, "handover": _on_handover,
    "inject": _unchanged, "recovered": _unchanged,
}


# --- what is asked, and what an answer logs ------------------------------------------------


@dataclass(frozen=True)
class Prompt:
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
        return Prompt("checklist-item", current.runbook, current.step,
                      pending[0] if pending else None)
    if step.type == "end":
        return Prompt("confirm-end", current.runbook, current.step, None, state.open_critical)
    return Prompt(step.type, current.runbook, current.step)


def open_events(
    runbook: Runbook, *, incident: str, mode: str, operator: str, tool_version: str,
    timezone: str, lang: str, allow_draft: bool,
    runbooks: Mapping[str, Runbook] | None = None,
) -> list[Draft]:
    """The events that start a walk: opened, entered(start), and what follows automatically.

    `runbooks` must hold the sub-runbooks when the start step is itself a runbook step.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    opened = Draft("opened", {
        "incident": incident, "runbook": runbook.id, "version": runbook.version,
        "sha256": runbook.sha256, "mode": mode, "operator": operator,
        "tool_version": tool_version, "timezone": timezone, "lang": lang,
        "status": runbook.status, "allow_draft": allow_draft,
    })
    drafts = [opened, Draft("entered", {"runbook": runbook.id, "step": runbook.start})]
    state = initial_state({**(runbooks or {}), runbook.id: runbook})
    for draft in drafts:
        state = _sim(state, draft, _SIM_AT)
    return drafts + follow_ups(state)


def _sim(state: WalkState, draft: Draft, at: datetime) -> WalkState:
    return _apply(state, draft.type, {"type": draft.type, **draft.fields}, at, state.operator)


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
                raise ValueError(f"sub-runbooks nested deeper than {MAX_DEPTH}: do they call "
                                 "each other in a circle?")
            sub = _runbook(state.runbooks, step.runbook)
            new = [
                Draft("called", {"runbook": sub.id, "version": sub.version, "sha256": sub.sha256,
                                 "from_runbook": current.runbook, "from_step": current.step}),
                Draft("entered", {"runbook": sub.id, "step": sub.start}),
            ]
        elif step.type == "end" and len(state.stack) > 1:
            parent = state.stack[-2]
            after = state.step_of(parent.runbook, parent.step).next
            new = [
                Draft("returned", {"runbook": current.runbook, "outcome": step.outcome,
                                   "to_runbook": parent.runbook, "to_step": parent.step}),
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
    return Draft("closed", {"runbook": state.stack[-1].runbook, "step": step.id,
                            "outcome": step.outcome, "open": [i.key for i in state.open_items]})


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
        return [Draft("answered", {**where, "option": option.id}),
                Draft("entered", {"runbook": current.runbook, "step": option.next})]
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
            return Draft("corrected", {"runbook": entry.runbook, "step": entry.step,
                                       "from_runbook": current.runbook,
                                       "from_step": current.step})
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


_BOOLEAN = {"j": True, "ja": True, "y": True, "yes": True, "true": True, "waar": True,
            "n": False, "nee": False, "no": False, "false": False, "onwaar": False}


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
    error = best_match(Draft202012Validator(
        dict(schema), format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(value))
    if error is not None:
        raise Rejected("invalid-value", error.message)
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
