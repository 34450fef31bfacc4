"""How a screen reaches the terminal: one write per screen, through rich or as plain text.

Each screen (a step with its header, the lines confirming what was logged, an overview) goes
out in one write. On a terminal, or with colour forced, rich draws every line. When the output
is plain (a pipe, a file, a scripted walk), rich would only drop the styles and wrap: a line
given as parts (plain text and styled text) is known without parsing, `plainwrap` wraps it
the way rich does, and rich is asked only for what it does differently (rules, centred
banners, tabs, control codes, wide characters, words wider than the screen).

What must stay whole on screen (a phone number, an incident id, a command to copy) is passed
through `whole()`: it is never broken where a line wraps, and a line with a whole wider than
the screen is not wrapped at all (the terminal folds it; copied, it is still one line).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.cells import cell_len
from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from draaiboek.cli.plainwrap import wrapped
from draaiboek.model.text import visible

# A piece of a line: plain text, or (text, rich style) such as ("Let op", "bold red").
Part = str | tuple[str, str]
# How a line is printed: console markup, parts, centred markup, or a dim rule.
_MARKUP, _PARTS, _CENTRED, _RULE = "text", "parts", "centred", "rule"
_Line = tuple[object, str]  # (markup, a tuple of parts, or "" for a rule; how)
# The spaces of a `whole()` text while its line is wrapped: one cell, not white space to rich
# or to plainwrap (a private-use character), a space again when the line is shown.
KEEP = "\ue000"
_KEPT = re.compile(r"\S*\ue000\S*")


def whole(text: str) -> str:
    """`text` kept whole on screen: no line break inside it (see the module's docstring)."""
    return text.replace(" ", KEEP)


def _kept(content: object) -> bool:
    if isinstance(content, str):
        return KEEP in content
    return isinstance(content, tuple) and KEEP in _joined(content)


def _too_wide(plain: str, width: int) -> bool:
    """Whether a whole text in `plain` is wider than the screen: then nothing is wrapped."""
    return any(cell_len(token) > width for token in _KEPT.findall(plain))


def make_console(stderr: bool = False) -> Console:
    """The console every screen writes to: no highlighting or emoji codes, NO_COLOR obeyed."""
    return Console(
        highlight=False, no_color=bool(os.environ.get("NO_COLOR")), stderr=stderr, emoji=False
    )


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


class ScreenOutput:
    """Lines to one console, gathered per screen (`block`) and written at once."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._block: list[_Line] | None = None  # lines of the screen being drawn
        self._owner = 0  # the thread drawing it
        self._drawn: dict[tuple[object, str, int], str] = {}  # rules and banners, as drawn
        self._plain_for: tuple[object, bool] | None = None  # (output file, plain?)
        self._width: int | None = None  # rich's width, when it cannot change any more

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
        """One line (or more) of console markup, as console.print(markup) shows it. Only for
        texts of our own: anything from a runbook or a person goes through `line`."""
        self._add((visible(markup), _MARKUP))

    def line(self, *parts: Part) -> None:
        """One line (or more) from parts: text shown as it is, or (text, style). A control
        character (an escape sequence in an older journal) is shown written out (model.text)."""
        self._add((tuple(_visible_part(part) for part in parts), _PARTS))

    def centred(self, markup: str) -> None:
        self._add((visible(markup), _CENTRED))

    def rule(self) -> None:
        self._add(("", _RULE))

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
            for content, how in lines:
                text = None
                plain = None
                if how == _PARTS:
                    plain = _joined(content)  # type: ignore[arg-type]
                elif how == _MARKUP:  # rich reads the markup (and raises for bad markup)
                    plain = console.render_str(str(content)).plain
                if plain is not None and KEEP in plain and _too_wide(plain, width):
                    text = plain + "\n"  # unwrapped: a whole wider than the screen
                elif plain is not None:
                    text = wrapped(plain, width)
                if text is None:  # rich's turn
                    text = self._drawn_by_rich((content, how), width)
                parts.append(text.replace(KEEP, " "))
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
        content, how = line
        if how in (_PARTS, _MARKUP) and _kept(content):
            if how == _PARTS:
                self._print_kept(Text.assemble(*content))  # type: ignore[misc]
            else:
                self._print_kept(self.console.render_str(str(content)))
        elif how == _RULE:
            self.console.print(Rule(style="dim"))
        elif how == _CENTRED:
            self.console.print(content, justify="center")
        elif how == _PARTS:
            self.console.print(Text.assemble(*content))  # type: ignore[misc]
        else:
            self.console.print(content)

    def _print_kept(self, text: Text) -> None:
        """A line with whole texts in it: wrapped here, with them as words, so that rich
        has nothing left to wrap; or not at all when one is wider than the screen."""
        width = self.console.width
        if _too_wide(text.plain, width):
            text.plain = text.plain.replace(KEEP, " ")  # same length: the styles stay put
            self.console.print(text, soft_wrap=True)
            return
        for piece in text.wrap(self.console, width):
            piece.plain = piece.plain.replace(KEEP, " ")
            self.console.print(piece)

    def _drawn_by_rich(self, line: _Line, width: int) -> str:
        key = (*line, width)
        found = self._drawn.get(key)
        if found is None:
            with self.console.capture() as capture:
                self._print(line)
            found = capture.get()
            if line[1] in (_RULE, _CENTRED):  # the same every time: keep it
                self._drawn[key] = found
        return found


def _visible_part(part: Part) -> Part:
    if isinstance(part, str):
        return visible(part)
    return (visible(part[0]), part[1])


def _joined(parts: Sequence[Part]) -> str:
    return "".join(part if isinstance(part, str) else part[0] for part in parts)
