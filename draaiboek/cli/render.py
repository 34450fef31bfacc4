"""What a walk shows: header, step, contacts, open items, deadlines, logged events, overview.

Lines are built from parts (plain text and styled text, see `output`), never from markup with
the runbook's text pasted in: a `[` in a runbook or an answer is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape

from draaiboek.cli import targetview
from draaiboek.cli.describe import describe, step_of, what
from draaiboek.cli.output import Part, ScreenOutput, make_console, whole
from draaiboek.engine import deadlines
from draaiboek.engine.state import WalkState
from draaiboek.model.catalogue import Messages
from draaiboek.model.durations import every_words, format_clock
from draaiboek.model.runbook import Contact, PhoneNumber, Route
from draaiboek.model.text import visible

__all__ = ["Screen", "make_console"]

_MARKS = {"done": "x", "skipped": "-", "deferred": "~"}  # a checklist item's box: [x] [-] [~]


class Screen(ScreenOutput):
    """Renders walk output in one language (`messages`) and time zone (an IANA name)."""

    def __init__(
        self, console: Console, messages: Messages, zone: str, contacts: Mapping[str, Contact]
    ) -> None:
        super().__init__(console)
        self.t = messages
        self.lang = messages.lang
        self.zone = ZoneInfo(zone)
        self.contacts = contacts
        # The incident runs on a shipped example runbook (`"examples": true` in `opened`).
        self.examples = False

    def local(self, moment: datetime) -> str:
        """The wall-clock time of `moment` in the incident's zone, `HH:MM:SS`, with the zone's
        abbreviation on a day the clock changes (02:10 happens twice in an autumn night)."""
        from draaiboek.model.wallclock import wall_time

        return wall_time(moment, self.zone)

    def what(self, state: WalkState, runbook: str, step: str, item: str | None) -> str:
        return what(self.lang, state, runbook, step, item)

    def describe(self, state: WalkState, event: Mapping[str, Any]) -> str:
        """One event in words, for the confirmation line and the overview."""
        return describe(self.t, state, event)

    def banner(self, state: WalkState) -> None:
        if state.mode == "exercise":
            self.centred(f"[bold white on red] *** {escape(self.t('exercise.banner'))} *** [/]")
        if self.examples:
            self.centred(f"[bold black on yellow] *** {escape(self.t('examples.banner'))} *** [/]")

    def header(self, state: WalkState, now: datetime) -> None:
        with self.block():
            self.banner(state)
            top = state.runbooks[state.runbook]
            self.rule()
            self.line(
                (top.title.get(self.lang), "bold"),
                f" · v{top.version} · {self.t('header.incident', id=state.incident)}",
            )
            # One line, whatever a name in an older journal holds (a newline would split it).
            operator = self.t("header.operator", name=visible(state.operator, one_line=True))
            self.line(f"{targetview.clock_line(self, state, now)} · {operator}")
            targetview.next_line(self, state, now)  # the next target or round, always
            self.rule()

    def screen(self, state: WalkState, now: datetime) -> None:
        """What a walk shows before asking: header, deadlines, open items and the step."""
        with self.block():
            self.header(state, now)
            self.deadlines(state, now)
            self.open_items(state)
            self.step(state, now)

    def step(self, state: WalkState, now: datetime) -> None:
        current = state.current
        if current is None:
            return
        with self.block():
            runbook = state.runbooks[current.runbook]
            step = runbook.step(current.step)
            lang = self.lang
            if len(state.stack) > 1:
                self.line((self.t("step.sub", title=runbook.title.get(lang)), "dim"))
            self.line((step.title.get(lang), "bold cyan"))
            if step.role:
                role = runbook.roles.get(step.role)
                name = role.get(lang) if role else step.role
                self.line((self.t("step.role", role=name), "dim"))
            if step.text:
                self.line(step.text.get(lang))
            self._contacts(step.contacts)
            if step.note:
                self.line((f"{self.t('step.note')}:", "yellow"), f" {step.note.get(lang)}")
            if step.sources:
                cited = "; ".join(
                    f"{s} {runbook.sources[s].title}" if s in runbook.sources else s
                    for s in step.sources
                )
                self.line((f"{self.t('step.sources')}: {cited}", "dim"))
            if step.due is not None and state.time_zero is not None:
                due_at = self.local(state.time_zero + step.due)
                self.line(self.t("step.due", time=due_at, offset=format_clock(step.due)))
            if step.type == "decision":
                for number, option in enumerate(step.options, start=1):
                    self.line("  ", (str(number), "bold"), f"  {option.label.get(lang)}")
            if step.type == "checklist":
                done = state.checklist
                for number, item in enumerate(step.items, start=1):
                    record = done.get(item.id)
                    mark = _MARKS.get(str(record.value) if record else "", " ")
                    label = f"  [{mark}] {number}  {item.label.get(lang)}"
                    self.line(label, *self._critical(item.critical))
                    self._contacts(item.contacts, indent="       ")

    def _critical(self, critical: bool) -> tuple[Part, ...]:
        return (" ", (self.t("open.critical"), "red")) if critical else ()

    def _contacts(self, ids: tuple[str, ...], indent: str = "") -> None:
        for contact_id in ids:
            contact = self.contacts.get(contact_id)
            if contact is None:
                self.line(indent, (f"{contact_id} ?", "red"))
                continue
            # Numbers to dial (☎), then routes off the phone network (↪): talk group, runner.
            ways: list[tuple[str, PhoneNumber | Route, str]]
            ways = [("☎", n, n.number) for n in contact.numbers]
            ways += [("↪", r, r.value) for r in contact.routes]
            for mark, way, value in ways:
                flag: tuple[Part, ...] = ()
                if contact.is_example(way):
                    flag = (" ", (f"({self.t('step.example')})", "bold red"))
                name, label = contact.name.get(self.lang), way.label.get(self.lang)
                self.line(f"{indent}{mark} {name} — {label}: ", (whole(value), "bold"), *flag)

    def open_items(self, state: WalkState, numbered: bool = True) -> None:
        items = state.open_items
        if not items:
            return
        with self.block():
            self.line((f"{self.t('open.title')}:", "bold"))
            for number, item in enumerate(items, start=1):
                label = self.what(state, item.runbook, item.step, item.item)
                when = (
                    self.t("open.deferred", time=self.local(item.deferred_at))
                    if item.deferred_at
                    else self.t("open.pending")
                )
                prefix = f"/k {number}: " if numbered else "- "
                self.line(
                    f"  {prefix}{label} ", (f"({when})", "dim"), *self._critical(item.critical)
                )

    def deadlines(self, state: WalkState, now: datetime, everything: bool = False) -> None:
        with self.block():
            for deadline in deadlines.deadlines(state, now):
                about = self.what(state, deadline.runbook, deadline.step, deadline.item)
                due = self.local(deadline.due_at)
                if deadline.status == "overdue" and deadline.late_by is not None:
                    late = format_clock(deadline.late_by)
                    text = self.t("deadline.overdue", what=about, time=due, late=late)
                    self.line((text, "bold red"))
                elif deadline.status == "open":
                    left = format_clock(deadline.due_at - now)
                    self.line(self.t("deadline.open", what=about, time=due, left=left))
                elif everything:  # settled: met, met late, or not possible (never "pending")
                    met = self.local(deadline.met_at) if deadline.met_at else ""
                    late = format_clock(deadline.late_by) if deadline.late_by else ""
                    key = f"deadline.{deadline.status}"
                    self.line(self.t(key, what=about, time=due, met=met, late=late))

    def logged(self, state: WalkState, event: Mapping[str, Any]) -> None:
        """The confirmation that an event is in the journal (shown after its fsync)."""
        at = datetime.fromisoformat(str(event["at"]))
        self.line(
            ("✓", "green"),
            " ",
            (f"{self.local(at)} {self.t('logged')}:", "dim"),
            f" {self.describe(state, event)}",
        )

    def logged_all(self, state: WalkState, events: Iterable[Mapping[str, Any]]) -> None:
        with self.block():
            for event in events:
                self.logged(state, event)

    def reminder(self, state: WalkState, event: Mapping[str, Any]) -> None:
        """A logged `reminder` event as one line: a target's or a step's."""
        if "target" in event:
            targetview.target_reminder(self, state, event)
            return
        runbook, step_id = str(event.get("runbook")), str(event.get("step"))
        item = event.get("item")
        about = self.what(state, runbook, step_id, str(item) if item else None)
        step = step_of(state, runbook, step_id)
        if event.get("kind") == "repeat" and step is not None and step.repeat is not None:
            text = self.t("reminder.repeat", what=about, every=every_words(step.repeat, self.t))
        else:
            text = self.t("reminder.overdue", what=about)
        self.line((f"⏰ {text}", "bold yellow"))

    def overview(self, state: WalkState, now: datetime) -> None:
        """`/o`: the path so far, open items, every deadline and the notes."""
        with self.block():
            self.line((f"{self.t('overview.path')}:", "bold"))
            for runbook, step_id, at in state.path:
                self.line(f"  {self.local(at)}  {self.what(state, runbook, step_id, None)}")
            self.open_items(state)
            if not state.open_items:
                self.line(self.t("open.none"))
            targetview.not_done(self, state)  # critical, marked not possible: still not done
            targetview.targets_block(self, state, now)
            self.line((f"{self.t('overview.deadlines')}:", "bold"))
            self.deadlines(state, now, everything=True)
            if state.notes:
                self.line((f"{self.t('overview.notes')}:", "bold"))
                for note in state.notes:
                    self.line(f"  {self.local(note.at)} {note.by}: {note.text}")
