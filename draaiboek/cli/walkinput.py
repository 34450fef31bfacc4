"""What a walk takes from the person at the keyboard: answers (typed, piped or from a file),
the operator's name, and the signals that pause it. Shared by `start`, `resume`, `exercise`."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from draaiboek.cli.app import fail, usage_error
from draaiboek.cli.language import t

if TYPE_CHECKING:
    from draaiboek.cli.render import Screen
    from draaiboek.load.library import Library
    from draaiboek.model.runbook import Runbook
    from draaiboek.services.session import Session

OperatorOption = Annotated[
    str | None,
    typer.Option(
        "--operator",
        envvar="DRAAIBOEK_OPERATOR",
        show_default=False,
    ),
]
AnswersOption = Annotated[
    Path | None,
    typer.Option("--answers", show_default=False),
]


class Interrupted(Exception):
    """Ctrl-C, SIGTERM or a closed terminal: pause, log it, exit 130."""


@contextmanager
def interruptible(session: Session) -> Iterator[None]:
    """Turn signals into Interrupted, but never in the middle of writing a journal line."""
    pending: list[int] = []
    raised: list[int] = []  # once stopping, further signals must not cut the pause short

    def interrupt(signum: int) -> None:
        raised.append(signum)
        raise Interrupted(signum)

    def handler(signum: int, _frame: FrameType | None) -> None:
        if raised:
            return
        if session.appending:
            pending.append(signum)
            return
        interrupt(signum)

    def after_append() -> None:
        if pending and not raised:
            interrupt(pending[0])

    wanted = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGHUP"):
        wanted.append(signal.SIGHUP)
    previous = {sig: signal.signal(sig, handler) for sig in wanted}
    session.after_append = after_append
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        session.after_append = None


class LineSource:
    """Answers typed at a terminal, or one per line from a pipe (echoed, as typed text)."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.interactive = sys.stdin.isatty()

    def read(self, hint: str) -> str | None:
        """The next answer without its line end; None when the input has ended."""
        if self.interactive:
            try:
                return self.screen.console.input(f"[bold]{hint}[/] > ")
            except EOFError:
                return None
        line = sys.stdin.readline()
        if not line:
            return None
        text = line.rstrip("\r\n")
        self.screen.line((hint, "dim"), f" > {text}")
        return text


def ask_operator(given: str | None, source: LineSource, screen: Screen) -> str:
    """The operator's name: `given` (--operator), else asked once at a terminal; a usage
    error when it cannot be asked."""
    if given and given.strip():
        return given.strip()
    if not source.interactive:
        usage_error(t("error.operator-needed"))
    while True:
        name = source.read(screen.t("prompt.operator"))
        if name is None:
            usage_error(t("error.no-operator"))
        if name.strip():
            return name.strip()


def load_answers(path: Path) -> dict[str, Any]:
    """An answers file (--answers), or a usage error naming what is wrong with it."""
    from draaiboek.services.answerfile import AnswerFileError, read_answers

    try:
        return read_answers(path)
    except AnswerFileError as exc:
        usage_error(str(exc))


def walkable_runbook(given: str, folder: Path) -> tuple[Runbook, Library]:
    """The runbook to walk, named by id or path (see `load.lookup`), with its library; a usage
    error when nothing has that name, a one-line error when it has errors."""
    from draaiboek.load.lookup import NotFound, find_runbook

    try:
        runbook, library = find_runbook(given, folder, today=date.today())
    except NotFound as exc:
        usage_error(str(exc))
    errors = [f for f in library.errors if runbook is None or f.file == runbook.file]
    if runbook is None or errors:
        first = errors[0] if errors else None
        where = f"{first.file}:{first.line}:{first.column}: {first.message}" if first else given
        fail(t("error.cannot-walk", where=where))
    return runbook, library
