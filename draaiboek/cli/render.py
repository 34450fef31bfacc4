"""How a walk looks on screen: header, step, open items, deadlines, logged events (rich).

Each screen (a step with its header, the lines confirming what was logged, an overview) goes
out in one write. On a terminal, or with colour forced, rich draws every line. When the output
is plain text (a pipe, a file, a scripted walk), rich would only strip the markup and wrap the
lines: that is done here, the same way and much faster, and rich is asked only for what it
does differently (rules, centred banners, tabs, control codes, words wider than the screen).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from rich.cells import cell_len, get_character_cell_size
from rich.console import Console
from rich.markup import escape
from rich.rule import Rule
from rich.style import Style

from draaiboek.engine import deadlines
from draaiboek.engine.state import WalkState
from draaiboek.model.catalogue import Messages
from draaiboek.model.durations import format_duration
from draaiboek.model.runbook import Contact, Runbook, Step


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def make_console(stderr: bool = False) -> Console:
    return Console(
        highlight=False, no_color=bool(os.environ.get("NO_COLOR")), stderr=stderr, emoji=False
    )


def elapsed(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


# How a line is printed: as console markup, centred, or as a dim rule (its markup unused).
_TEXT, _CENTRED, _RULE = "text", "centred", "rule"
_Line = tuple[str, str]

# rich's own patterns: a markup tag (rich.markup.RE_TAGS) and a word to wrap (rich._wrap).
_TAG = re.compile(r"((\\*)\[([a-z#/@][^[]*?)])")
_WORD = re.compile(r"\s*\S+\s*")
_TAG_TEXT = re.compile(r"\[([a-z#/@][^[]*?)]")  # the same, where no backslash can escape it
# Control codes (rich strips some, passes others) and tabs (rich expands them): left to rich.
_AWKWARD = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def plain_text(markup: str) -> str | None:
    """The text rich shows for console markup (no emoji, no highlighting), or None where only
    rich can say (a `[@...]` handler, a closing tag that closes nothing: rich raises)."""
    if "[" not in markup:
        return markup
    if "\\" not in markup:  # no escapes: every tag found is a tag
        depth = 0
        for tag in _TAG_TEXT.findall(markup):
            if tag[0] == "@" or "=" in tag or (tag[0] == "/" and tag[1:].strip()):
                break  # a handler, a parameter, a named closing tag: see below
            depth += -1 if tag[0] == "/" else 1
            if depth < 0:
                return None  # rich raises: the closing tag closes nothing
        else:
            return _TAG_TEXT.sub("", markup)
    parts: list[str] = []
    opened: list[str] = []
    position = 0
    for match in _TAG.finditer(markup):
        full, escapes, tag = match.groups()
        start, end = match.span()
        if start > position:
            parts.append(markup[position:start].replace("\\[", "["))
        position = end
        if escapes:
            backslashes, escaped = divmod(len(escapes), 2)
            parts.append("\\" * backslashes)
            if escaped:
                parts.append(full[len(escapes) :].replace("\\[", "["))
                continue
        name = tag.partition("=")[0]
        if name.startswith("@"):
            return None
        if not name.startswith("/"):
            opened.append(Style.normalize(name))
        elif not name[1:].strip():
            if not opened:
                return None
            opened.pop()
        else:
            closing = Style.normalize(name[1:].strip())
            if closing not in opened:
                return None
            del opened[len(opened) - 1 - opened[::-1].index(closing)]
    if position < len(markup):
        parts.append(markup[position:].replace("\\[", "["))
    return "".join(parts)


def wrapped(text: str, width: int) -> str | None:
    """Plain text as rich prints it in `width` cells: word-wrapped, lines ending in a newline;
    None where rich does more than that (tabs, control codes, a word wider than the width)."""
    if _AWKWARD.search(text) is not None:
        return None
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width and (_NARROW.fullmatch(line) or cell_len(line) <= width):
            out.append(line)
            continue
        if "\xa0" not in line and _single_cells(line):
            pieces = _wrap_at_spaces(line, width)
        else:
            pieces = _wrap_words(line, width)
        if pieces is None:
            return None
        out += pieces
    return "\n".join(out) + "\n"


# Characters rich counts as one cell each (a part of its own list); the only white space among
# them are the space and the no-break space. _OTHER finds any other character.
_NARROW = re.compile(r"[\x20-\x7e\xa0-\xac\xae-\u02ff]*")
_OTHER = re.compile(r"[^\x20-\x7e\xa0-\xac\xae-\u02ff]")


def _single_cells(line: str) -> bool:
    """Whether every character takes one cell (as rich measures) and none is white space but
    the space and the no-break space."""
    return all(
        not other.isspace() and get_character_cell_size(other) == 1
        for other in set(_OTHER.findall(line))
    )


def _wrap_at_spaces(line: str, width: int) -> list[str] | None:
    """rich's word wrap (rich._wrap.divide_line) of a line of one-cell characters whose only
    white space is the space, found with string searches instead of word by word."""
    pieces = []
    end = len(line.rstrip(" "))  # past the last word
    pos = 0  # where the current output line starts: a word (with the line's leading spaces)
    while end - pos > width:
        first = line.find(" ", len(line) - len(line[pos:].lstrip(" ")))
        if (first if first >= 0 else len(line)) - pos > width:
            return None  # the first word does not fit on a line of its own: rich folds it
        limit = pos + width  # a word must end by here to fit
        if line[limit] == " ":
            cut = len(line) - len(line[limit:].lstrip(" "))  # the next word starts the next line
        else:
            cut = line.rfind(" ", pos, limit) + 1  # the word running past the limit does
        pieces.append(_trimmed(line[pos:cut], width))
        pos = cut
    pieces.append(_trimmed(line[pos:], width))
    return pieces


def _trimmed(piece: str, width: int) -> str:
    """rich's Text.rstrip_end: trailing white space beyond the width goes."""
    if len(piece) <= width:
        return piece
    spaces = len(piece) - len(piece.rstrip())
    return piece[: len(piece) - min(spaces, len(piece) - width)]


