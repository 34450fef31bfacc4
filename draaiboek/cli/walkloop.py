"""The question-and-answer loop of a walk, independent of where the answers come from.

Answers come from a `read(hint) -> str | None` function (a terminal or a pipe) or from a
scripted mapping (step id -> answer, as in `--answers FILE`). Output goes through a Screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from draaiboek.engine import core as engine
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
        self.scripted = scripted
        self.visits: dict[str, int] = {}
        self.queue: list[engine.Answer] = []
        self.input_ended = False
        self.before_prompt = before_prompt  # exercises deliver due injects here

    @property
    def state(self) -> engine.WalkState:
        return self.session.state

    def run(self) -> bool:
        """Walk until closed (True) or until the answers run out or a pause (False)."""
        shown: tuple[Any, ...] | None = None
        while not self.state.closed:
            if self.before_prompt is not None:
                self.before_prompt()
            reminded = self.session.reminders()
            if reminded:
                with self.screen.block():
                    for event in reminded:
                        self.screen.reminder(self.state, event)
            prompt = engine.prompt(self.state)
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
            if isinstance(answer, engine.Pause):
                self.session.pause(answer.reason)
                self.screen.say(self.screen.t("paused.how", id=self.session.incident_id))
                return False
            try:
                events = self.session.submit(answer)
            except engine.Rejected as rejected:
                self._reject(rejected.code, self._explain(rejected, prompt))
                self.queue.clear()
                continue
            self.screen.logged_all(self.state, events)
            if any(e["type"] == "corrected" for e in events):
                shown = None
        return True

    def _show(self, prompt: engine.Prompt) -> None:
        self.screen.screen(self.state, self.session.clock())

    def _next_answer(self, prompt: engine.Prompt) -> engine.Answer | None:
        if self.queue:
            return self.queue.pop(0)
        step = self._step(prompt)
        if self.scripted is not None:
            return self._scripted(prompt, step)
        while True:
            line = self.read(self._hint(prompt, step))
            if line is None:
                self._ended()
                return None
            from draaiboek.engine import answers  # loaded once there is something to understand

            try:
                parsed = answers.parse_typed(line, prompt, step, self.state.open_items)
            except answers.ParseError as error:
                self._reject(error.code, error.detail)
                continue
            if isinstance(parsed, answers.Help):
                self.screen.say(self.screen.t("help.text"))
                continue
            if isinstance(parsed, answers.Overview):
                self.screen.overview(self.state, self.session.clock())
                continue
            return parsed

    def _scripted(self, prompt: engine.Prompt, step: Step | None) -> engine.Answer | None:
        assert self.scripted is not None
        if step is None:
            self._ended()
            return None
        key = (
            prompt.step_id
            if prompt.runbook_id == self.state.runbook
            else (f"{prompt.runbook_id}/{prompt.step_id}")
        )
        if key not in self.scripted:
            self._ended()
            return None
        visit = self.visits.get(key, 0)
        self.visits[key] = visit + 1
        from draaiboek.engine import answers

        try:
            found = answers.from_yaml(self.scripted[key], step, visit)
        except answers.ParseError as error:
            self._reject(error.code, error.detail)
            self._ended()
            return None
        self.queue.extend(found[1:])
        if not found:
            self._ended()
            return None
        return found[0]

    def _ended(self) -> None:
        self.input_ended = True
        self.session.pause("input-ended")
        with self.screen.block():
            self.screen.say(self.screen.t("input.ended"))
            self.screen.say(self.screen.t("paused.how", id=self.session.incident_id))
        return None

    def _step(self, prompt: engine.Prompt) -> Step | None:
        runbook = self.state.runbooks.get(prompt.runbook_id)
        return runbook.steps.get(prompt.step_id) if runbook is not None else None

    def _hint(self, prompt: engine.Prompt, step: Step | None) -> str:
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

    def _explain(self, rejected: engine.Rejected, prompt: engine.Prompt) -> str:
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
        key = f"rejected.{code}"
        text = self.screen.t(key, detail=detail)
        if text.startswith(key):  # no text for this code: say it plainly
            text = self.screen.t("rejected.other", code=code, detail=detail)
        self.screen.say(f"[bold red]![/] {text}")
