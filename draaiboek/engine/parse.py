"""Answers from what a duty officer types (Dutch or English keys) and from YAML answer values.

Both end in the engine's structured answers, so the walk itself never sees typed text. Errors
are `ParseError`s whose `code` is a message key: the UI says it in the officer's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from draaiboek.engine.decide import Prompt
from draaiboek.engine.inputs import (
    Act,
    Answer,
    Back,
    Choose,
    Complete,
    Confirm,
    ItemAnswer,
    Note,
    Pause,
    SetTimeZero,
    Stop,
    Value,
)
from draaiboek.engine.state import OpenItem
from draaiboek.model.runbook import Step

YES = frozenset({"j", "ja", "y", "yes"})
NO = frozenset({"n", "nee", "no"})
DONE = YES | {"done", "klaar"}
LATER = frozenset({"l", "later"})

_NOTE = frozenset({"n", "notitie", "note"})
_BACK = frozenset({"t", "terug", "back"})
_OVERVIEW = frozenset({"o", "overzicht", "overview"})
_PAUSE = frozenset({"p", "pauze", "pause"})
_HELP = frozenset({"?", "help", "hulp"})
_COMPLETE = frozenset({"k", "klaar", "done"})
_ZERO = frozenset({"nul", "zero"})  # correct time zero: /nul 17:52
_STOP = frozenset({"stop", "stoppen"})  # end the incident now: /stop <reason>


class ParseError(Exception):
    """What was typed or written is not an answer here; `code` is a message key."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Overview:
    """Show where the walk stands: path, open and overdue items."""


@dataclass(frozen=True)
class Help:
    """Show the keys that work at this prompt."""


Parsed = Answer | Overview | Help


def parse_typed(
    text: str, prompt: Prompt, step: Step | None, open_items: Sequence[OpenItem] = ()
) -> Parsed:
    """One typed line at `prompt` (on `step`) -> an answer or a command.

    `open_items` is the walk's `state.open_items`, numbered from 1 as the overview shows them,
    for `/k N`.
    """
    raw = text.strip("\r\n")
    line = raw.strip()
    if not line:
        raise ParseError("empty")
    if line.startswith("//"):  # an input value that itself starts with '/'
        raw, line = raw.replace("/", "", 1), line[1:]
    elif line.startswith("/"):
        return _command(line[1:], open_items)
    if prompt.kind == "closed" or step is None:
        raise ParseError("closed")
    if prompt.kind == "decision":
        return Choose(_option(line, step))
    if prompt.kind == "action":
        result, reason = _result(line)
        return Act(result, reason)
    if prompt.kind == "checklist-item":
        return _checklist(line, prompt, step)
    if prompt.kind == "input":
        return Value(raw)  # as typed: spaces may matter in a message as sent
    if prompt.kind == "confirm-end":
        return Confirm(_yes_no(line))
    raise ParseError("not-expected", prompt.kind)


def _command(line: str, open_items: Sequence[OpenItem]) -> Parsed:
    name, _, rest = line.partition(" ")
    name, rest = name.lower(), rest.strip()
    if name in _NOTE:
        if not rest:
            raise ParseError("note-text-required")
        return Note(rest)
    if name in _BACK:
        return Back()
    if name in _OVERVIEW:
        return Overview()
    if name in _PAUSE:
        return Pause("user")
    if name in _HELP:
        return Help()
    if name in _ZERO:
        if not rest:
            raise ParseError("time-required")
        return SetTimeZero(rest)
    if name in _STOP:
        if not rest:
            raise ParseError("stop-reason-required")
        return Stop(rest)
    if name in _COMPLETE:
        if not rest.isdigit():
            raise ParseError("number-required")
        number = int(rest)
        if not 1 <= number <= len(open_items):
            raise ParseError("no-such-open-item", rest)
        item = open_items[number - 1]
        return Complete(item.runbook, item.step, item.item)
    raise ParseError("unknown-command", "/" + name)