def _wrap_words(line: str, width: int) -> list[str] | None:
    """rich's word wrap, word by word, measuring in cells (any characters but control codes)."""
    breaks = [0]
    offset = 0
    for match in _WORD.finditer(line):
        word = match.group()
        length = cell_len(word.rstrip())
        if width - offset >= length:
            offset += cell_len(word)
        elif length > width:
            return None  # rich folds the word over several lines
        elif offset and match.start():
            breaks.append(match.start())
            offset = cell_len(word)
    breaks.append(len(line))
    pieces = []
    for begin, finish in pairwise(breaks):
        piece = _trimmed(line[begin:finish], width)
        if cell_len(piece) > width:
            return None  # rich crops it
        pieces.append(piece)
    return pieces


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
        self._block: list[_Line] | None = None  # lines of the screen being drawn
        self._owner = 0  # the thread drawing it
        self._drawn: dict[tuple[str, str, int], str] = {}  # rules and banners, as rich drew them
        self._plain_for: tuple[object, bool] | None = None  # (output file, plain?)
        self._width: int | None = None  # rich's width, when it cannot change any more

    # -- output ---------------------------------------------------------------------------

    @contextmanager
    def block(self) -> Iterator[None]:
        """Everything this thread shows inside goes out in one write at the end (inner blocks
        join in; another thread, such as an exercise's injects, writes as before)."""
        if self._block is not None and self._owner == threading.get_ident():
            yield
            return
        lines: list[_Line] = []
        self._block, self._owner = lines, threading.get_ident()
        try:
            yield
        finally:
            self._block = None
            self._write(lines)

    def say(self, markup: str) -> None:
        """One line (or more) of console markup, as console.print(markup) shows it."""
        self._add((markup, _TEXT))

    def _add(self, line: _Line) -> None:
        if self._block is not None and self._owner == threading.get_ident():
            self._block.append(line)
        else:
            self._write([line])

    def _write(self, lines: list[_Line]) -> None:
        if not lines:
            return
        console = self.console
        if not self._plain():
            with console:  # rich's own buffering: one write when the block ends
                for line in lines:
                    self._print(line)
            return
        width = self._width if self._width is not None else self._measure()
        parts = []
        try:
            for markup, how in lines:
                text = None
                if how == _TEXT:
                    plain = plain_text(markup)
                    text = wrapped(plain, width) if plain is not None else None
                if text is None:  # rich's turn (and its error, for markup it cannot read)
                    text = self._drawn_by_rich((markup, how), width)
                parts.append(text)
        finally:  # what came before a line rich refused is shown, as line by line it was
            file = console.file
            file.write("".join(parts))
            file.flush()

    def _plain(self) -> bool:
        """Whether rich would write plain text: no terminal, no colours, nothing recorded."""
        console = self.console
        file = console.file
        if self._plain_for is None or self._plain_for[0] is not file:
            plain = (
                console.color_system is None
                and not console.is_terminal
                and not console.is_jupyter
                and not console.record
                and not console.legacy_windows
            )
            self._plain_for = (file, plain)
        return self._plain_for[1]

    def _measure(self) -> int:
        """rich's width. It follows a terminal's size when one of the standard streams is a
        terminal; otherwise it comes from COLUMNS or is 80, for good."""
        width = self.console.width
        if not any(_isatty(fd) for fd in (0, 1, 2)):
            self._width = width
        return width

    def _print(self, line: _Line) -> None:
        markup, how = line
        if how == _RULE:
            self.console.print(Rule(style="dim"))
        elif how == _CENTRED:
            self.console.print(markup, justify="center")
        else:
            self.console.print(markup)

    def _drawn_by_rich(self, line: _Line, width: int) -> str:
        key = (*line, width)
        found = self._drawn.get(key)
        if found is None:
            with self.console.capture() as capture:
                self._print(line)
            found = capture.get()
            if line[1] != _TEXT:  # the same every time: keep it
                self._drawn[key] = found
        return found

    # -- what is shown --------------------------------------------------------------------

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%H:%M:%S")

    def banner(self, state: WalkState) -> None:
        if state.mode == "exercise":
            self._add(
                (f"[bold white on red] *** {escape(self.t('exercise.banner'))} *** [/]", _CENTRED)
            )

    def header(self, state: WalkState, now: datetime) -> None:
        with self.block():
            self.banner(state)
            top = state.runbooks[state.runbook]
            since = elapsed(now - state.started_at) if state.started_at else "0:00:00"
            self._add(("", _RULE))
            self.say(
                f"[bold]{escape(top.title.get(self.lang))}[/] · v{top.version} · "
                f"{escape(self.t('header.incident', id=state.incident))}"
            )
            self.say(
                f"{self.local(now)} (T+{since}) · "
                + escape(self.t("header.operator", name=state.operator))
            )
            self._add(("", _RULE))

    def screen(self, state: WalkState, now: datetime) -> None:
        """What a walk shows before asking: header, deadlines, open items and the step."""
        with self.block():
            self.header(state, now)
            self.deadlines(state, now)
            self.open_items(state)
            self.step(state, now)

    def step(self, state: WalkState, now: datetime) -> None:
        with self.block():
            self._draw_step(state, now)

    def _draw_step(self, state: WalkState, now: datetime) -> None:
        current = state.current
        if current is None:
            return
        runbook = state.runbooks[current.runbook]
        step = runbook.step(current.step)
        if len(state.stack) > 1:
            self.say(f"[dim]{escape(self.t('step.sub', title=runbook.title.get(self.lang)))}[/]")
        self.say(f"[bold cyan]{escape(step.title.get(self.lang))}[/]")
        if step.role:
            role = runbook.roles.get(step.role)
            name = role.get(self.lang) if role else step.role
            self.say(f"[dim]{escape(self.t('step.role', role=name))}[/]")
        if step.text:
            self.say(escape(step.text.get(self.lang)))
        self._contacts(step.contacts)
        if step.note:
            self.say(
                f"[yellow]{escape(self.t('step.note'))}:[/] {escape(step.note.get(self.lang))}"
            )
        if step.sources:
            cited = [
                f"{s} {runbook.sources[s].title}" if s in runbook.sources else s
                for s in step.sources
            ]
            self.say(f"[dim]{escape(self.t('step.sources'))}: {escape('; '.join(cited))}[/]")
        if step.due is not None and state.started_at is not None:
            due_at = state.started_at + step.due
            self.say(escape(self.t("step.due", time=self.local(due_at), offset=elapsed(step.due))))
        if step.type == "decision":
            for number, option in enumerate(step.options, start=1):
                self.say(f"  [bold]{number}[/]  {escape(option.label.get(self.lang))}")
        if step.type == "checklist":
            done = state.checklist
            for number, item in enumerate(step.items, start=1):
                record = done.get(item.id)
                mark = {"done": "x", "skipped": "-", "deferred": "~"}.get(
                    str(record.value) if record else "", " "
                )
                flag = f" [red]{escape(self.t('open.critical'))}[/]" if item.critical else ""
                box = escape(f"[{mark}]")
                self.say(f"  {box} {number}  {escape(item.label.get(self.lang))}{flag}")
                self._contacts(item.contacts, indent="       ")

    def _contacts(self, ids: tuple[str, ...], indent: str = "") -> None:
        for contact_id in ids:
            contact = self.contacts.get(contact_id)
            if contact is None:
                self.say(f"{indent}[red]{escape(contact_id)} ?[/]")
                continue
            for number in contact.numbers:
                flag = ""
                if contact.is_example(number):
                    flag = f" [bold red]({escape(self.t('step.example'))})[/]"
                self.say(
                    f"{indent}☎ {escape(contact.name.get(self.lang))} — "
                    f"{escape(number.label.get(self.lang))}: [bold]{escape(number.number)}[/]{flag}"
                )

    def what(self, state: WalkState, runbook: str, step: str, item: str | None) -> str:
        found = state.runbooks.get(runbook)
        if found is None or step not in found.steps:
            return f"{runbook}/{step}"
        the_step = found.step(step)
        if item is not None:
            the_item = the_step.item(item)
            return the_item.label.get(self.lang) if the_item else item
        return the_step.title.get(self.lang)

    def open_items(self, state: WalkState, numbered: bool = True) -> None:
        with self.block():
            self._draw_open_items(state, numbered)

    def _draw_open_items(self, state: WalkState, numbered: bool) -> None:
        items = state.open_items
        if not items:
            return
        self.say(f"[bold]{escape(self.t('open.title'))}:[/]")
        for number, item in enumerate(items, start=1):
            flag = f" [red]{escape(self.t('open.critical'))}[/]" if item.critical else ""
            label = self.what(state, item.runbook, item.step, item.item)
            when = (
                self.t("open.deferred", time=self.local(item.deferred_at))
                if item.deferred_at
                else self.t("open.pending")
            )
            prefix = f"/k {number}: " if numbered else "- "
            self.say(f"  {prefix}{escape(label)} [dim]({escape(when)})[/]{flag}")

    def deadlines(self, state: WalkState, now: datetime, everything: bool = False) -> None:
        with self.block():
            self._draw_deadlines(state, now, everything)

    def _draw_deadlines(self, state: WalkState, now: datetime, everything: bool) -> None:
        for deadline in deadlines.deadlines(state, now):
            what = self.what(state, deadline.runbook, deadline.step, deadline.item)
            if deadline.status == "overdue" and deadline.late_by is not None:
                self.say(
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
                self.say(
                    escape(
                        self.t(
                            "deadline.open", what=what, time=self.local(deadline.due_at), left=left
                        )
                    )
                )

    def describe(self, state: WalkState, event: Mapping[str, Any]) -> str:
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

    def logged(self, state: WalkState, event: Mapping[str, Any]) -> None:
        at = datetime.fromisoformat(str(event["at"]))
        self.say(
            f"[green]✓[/] [dim]{self.local(at)} {escape(self.t('logged'))}:[/] "
            f"{escape(self.describe(state, event))}"
        )

    def logged_all(self, state: WalkState, events: Iterable[Mapping[str, Any]]) -> None:
        with self.block():
            for event in events:
                self.logged(state, event)

    def reminder(self, state: WalkState, event: Mapping[str, Any]) -> None:
        runbook, step_id = str(event.get("runbook")), str(event.get("step"))
        item = event.get("item")
        what = self.what(state, runbook, step_id, str(item) if item else None)
        step = _step(state, runbook, step_id)
        if event.get("kind") == "repeat" and step is not None and step.repeat is not None:
            text = self.t("reminder.repeat", what=what, every=format_duration(step.repeat))
        else:
            text = self.t("reminder.overdue", what=what)
        self.say(f"[bold yellow]⏰ {escape(text)}[/]")

    def overview(self, state: WalkState, now: datetime) -> None:
        with self.block():
            self._draw_overview(state, now)

    def _draw_overview(self, state: WalkState, now: datetime) -> None:
        self.say(f"[bold]{escape(self.t('overview.path'))}:[/]")
        for runbook, step_id, at in state.path:
            self.say(f"  {self.local(at)}  {escape(self.what(state, runbook, step_id, None))}")
        self.open_items(state)
        if not state.open_items:
            self.say(escape(self.t("open.none")))
        self.say(f"[bold]{escape(self.t('overview.deadlines'))}:[/]")
        self.deadlines(state, now, everything=True)
        if state.notes:
            self.say(f"[bold]{escape(self.t('overview.notes'))}:[/]")
            for note in state.notes:
                self.say(f"  {self.local(note.at)} {escape(note.by)}: {escape(note.text)}")


def _step(state: WalkState, runbook: str, step_id: str) -> Step | None:
    found: Runbook | None = state.runbooks.get(runbook)
    return found.steps.get(step_id) if found is not None else None
