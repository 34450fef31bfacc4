"""How a walk looks on screen: header, step, open items, deadlines, logged events (rich)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.rule import Rule

from draaiboek import deadlines, engine
from draaiboek.build import format_duration
from draaiboek.i18n import Messages
from draaiboek.model import Contact, Runbook, Step


def make_console(stderr: bool = False) -> Console:
    return Console(
        highlight=False, no_color=bool(os.environ.get("NO_COLOR")), stderr=stderr, emoji=False
    )


def elapsed(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


class Screen:
    """Renders walk output in one language and time zone."""

    def __init__(
        self, console: Console, messages: Messages, zone: str, contacts: Mapping[str, Contact]
    ) -> None:
        self.console = console
        self.t = messages
        self.lang = messages.lang
        self.zone = ZoneInfo(zone)
        self.contacts = contacts

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%H:%M:%S")

    def banner(self, state: engine.WalkState) -> None:
        if state.mode == "exercise":
            self.console.print(
                f"[bold white on red] *** {escape(self.t('exercise.banner'))} *** [/]",
                justify="center",
            )

    def header(self, state: engine.WalkState, now: datetime) -> None:
        self.banner(state)
        top = state.runbooks[state.runbook]
        since = elapsed(now - state.started_at) if state.started_at else "0:00:00"
        self.console.print(Rule(style="dim"))
        self.console.print(
            f"[bold]{escape(top.title.get(self.lang))}[/] · v{top.version} · "
            f"{escape(self.t('header.incident', id=state.incident))}"
        )
        self.console.print(
            f"{self.local(now)} (T+{since}) · "
            + escape(self.t("header.operator", name=state.operator))
        )
        self.console.print(Rule(style="dim"))

    def step(self, state: engine.WalkState, now: datetime) -> None:
        current = state.current
        if current is None:
            return
        runbook = state.runbooks[current.runbook]
        step = runbook.step(current.step)
        if len(state.stack) > 1:
            self.console.print(
                f"[dim]{escape(self.t('step.sub', title=runbook.title.get(self.lang)))}[/]"
            )
        self.console.print(f"[bold cyan]{escape(step.title.get(self.lang))}[/]")
        if step.role:
            role = runbook.roles.get(step.role)
            name = role.get(self.lang) if role else step.role
            self.console.print(f"[dim]{escape(self.t('step.role', role=name))}[/]")
        if step.text:
            self.console.print(escape(step.text.get(self.lang)))
        self._contacts(step.contacts)
        if step.note:
            self.console.print(
                f"[yellow]{escape(self.t('step.note'))}:[/] {escape(step.note.get(self.lang))}"
            )
        if step.sources:
            cited = [
                f"{s} {runbook.sources[s].title}" if s in runbook.sources else s
                for s in step.sources
            ]
            self.console.print(
                f"[dim]{escape(self.t('step.sources'))}: {escape('; '.join(cited))}[/]"
            )
        if step.due is not None and state.started_at is not None:
            due_at = state.started_at + step.due
            self.console.print(
                escape(self.t("step.due", time=self.local(due_at), offset=elapsed(step.due)))
            )
        if step.type == "decision":
            for number, option in enumerate(step.options, start=1):
                self.console.print(f"  [bold]{number}[/]  {escape(option.label.get(self.lang))}")
        if step.type == "checklist":
            done = state.checklist
            for number, item in enumerate(step.items, start=1):
                record = done.get(item.id)
                mark = {"done": "x", "skipped": "-", "deferred": "~"}.get(
                    str(record.value) if record else "", " "
                )
                flag = f" [red]{escape(self.t('open.critical'))}[/]" if item.critical else ""
                box = escape(f"[{mark}]")
                self.console.print(f"  {box} {number}  {escape(item.label.get(self.lang))}{flag}")
                self._contacts(item.contacts, indent="       ")

    def _contacts(self, ids: tuple[str, ...], indent: str = "") -> None:
        for contact_id in ids:
            contact = self.contacts.get(contact_id)
            if contact is None:
                self.console.print(f"{indent}[red]{escape(contact_id)} ?[/]")
                continue
            for number in contact.numbers:
                flag = ""
                if number.example or contact.example:
                    flag = f" [bold red]({escape(self.t('step.example'))})[/]"
                self.console.print(
                    f"{indent}☎ {escape(contact.name.get(self.lang))} — "
                    f"{escape(number.label.get(self.lang))}: [bold]{escape(number.number)}[/]{flag}"
                )

    def what(self, state: engine.WalkState, runbook: str, step: str, item: str | None) -> str:
        found = state.runbooks.get(runbook)
        if found is None or step not in found.steps:
            return f"{runbook}/{step}"
        the_step = found.step(step)
        if item is not None:
            the_item = the_step.item(item)
            return the_item.label.get(self.lang) if the_item else item
        return the_step.title.get(self.lang)

    def open_items(self, state: engine.WalkState, numbered: bool = True) -> None:
        items = state.open_items
        if not items:
            return
        self.console.print(f"[bold]{escape(self.t('open.title'))}:[/]")
        for number, item in enumerate(items, start=1):
            flag = f" [red]{escape(self.t('open.critical'))}[/]" if item.critical else ""
            label = self.what(state, item.runbook, item.step, item.item)
            when = (
                self.t("open.deferred", time=self.local(item.deferred_at))
                if item.deferred_at
                else self.t("open.pending")
            )
            prefix = f"/k {number}: " if numbered else "- "
            self.console.print(f"  {prefix}{escape(label)} [dim]({escape(when)})[/]{flag}")

    def deadlines(self, state: engine.WalkState, now: datetime, everything: bool = False) -> None:
        for deadline in deadlines.deadlines(state, now):
            what = self.what(state, deadline.runbook, deadline.step, deadline.item)
            if deadline.status == "overdue" and deadline.late_by is not None:
                self.console.print(
                    "[bold red]"
                    + escape(
                        self.t(
                            "deadline.overdue",
                            what=what,
                            time=self.local(deadline.due_at),
                            late=elapsed(deadline.late_by),
                        )
                    )
                    + "[/]"
                )
            elif deadline.status == "open" or everything:
                left = elapsed(deadline.due_at - now) if deadline.due_at > now else "0:00:00"
                self.console.print(
                    escape(
                        self.t(
                            "deadline.open", what=what, time=self.local(deadline.due_at), left=left
                        )
                    )
                )

    def describe(self, state: engine.WalkState, event: Mapping[str, Any]) -> str:
        """One event in words, for the confirmation line and the overview."""
        kind = str(event.get("type"))
        runbook = str(event.get("runbook", ""))
        step_id = str(event.get("step", ""))
        title = self.what(state, runbook, step_id, None) if step_id else runbook
        step = _step(state, runbook, step_id)
        if kind == "entered":
            return self.t("event.entered", title=title)
        if kind == "answered":
            option = step.option(str(event.get("option"))) if step else None
            label = option.label.get(self.lang) if option else str(event.get("option"))
            return self.t("event.answered", label=label)
        if kind == "recorded":
            return self.t("event.recorded", value=event.get("value"))
        if kind == "action":
            return self.t(
                f"event.action.{event.get('result')}", title=title, reason=event.get("reason", "")
            )
        if kind == "item":
            label = self.what(state, runbook, step_id, str(event.get("item")))
            return self.t(
                f"event.item.{event.get('result')}", label=label, reason=event.get("reason", "")
            )
        if kind == "note":
            return self.t("event.note", text=event.get("text", ""))
        if kind == "corrected":
            return self.t("event.corrected", title=title)
        if kind == "called":
            sub = state.runbooks.get(runbook)
            return self.t("event.called", title=sub.title.get(self.lang) if sub else runbook)
        if kind in ("returned", "closed"):
            outcome = self.t(f"outcome.{event.get('outcome')}")
            return self.t(f"event.{kind}", outcome=outcome)
        if kind == "confirmed":
            return self.t("event.confirmed.yes" if event.get("yes") else "event.confirmed.no")
        if kind == "reminder":
            return self.t("event.reminder", title=title)
        if kind == "opened":
            return self.t("event.opened", mode=self.t(f"mode.{event.get('mode')}"))
        if kind == "resumed":
            return self.t("event.resumed", name=event.get("by", ""))
        if kind == "handover":
            return self.t("event.handover", from_=event.get("from", ""), to=event.get("to", ""))
        if kind == "inject":
            return self.t("event.inject", message=event.get("message", ""))
        if kind == "recovered":
            return self.t(
                "event.recovered", bytes=event.get("torn_bytes"), file=event.get("saved_as")
            )
        if kind == "paused":
            return self.t("event.paused")
        return self.t("event.other", type=kind)

    def logged(self, state: engine.WalkState, event: Mapping[str, Any]) -> None:
        at = datetime.fromisoformat(str(event["at"]))
        self.console.print(
            f"[green]✓[/] [dim]{self.local(at)} {escape(self.t('logged'))}:[/] "
            f"{escape(self.describe(state, event))}"
        )

    def reminder(self, state: engine.WalkState, event: Mapping[str, Any]) -> None:
        runbook, step_id = str(event.get("runbook")), str(event.get("step"))
        item = event.get("item")
        what = self.what(state, runbook, step_id, str(item) if item else None)
        step = _step(state, runbook, step_id)
        if event.get("kind") == "repeat" and step is not None and step.repeat is not None:
            text = self.t("reminder.repeat", what=what, every=format_duration(step.repeat))
        else:
            text = self.t("reminder.overdue", what=what)
        self.console.print(f"[bold yellow]⏰ {escape(text)}[/]")

    def overview(self, state: engine.WalkState, now: datetime) -> None:
        self.console.print(f"[bold]{escape(self.t('overview.path'))}:[/]")
        for runbook, step_id, at in state.path:
            self.console.print(
                f"  {self.local(at)}  {escape(self.what(state, runbook, step_id, None))}"
            )
        self.open_items(state)
        if not state.open_items:
            self.console.print(escape(self.t("open.none")))
        self.console.print(f"[bold]{escape(self.t('overview.deadlines'))}:[/]")
        self.deadlines(state, now, everything=True)
        if state.notes:
            self.console.print(f"[bold]{escape(self.t('overview.notes'))}:[/]")
            for note in state.notes:
                self.console.print(
                    f"  {self.local(note.at)} {escape(note.by)}: {escape(note.text)}"
                )


def _step(state: engine.WalkState, runbook: str, step_id: str) -> Step | None:
    found: Runbook | None = state.runbooks.get(runbook)
    return found.steps.get(step_id) if found is not None else None
