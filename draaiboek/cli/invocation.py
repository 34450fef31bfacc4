"""Commands in hints, spelled the way the user started the tool, so that they work when typed.

A hint such as "to continue: draaiboek resume ID" fails with "command not found" when the user
started `.venv/bin/draaiboek` without activating the venv. So a hint names `draaiboek` only when
that name, looked up on PATH, runs this same installation; otherwise the path the tool was
started with (or `python -m draaiboek` with this interpreter). An incident home other than the
default is named too (`--home`): a setting given for one command is gone for the next.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from draaiboek.cli.settings import home_dir

if TYPE_CHECKING:
    from draaiboek.cli.render import Screen
    from draaiboek.services.session import Session

NAME = "draaiboek"
Which = Callable[[str], str | None]


def program(
    argv0: str | None = None, executable: str | None = None, which: Which | None = None
) -> str:
    """How to run this tool again from the same shell: `draaiboek`, a path, or `python -m`.

    `argv0` is how the tool was started (default `sys.argv[0]`); when that is not this tool
    (it runs inside another program, e.g. a test runner), the answer is `draaiboek`.
    """
    # Imported here: a hint is printed once, at the end of a walk; the walk starts without them.
    import shlex
    import shutil

    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    which = shutil.which if which is None else which
    started = Path(argv0)
    if started.name == "__main__.py" and started.parent.name == NAME:
        words = [executable, "-m", NAME]
        interpreter = executable
    elif started.stem == NAME:  # a console script (draaiboek.exe on Windows)
        words = [argv0]
        interpreter = None
    else:
        return NAME
    found = which(NAME)
    if found is not None and (
        _same_file(found, argv0)
        if interpreter is None
        else _same_interpreter(_interpreter_of(found), interpreter)
    ):
        return NAME
    return " ".join(shlex.quote(word) for word in words)


def incident_command(
    subcommand: str, incident_id: str, home: Path, env: Mapping[str, str] = os.environ
) -> str:
    """The command line that runs `subcommand` on an incident, e.g. `draaiboek resume ID`.

    `home` is the incident home in use; it is named (`--home`) when it is not the default one.
    """
    import shlex

    words = [subcommand, incident_id]
    default = home_dir(None, {k: v for k, v in env.items() if k != "DRAAIBOEK_HOME"})
    if not _same_path(str(home), str(default)):
        words += ["--home", str(home)]
    return " ".join([program(), *(shlex.quote(word) for word in words)])


def hint_command(subcommand: str, session: Session) -> str:
    """`incident_command` for the incident a walk is on (its folder is <home>/incidents/<id>)."""
    return incident_command(subcommand, session.incident_id, session.folder.parent.parent)


def paused_hint(screen: Screen, session: Session) -> str:
    """The line "Paused. To continue: <command>", as console markup in the screen's language."""
    from rich.markup import escape

    from draaiboek.cli.output import whole  # the command is never broken where it wraps

    return screen.t("paused.how", command=escape(whole(hint_command("resume", session)))) + _seal(
        screen, session
    )


def done_hint(screen: Screen, session: Session) -> str:
    """The line "The runbook is finished. Report: <command>", as console markup."""
    from rich.markup import escape

    from draaiboek.cli.output import whole

    return screen.t("closed.done", command=escape(whole(hint_command("report", session)))) + _seal(
        screen, session
    )


def _seal(screen: Screen, session: Session) -> str:
    """A line "zegel 3b1f0c…": the short head, printed at every pause and close so that a
    journal cut later shows against what was on screen (or on paper)."""
    return "\n" + screen.t("seal", seal=session.seal) if session.seal else ""


def _interpreter_of(script: str) -> str | None:
    """The interpreter a console script runs with (its `#!` line), or None."""
    try:
        with open(script, "rb") as file:
            first = file.readline(4096)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].decode(errors="replace").split()
    return words[0] if words else None


def _same_path(a: str, b: str) -> bool:
    # Not resolved: two venvs link the same base interpreter, yet are different installations.
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def _same_interpreter(a: str | None, b: str) -> bool:
    """One interpreter in one installation: the same file, in the same folder (python3 and
    python3.11 in one venv are one; two venvs' links to one base interpreter are not)."""
    if a is None:
        return False
    same_folder = _same_path(os.path.dirname(os.path.abspath(a)), os.path.dirname(b))
    return same_folder and _same_file(a, b)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
