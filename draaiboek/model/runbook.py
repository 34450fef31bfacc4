"""The immutable runbook model and findings.

Everything the loader produces and the engine, reports and checks read. Frozen dataclasses only:
a loaded runbook never changes while an incident is being walked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

RUNBOOK_FORMAT = "draaiboek/1"
CONTACTS_FORMAT = "draaiboek-contacts/1"
TEST_FORMAT = "draaiboek-test/1"
SCENARIO_FORMAT = "draaiboek-scenario/1"

STEP_TYPES = ("decision", "action", "checklist", "input", "runbook", "end")
OUTCOMES = ("resolved", "handed-over", "escalated", "aborted")
STATUSES = ("draft", "approved", "retired")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one file. Ordered so that output is stable: by file, then position."""

    file: str
    line: int
    column: int
    path: str  # JSON path of the value at fault, e.g. "$.steps.vaststellen.options[0].next"
    code: str  # stable, kebab-case, e.g. "dangling-next"
    message: str
    severity: Severity = Severity.ERROR

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
        }


def frozen_map(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only view, so that a loaded model cannot be changed by accident."""
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class Text:
    """A text in one or more languages; the first entry is the runbook's default language."""

    by_lang: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, value: str | Mapping[str, str] | None, default_lang: str) -> Text:
        if value is None:
            return cls(())
        if isinstance(value, str):
            return cls(((default_lang, value),))
        return cls(tuple((str(k), str(v)) for k, v in value.items()))

    def get(self, lang: str) -> str:
        """The text in `lang`, else in the first language present, else ''."""
        for key, value in self.by_lang:
            if key == lang:
                return value
        return self.by_lang[0][1] if self.by_lang else ""

    def languages(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.by_lang)

    def __bool__(self) -> bool:
        return bool(self.by_lang)


EMPTY_TEXT = Text(())


@dataclass(frozen=True)
class Option:
    id: str
    label: Text
    next: str
    text: Text = EMPTY_TEXT


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    label: Text
    role: str | None = None
    due: timedelta | None = None
    critical: bool = False
    contacts: tuple[str, ...] = ()
    text: Text = EMPTY_TEXT


@dataclass(frozen=True)
class Step:
    """One step. Which fields are set depends on `type` (the schema enforces which are allowed)."""

    id: str
    type: str  # one of STEP_TYPES
    title: Text
    text: Text = EMPTY_TEXT
    note: Text = EMPTY_TEXT  # e.g. marks a time target as a proposal, not sourced
    role: str | None = None
    sources: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    due: timedelta | None = None  # measured from incident start
    repeat: timedelta | None = None  # reminder interval while the incident is open
    until: tuple[str, ...] = ()  # reaching one of these steps stops the reminder
    next: str | None = None  # action, checklist, input, runbook
    options: tuple[Option, ...] = ()  # decision
    items: tuple[ChecklistItem, ...] = ()  # checklist
    value_schema: Mapping[str, Any] | None = None  # input: a JSON Schema for the value
    runbook: str | None = None  # runbook: the id of the sub-procedure
    outcome: str | None = None  # end: one of OUTCOMES
    critical: bool = False  # action: an open critical action must be confirmed at the end
    publishes: str | None = None  # public-message | nl-alert | withdrawal: the answer goes public
    national: str | None = None  # scope | uitwijk | nl-alert-requested | nl-alert-sent

    def successors(self) -> tuple[str, ...]:
        """Step ids this step can lead to, in the order an author wrote them."""
        if self.type == "decision":
            return tuple(option.next for option in self.options)
        return (self.next,) if self.next is not None else ()

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.id == item_id), None)


@dataclass(frozen=True)
class TargetEvent:
    """What meets a target: reaching `step`, or choosing `option` / completing `item` there."""

    step: str
    option: str | None = None
    item: str | None = None


@dataclass(frozen=True)
class Target:
    """An incident-level target, counted from time zero (the first signal).

    Either a deadline (`within`, met by any of `met_by`) or a repeated round (`every`, ending
    when a step of `until` is reached). Durations are timedeltas (ISO 8601 in the file).
    """

    id: str
    title: Text
    text: Text = EMPTY_TEXT
    note: Text = EMPTY_TEXT
    role: str | None = None
    critical: bool = False
    proposal: bool = False  # no source sets it: a proposal for the approving organisation
    sources: tuple[str, ...] = ()
    within: timedelta | None = None
    met_by: tuple[TargetEvent, ...] = ()
    every: timedelta | None = None
    until: tuple[str, ...] = ()

    @property
    def repeating(self) -> bool:
        return self.every is not None


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str | None = None
    note: Text = EMPTY_TEXT


@dataclass(frozen=True)
class Approval:
    by: str
    date: str | None = None
    note: Text = EMPTY_TEXT


@dataclass(frozen=True)
class Runbook:
    id: str
    version: str
    status: str
    title: Text
    languages: tuple[str, ...]
    start: str
    steps: Mapping[str, Step]  # insertion order = the order the author wrote them
    owner: str | None = None
    review_before: date | None = None
    description: Text = EMPTY_TEXT
    roles: Mapping[str, Text] = field(default_factory=lambda: frozen_map({}))
    sources: Mapping[str, Source] = field(default_factory=lambda: frozen_map({}))
    approval: Approval | None = None
    time_zero: str | None = None  # the input step that records the first signal
    targets: tuple[Target, ...] = ()
    file: str = ""  # the path it was loaded from
    sha256: str = ""  # of the file's bytes: what the journal records and stores

    @property
    def default_lang(self) -> str:
        return self.languages[0]

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]


# Kinds of numbers one dials, and of routes that are not a number. The contacts schema lists
# the same names (a test keeps them equal). A KPN or police-telephony outage takes the usual
# line with it, so a critical contact needs one kind that does not share its network.
NUMBER_KINDS = ("phone", "mobile-other-network", "satellite", "ncv")
ROUTE_KINDS = ("c2000-talkgroup", "runner", "email", "lcms")


@dataclass(frozen=True)
class PhoneNumber:
    """A number to dial. `kind` is one of NUMBER_KINDS (the usual line is "phone")."""

    label: Text
    number: str
    example: bool = False  # a placeholder: never to be called or published as if real
    kind: str = "phone"
    proposal: bool = False  # proposed, not yet agreed with the contact
    note: Text = EMPTY_TEXT


@dataclass(frozen=True)
class Route:
    """A way to reach a contact that is not a number: a C2000 talk group, a runner, e-mail,
    LCMS. `kind` is one of ROUTE_KINDS; `value` is the talk group, place, address or channel."""

    kind: str
    label: Text
    value: str
    example: bool = False  # a placeholder: never to be used or published as if real
    proposal: bool = False  # proposed, not yet agreed with the contact
    note: Text = EMPTY_TEXT


@dataclass(frozen=True)
class Contact:
    id: str
    name: Text
    organisation: str | None = None
    role: str | None = None
    numbers: tuple[PhoneNumber, ...] = ()
    note: Text = EMPTY_TEXT
    example: bool = False
    routes: tuple[Route, ...] = ()  # ways to reach it besides the numbers
    proposal: bool = False  # the whole entry is proposed, not yet agreed

    def is_example(self, number: PhoneNumber | Route) -> bool:
        """A placeholder, never to be called or published: the number or its contact says so."""
        return self.example or number.example

    def kinds(self) -> frozenset[str]:
        """Every kind of number and route this contact can be reached by."""
        return frozenset(n.kind for n in self.numbers) | frozenset(r.kind for r in self.routes)
