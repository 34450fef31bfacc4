"""Questions an answer can need before it is logged: which of a local time that happened twice
(the hour repeated when summer time ends) is meant, and whether to stop with critical items
still open or not done. Typed walks only: a scripted answer cannot be asked anything.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from draaiboek.engine.inputs import Answer, Rejected, SetTimeZero, Stop, Value
from draaiboek.engine.parse import NO, YES
from draaiboek.engine.timezero import Ambiguous, is_summer_time

if TYPE_CHECKING:
    from draaiboek.cli.walkloop import WalkLoop


def asks_again(rejected: Rejected) -> bool:
    """Whether a refusal is a question to ask (then `ask_again`), not a plain refusal."""
    return isinstance(rejected, Ambiguous) or rejected.code == "stop-confirm"


def ask_again(loop: WalkLoop, rejected: Rejected, answer: Answer) -> Answer | None:
    """The answer again with what the question settled, or None when the operator declined
    (or the input ended: the walk's next read says so)."""
    if isinstance(rejected, Ambiguous) and isinstance(answer, Value | SetTimeZero):
        return _which_time(loop, rejected, answer)
    if rejected.code == "stop-confirm" and isinstance(answer, Stop):
        return _confirm_stop(loop, answer, rejected.detail.split(", "))
    return None


def _occurrence(loop: WalkLoop, moment: datetime) -> str:
    """`02:30 +02:00 (zomertijd)`: the wall time, its offset and which time it is."""
    season = loop.screen.t("time.summer" if is_summer_time(moment) else "time.winter")
    return f"{moment:%H:%M} {moment.isoformat()[-6:]} ({season})"


def _which_time(loop: WalkLoop, ambiguous: Ambiguous, answer: Value | SetTimeZero) -> Answer | None:
    first, second = (_occurrence(loop, moment) for moment in ambiguous.choices)
    hint = loop.screen.t(
        "prompt.time-zero-choice", time=ambiguous.detail, first=first, second=second
    )
    while True:
        line = loop.read(hint)
        if line is None:
            return None
        choice = line.strip()
        if choice in ("1", "2"):
            return replace(answer, fold=int(choice) - 1)
        loop.say_refused("choose-one-or-two", "")


def _confirm_stop(loop: WalkLoop, answer: Stop, keys: list[str]) -> Answer | None:
    """`keys` (runbook/step[/item]) are the critical items the engine found open or not done
    (ids never hold ", ")."""
    screen, state = loop.screen, loop.state
    with screen.block():
        screen.line((screen.t("stop.critical"), "bold red"))
        for key in keys:
            runbook, step, *item = key.split("/", 2)
            screen.line(f"  - {screen.what(state, runbook, step, item[0] if item else None)}")
    while True:
        line = loop.read(screen.t("prompt.stop-confirm"))
        if line is None:
            return None
        word = line.strip().lower()
        if word in YES:
            return replace(answer, confirmed=True)
        if word in NO:
            screen.line(screen.t("stop.cancelled"))
            return None
        loop.say_refused("yes-or-no", "")