def _option(word: str, step: Step) -> str:
    key = word.strip().lower()
    if key.isdigit():
        number = int(key)
        if 1 <= number <= len(step.options):
            return step.options[number - 1].id
        raise ParseError("unknown-option", word)
    if step.option(key) is None:
        raise ParseError("unknown-option", word)
    return key


def _result(line: str) -> tuple[str, str]:
    """An action key: done, skipped with its reason, or deferred."""
    word, _, rest = line.strip().partition(" ")
    key, reason = word.lower(), rest.strip()
    if key in DONE and not reason:
        return "done", ""
    if key in NO:
        if not reason:
            raise ParseError("reason-required")
        return "skipped", reason
    if key in LATER and not reason:
        return "deferred", ""
    raise ParseError("unknown-key", line)


def _checklist(line: str, prompt: Prompt, step: Step) -> ItemAnswer:
    first, _, rest = line.partition(" ")
    key = first.lower()
    if key in DONE | NO | LATER:
        if prompt.item_id is None:
            raise ParseError("unknown-item")
        result, reason = _result(line)
        return ItemAnswer(prompt.item_id, result, reason)
    item = _item(key, step)
    if not rest.strip():
        raise ParseError("key-required", first)
    result, reason = _result(rest)
    return ItemAnswer(item, result, reason)


def _item(key: str, step: Step) -> str:
    if key.isdigit() and 1 <= int(key) <= len(step.items):
        return step.items[int(key) - 1].id
    if step.item(key) is not None:
        return key
    raise ParseError("unknown-item", key)


def _yes_no(line: str) -> bool:
    key = line.strip().lower()
    if key in YES:
        return True
    if key in NO:
        return False
    raise ParseError("yes-or-no", line)


# --- YAML ----------------------------------------------------------------------------------


def from_yaml(value: Any, step: Step, visit: int = 0) -> list[Answer]:
    """The answers for one visit of `step` from an answer file or a test case.

    A YAML list gives successive visits of the same step: visit k (from 0) takes element k;
    any other value answers every visit. A checklist gives several answers, one per item.
    """
    if isinstance(value, list):
        if visit >= len(value):
            raise ParseError("no-answer-for-visit", f"{step.id} visit {visit + 1}")
        value = value[visit]
    if step.type == "decision":
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ParseError("unknown-option", repr(value))
        return [Choose(_option(str(value), step))]
    if step.type == "action":
        result, reason = _yaml_result(value)
        return [Act(result, reason)]
    if step.type == "checklist":
        return _yaml_checklist(value, step)
    if step.type == "input":
        if value is None or isinstance(value, Mapping):
            raise ParseError("invalid-value", repr(value))
        return [Value(str(value).lower() if isinstance(value, bool) else str(value))]
    if step.type == "end":
        if isinstance(value, bool):
            return [Confirm(value)]
        if isinstance(value, str):
            return [Confirm(_yes_no(value))]
        raise ParseError("yes-or-no", repr(value))
    raise ParseError("not-expected", step.type)


def _yaml_result(value: Any) -> tuple[str, str]:
    if isinstance(value, Mapping):
        if set(value) != {"skipped"}:
            raise ParseError("unknown-key", repr(dict(value)))
        reason = value["skipped"]
        if not isinstance(reason, str) or not reason.strip():
            raise ParseError("reason-required")
        return "skipped", reason.strip()
    if value is True:
        return "done", ""
    if value is False:
        raise ParseError("reason-required")
    if not isinstance(value, str):
        raise ParseError("unknown-key", repr(value))
    word = value.strip().lower()
    if word in ("done", "deferred"):
        return word, ""
    if word == "skipped":
        raise ParseError("reason-required")
    return _result(value)


def _yaml_checklist(value: Any, step: Step) -> list[Answer]:
    if not isinstance(value, Mapping):
        raise ParseError("checklist-mapping-required", repr(value))
    given = {_item(str(key).lower(), step): result for key, result in value.items()}
    answers: list[Answer] = []
    for item in step.items:  # listed order, so that the journal reads like the runbook
        if item.id in given:
            result, reason = _yaml_result(given[item.id])
        else:
            result, reason = "deferred", ""
        answers.append(ItemAnswer(item.id, result, reason))
    return answers
