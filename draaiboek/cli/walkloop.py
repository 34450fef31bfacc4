"""The question-and-answer loop of a walk, independent of where the answers come from.

Answers come from a `read(hint) -> str | None` function (a terminal or a pipe) or from a
scripted mapping (step id -> answer, as in `--answers FILE`; handed out by the engine's
`Script`, as in `draaiboek test`). Output goes through a Screen.

A typed answer that is refused is asked again; a scripted one cannot be corrected, so the walk
stops there (paused, input ended) with one line naming the step and the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from draaiboek.cli.invocation import paused_hint
from draaiboek.engine import decide
from draaiboek.engine.decide import Prompt
from draaiboek.engine.inputs import Answer, Pause, Rejected
from draaiboek.engine.script import Script, ScriptStop
from draaiboek.engine.state import WalkState
from draaiboek.model.runbook import Step

if TYPE_CHECKING:
    from draaiboek.cli.render import Screen
    from draaiboek.services.session import Session

ReadLine = Callable[[str], "str | None"]


class WalkLoop:
    def __init__(
        self,
        session: Session,
        screen: Screen,
        read: ReadLine,
        scripted: Mapping[str, Any] | None = None,
        before_prompt: Callable[[], None] | None = None,
    ) -> None:
        self.session = session
        self.screen = screen
        self.read = read
        self.script = Script(scripted, session.state.runbook) if scripted is not None else None
        self.input_ended = False
        self.before_prompt = before_prompt  # exercises deliver due injects here

    @property
    def state(self) -> WalkState:
        return self.session.state

    def run(self) -> bool:
        """Walk until closed (True) or until the answers run out or a pause (False)."""
        shown: tuple[Any, ...] | None = None
        while not self.state.closed:
            if self.before_prompt is not None:
                self.before_prompt()
            reminded = self.session.reminders()
            if reminded:
                self._show_reminders(reminded)
            prompt = decide.prompt(self.state)
            where = (
                prompt.runbook_id,
                prompt.step_id,
                prompt.kind,
                prompt.item_id,
                len(self.state.open_items),
            )
            if where != shown:
                self._show(prompt)
                shown = where
            answer = self._next_answer(prompt)
            if answer is None:
                return False
            if isinstance(answer, Pause):
                self.session.pause(answer.reason)
                self.screen.say(paused_hint(self.screen, self.session))
                return False
            try:
                events = self._submit(answer)
            except Rejected as rejected:
                if self.script is not None:  # the same script would give the same answer
                    self._stopped(
                        self.script.answering, rejected.code, self._explain(rejected, prompt)
                    )
                    return False
                self._reject(rejected.code, self._explain(rejected, prompt))
                continue
            if events is None:  # a question the answer needed was declined
                continue
            self.screen.logged_all(self.state, events)
            if any(e["type"] == "corrected" for e in events):
                shown = None
        return True

    def _submit(self, answer: Answer) -> list[dict[str, Any]] | None:
        """Log an answer. One that needs another question first (which of a repeated hour, a
        stop with critical items) asks it (walkasks) and is logged with what it settled; None
        when the operator declined. Rejected as the session raises it otherwise."""
        from draaiboek.cli import walkasks

        try:
            return self.session.submit(answer)
        except Rejected as rejected:
            if self.script is not None or not walkasks.asks_again(rejected):
                raise
            again = walkasks.ask_again(self, rejected, answer)
            return None if again is None else self._submit(again)

    def due_now(self) -> Callable[[], None] | None:
        """While the prompt waits (called once a second from another thread, see
        LineSource.while_waiting): log the reminders that have come due, and return how to
        show them (drawn above the prompt), or None when nothing is due."""
        with self.session.lock:
            if self.state.closed:
                return None
            reminded = self.session.reminders()
        if not reminded:
            return None
        return lambda: self._show_reminders(reminded)

    def _show_reminders(self, reminded: list[dict[str, Any]]) -> None:
        with self.screen.block():
            for event in reminded:
                self.screen.reminder(self.state, event)

    def _show(self, prompt: Prompt) -> None:
        self.screen.screen(self.state, self.session.clock())

    def _next_answer(self, prompt: Prompt) -> Answer | None:
        step = self._step(prompt)
        if self.script is not None:
            return self._scripted(self.script, step)
        while True:
            line = self.read(self._hint(prompt, step))
            if line is None:
                self._ended()
                return None
            from draaiboek.engine import parse  # loaded once there is something to understand

            try:
                parsed = parse.parse_typed(line, prompt, step, self.state.open_items)
            except parse.ParseError as error:
                self._reject(error.code, error.detail)
                continue
            if isinstance(parsed, parse.Help):
                self.screen.line(self.screen.t("help.text"))
                continue
            if isinstance(parsed, parse.Overview):
                self.screen.overview(self.state, self.session.clock())
                continue
            return parsed

    def _scripted(self, script: Script, step: Step | None) -> Answer | None:
        if step is None:
            self._ended()
            return None
        try:
            return script.next(self.state)
        except ScriptStop as stop:
            if stop.code == "no-answer":
                self._ended()
            else:
                self._stopped(stop.step, stop.code, stop.detail)
            return None

    def _stopped(self, step: str, code: str, detail: str) -> None:
        """A scripted answer the walk cannot use: one line naming the step and the reason."""
        self.input_ended = True
        self.session.pause("input-ended")
        with self.screen.block():
            self.say_refused(code, detail, f"--answers: {step}: ")
            self.screen.say(paused_hint(self.screen, self.session))

    def _ended(self) -> None:
        self.input_ended = True
        self.session.pause("input-ended")
        with self.screen.block():
            self.screen.say(self.screen.t("input.ended"))
            self.screen.say(paused_hint(self.screen, self.session))
        return None

    def _step(self, prompt: Prompt) -> Step | None:
        runbook = self.state.runbooks.get(prompt.runbook_id)
        return runbook.steps.get(prompt.step_id) if runbook is not None else None

    def _hint(self, prompt: Prompt, step: Step | None) -> str:
        t = self.screen.t
        if prompt.kind == "decision" and step is not None:
            return t("prompt.decision", n=len(step.options))
        if prompt.kind == "action":
            return t("prompt.action")
        if prompt.kind == "checklist-item" and step is not None:
            ids = [item.id for item in step.items]
            index = ids.index(prompt.item_id) + 1 if prompt.item_id in ids else 0
            item = step.item(prompt.item_id or "")
            label = item.label.get(self.screen.lang) if item else ""
            return t("prompt.item", index=index, total=len(ids), label=label)
        if prompt.kind == "confirm-end":
            return t("prompt.confirm")
        return t("prompt.input")

    def _explain(self, rejected: Rejected, prompt: Prompt) -> str:
        """A pattern in a value schema means nothing to a duty officer: say what was asked."""
        step = self._step(prompt)
        if rejected.code != "invalid-value" or step is None or step.value_schema is None:
            return rejected.detail
        described = step.value_schema.get("description")
        if isinstance(described, str):
            return described
        if rejected.keyword in ("pattern", "format"):
            return self.screen.t("rejected.form", title=step.title.get(self.screen.lang))
        return rejected.detail

    def _reject(self, code: str, detail: str) -> None:
        self.say_refused(code, detail)

    def say_refused(self, code: str, detail: str, where: str = "") -> None:
        """One line: why an answer was not accepted (`where` says whose, when it is not typed)."""
        key = f"rejected.{code}"
        detail = escape(detail)  # a value or a schema's pattern, not markup
        text = self.screen.t(key, detail=detail)
        if text.startswith(key):  # no text for this code: say it plainly
            text = self.screen.t("rejected.other", code=code, detail=detail)
        self.screen.say(f"[bold red]![/] {escape(where)}{text}")
