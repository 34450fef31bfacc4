"""What a walk takes from the person at the keyboard: answers (typed, piped or from a file),
the operator's name, and the signals that pause it. Shared by `start`, `resume`, `exercise`."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
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
    from draaiboek.cli.terminal import TerminalInput
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
    """Answers typed at a terminal, or one per line from a pipe (echoed, as typed text).

    With stdin and stdout both a terminal, lines are edited with prompt_toolkit (cli/terminal):
    arrow keys, history of this walk, Ctrl-R; `while_waiting` then runs once a second while the
    prompt waits and what it returns is drawn above the prompt. Otherwise lines are read as
    bytes from stdin. Either way a line is given out only when it is UTF-8 text without control
    characters; any other is refused in one line and the same question is asked again.
    """

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.interactive = _isatty(sys.stdin)
        self.terminal: TerminalInput | None = None
        if self.interactive and _isatty(sys.stdout):
            from draaiboek.cli.terminal import TerminalInput

            self.terminal = TerminalInput()
        # Set by the walk: what is due while the prompt waits, as something to draw.
        self.while_waiting: Callable[[], Callable[[], None] | None] | None = None

    def read(self, hint: str, *, remember: bool = True) -> str | None:
        """The next answer without its line end; None when the input has ended. `remember`:
        whether the line goes into the prompt's history (not a name)."""
        from draaiboek.model.text import refusal

        again = ""  # a refused line comes back at the prompt to be put right
        while True:
            line = self._line(hint, again, remember)
            if line is None:
                return None
            problem = refusal(line)
            if problem is None:
                return line
            code, detail = problem
            self.screen.line(
                ("!", "bold red"), " ", self.screen.t(f"rejected.{code}", detail=detail)
            )
            # What was typed is not lost: the part that is text comes back to be corrected.
            again = _without_bad_characters(line) if self.terminal is not None else ""

    def above(self, draw: Callable[[], None]) -> None:
        """Draw from another thread without breaking a waiting prompt (see cli/terminal)."""
        if self.terminal is not None:
            self.terminal.above(draw)
        else:
            draw()

    def _line(self, hint: str, again: str, remember: bool) -> str | None:
        if self.terminal is not None:
            with self.terminal.ticking(self.while_waiting):
                return self.terminal.read(hint, default=again, remember=remember)
        if self.interactive:  # a terminal on stdin only: it echoes what is typed
            from rich.text import Text

            self.screen.console.print(Text.assemble((hint, "bold"), " > "), end="")
            self.screen.console.file.flush()
        stdin = getattr(sys.stdin, "buffer", None)  # None: started without a stdin at all
        raw = stdin.readline() if stdin is not None else b""
        if not raw:
            if self.interactive:
                self.screen.console.print()
            return None
        # surrogateescape: bytes that are not UTF-8 stay visible to `refusal` (and are refused)
        text = raw.decode("utf-8", errors="surrogateescape").rstrip("\r\n")
        if not self.interactive:
            shown = text.encode("utf-8", errors="surrogateescape").decode(errors="replace")
            self.screen.line((hint, "dim"), f" > {shown}")
        return text


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):  # closed or replaced streams
        return False


def _without_bad_characters(line: str) -> str:
    from draaiboek.model.text import CONTROL

    text = line.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
    return CONTROL.sub("", text)


def ask_operator(
    given: str | None, source: LineSource, screen: Screen, answers_file: bool = False
) -> str:
    """The operator's name: `given` (--operator), else asked once at a terminal; a usage
    error when it cannot be asked, when a walk from an answers file has none given (the file's
    answers would be read as the name), or when the name given holds a control character (a
    newline would split every header it is shown in)."""
    if given and given.strip():
        return checked_operator(given)
    if answers_file and not given:
        usage_error(t("error.operator-with-answers"))
    if not source.interactive:
        usage_error(t("error.operator-needed"))
    while True:
        name = source.read(screen.t("prompt.operator"), remember=False)
        if name is None:
            usage_error(t("error.no-operator"))
        if name.strip():
            return name.strip()


def checked_operator(given: str) -> str:
    """--operator (or DRAAIBOEK_OPERATOR) without the spaces around it; a usage error when it
    is not UTF-8 or holds a control character (tab and newline too: a name is one line)."""
    from draaiboek.model.text import refusal

    name = given.strip()
    problem = refusal(name.replace("\t", "\x0b").replace("\n", "\x0b"))
    if problem is not None:
        usage_error(
            t("error.operator-not-utf8" if problem[0] == "not-utf8" else "error.operator-control")
        )
    return name


def load_answers(path: Path) -> dict[str, Any]:
    """An answers file (--answers), or a usage error naming what is wrong with it."""
    from draaiboek.services.answerfile import AnswerFileError, read_answers

    try:
        answers = read_answers(path)
    except AnswerFileError as exc:
        usage_error(str(exc))
    for step, answer in answers.items():
        bad = _first_control_in(answer)
        if bad:  # as a typed line with one is refused (model.text)
            usage_error(f"--answers: {step}: the answer holds a control character ({bad})")
    return answers


def _first_control_in(value: object) -> str:
    """The first control character (as "U+001B") in any text of an answer, or ""."""
    from draaiboek.model.text import describe_control

    if isinstance(value, str):
        return describe_control(value)
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, inner in items:
        found = _first_control_in(key) or _first_control_in(inner)
        if found:
            return found
    return ""


def walkable_runbook(
    given: str, folder: Path, *, folder_chosen: bool = True
) -> tuple[Runbook, Library]:
    """The runbook to walk, named by id or path (see `load.lookup`, also for `folder_chosen`),
    with its library; a usage error when nothing has that name, a one-line error when it has
    errors (a sub-runbook or contact that is not beside a runbook file, nor in --runbooks)."""
    from draaiboek.load.lookup import NotFound, find_runbook

    try:
        runbook, library = find_runbook(
            given, folder, today=date.today(), folder_chosen=folder_chosen
        )
    except NotFound as exc:
        usage_error(str(exc))
    errors = [f for f in library.errors if runbook is None or f.file == runbook.file]
    if runbook is None or errors:
        first = errors[0] if errors else None
        where = f"{first.file}:{first.line}:{first.column}: {first.message}" if first else given
        fail(t("error.cannot-walk", where=where))
    return runbook, library
