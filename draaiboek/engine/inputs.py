"""What a walk accepts: the answers a duty officer (or a script) gives, and `Rejected`.

An answer never changes a walk's state directly: `decide.respond` turns it into the events to
log, or raises `Rejected` (nothing is logged) when it does not fit where the walk stands.
"""

from __future__ import annotations

from dataclasses import dataclass

RESULTS = ("done", "skipped", "deferred")  # of an action or a checklist item
PAUSE_REASONS = ("user", "interrupted", "input-ended")


class Rejected(Exception):
    """The answer is not accepted; nothing is logged. `code` is stable (a message key);
    `keyword` is the JSON Schema keyword an input value failed, so a UI can explain it."""

    def __init__(self, code: str, detail: str = "", keyword: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.keyword = keyword


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
    """An input step's value, as typed. At the time-zero step, `fold` says which of a local
    time that happened twice is meant (0 the first, 1 the second; see engine.timezero)."""

    text: str
    fold: int | None = None


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
class SetTimeZero:
    """Correct time zero (the first signal) at any prompt: `text` as at the time-zero step,
    `fold` as in `Value`. Logged as a `time-zero` event that names the one it corrects."""

    text: str
    fold: int | None = None


@dataclass(frozen=True)
class Stop:
    """End the incident now (a false alarm, a wrong runbook): closed with outcome aborted and
    the reason. With critical items open, `confirmed` must say that they were shown."""

    reason: str
    confirmed: bool = False


@dataclass(frozen=True)
class Pause:
    """Stop for now; `resume` goes on at the same step."""

    reason: str = "user"


Answer = (
    Choose
    | Act
    | ItemAnswer
    | Value
    | Confirm
    | Note
    | Back
    | Complete
    | Pause
    | SetTimeZero
    | Stop
)
