"""Scripted answers (an answers file, a test case): which answers a walk gets at each step visit.

One implementation for `start --answers FILE` and `draaiboek test`, so that a case that passes
`draaiboek test` walks the same way from an answers file. Reading the file is not done here (the
engine does no IO): a script is built from its data, a mapping step name -> YAML value.

A step is named by its id in the top runbook, `runbook/step` in a sub-runbook (the top runbook's
own steps may be named that way too). A YAML list answers successive visits of a step: visit k
(from 0) is the k-th time the walk entered that step, counted along the walk's path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from draaiboek.engine.decide import prompt
from draaiboek.engine.inputs import Answer
from draaiboek.engine.parse import ParseError, from_yaml
from draaiboek.engine.state import WalkState

# A script whose answers make the walk go round and round must stop, not hang.
MAX_ANSWERS = 10_000


class ScriptStop(Exception):
    """The script cannot give the walk an answer; the walk stops here.

    `code` says why: "no-answer" (the script has nothing for this step), "loop" (more than
    MAX_ANSWERS answers without reaching an end), or the `ParseError` code of a value that is
    not an answer at this step (with its `detail`). `step` names the step as the script does.
    """

    def __init__(self, code: str, step: str, detail: str = "") -> None:
        super().__init__(f"{step}: {code}" + (f" ({detail})" if detail else ""))
        self.code = code
        self.step = step
        self.detail = detail


class Script:
    """The answers of one script, handed out one at a time as the walk asks for them.

    `answers` maps step names to YAML values (see the module docstring); `top` is the id of the
    runbook the walk started with. Use one Script per walk: it counts visits and answers.
    """

    def __init__(self, answers: Mapping[str, Any], top: str) -> None:
        self.answers = answers
        self.top = top
        self.given = 0  # answers handed out so far
        self.answering = ""  # the step (as named here) the last answer was for
        self.visits: dict[tuple[str, str], int] = {}  # (runbook, step) -> times entered
        self._counted = 0  # entries of the walk's path counted into `visits`
        self._queue: list[Answer] = []  # the rest of a checklist's answers
        self._queued_for: tuple[str, str, int] | None = None  # (runbook, step, visit)

    def name(self, runbook: str, step: str) -> str:
        """A step as the script names it: without the runbook id in the top runbook."""
        return step if runbook == self.top else f"{runbook}/{step}"

    def next(self, state: WalkState) -> Answer:
        """The next answer for where `state` stands (a walk that is not closed).

        Raises ScriptStop when there is none: no answer for this step, a value that is not an
        answer here, or more than MAX_ANSWERS answers in all.
        """
        asked = prompt(state)
        key = (asked.runbook_id, asked.step_id)
        name = self.answering = self.name(*key)
        self._count(state)
        visit = self.visits.get(key, 1) - 1
        if self._queued_for != (*key, visit) or not self._queue:
            found, value = self._lookup(*key)
            if not found or asked.kind == "closed":
                raise ScriptStop("no-answer", name)
            try:
                self._queue = from_yaml(value, state.step_of(*key), visit)
            except ParseError as error:
                raise ScriptStop(error.code, name, error.detail) from None
            self._queued_for = (*key, visit)
            if not self._queue:
                raise ScriptStop("no-answer", name)
        if self.given >= MAX_ANSWERS:
            raise ScriptStop("loop", name, str(MAX_ANSWERS))
        self.given += 1
        return self._queue.pop(0)

    def _lookup(self, runbook: str, step: str) -> tuple[bool, Any]:
        for key in (self.name(runbook, step), f"{runbook}/{step}"):
            if key in self.answers:
                return True, self.answers[key]
        return False, None

    def _count(self, state: WalkState) -> None:
        """Count the visits entered since the last call (each `entered` adds one entry)."""
        entries = state.entries
        # Going back cuts the path; the step gone back to is not entered again.
        start = min(self._counted, len(entries))
        for entry in entries[start:]:
            key = (entry.runbook, entry.step)
            self.visits[key] = self.visits.get(key, 0) + 1
        self._counted = len(entries)
