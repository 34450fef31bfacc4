"""The Typer app and what every command shares: common options, exit codes, one-line errors.

Command modules (cli_*.py) add their commands to `app`. Heavy imports (jsonschema, rich, the
loader) happen inside the commands, so that `draaiboek --version` stays as quick as typer itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from draaiboek import __version__

EXIT_OK = 0
EXIT_FINDINGS = 1  # findings, failed tests or verification, refused action
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="draaiboek",
    help=(
        "Draaiboeken (operational runbooks) as versioned YAML: validate them, and walk a duty "
        "officer through one step at a time with a tamper-evident journal."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"draaiboek {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Draaiboeken: validate runbooks and walk them during an outage."""


RunbooksOption = Annotated[
    Path | None,
    typer.Option(
        "--runbooks",
        envvar="DRAAIBOEK_RUNBOOKS",
        help="Runbooks folder [default: ./runbooks when present, else the shipped runbooks].",
        show_default=False,
    ),
]
HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar="DRAAIBOEK_HOME",
        help="Incident home: one folder per incident [default: the user data folder].",
        show_default=False,
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        envvar="DRAAIBOEK_LANG",
        help="Language of what you read: nl or en.",
        show_default=False,
    ),
]


def fail(message: str, code: int = EXIT_FINDINGS) -> NoReturn:
    """One line to stderr and the exit code: how every expected error ends."""
    typer.echo(f"draaiboek: {message}", err=True)
    raise typer.Exit(code)


def usage_error(message: str) -> NoReturn:
    fail(message, EXIT_USAGE)


def chosen_language(given: str | None) -> str:
    from draaiboek.cli.settings import language

    try:
        return language(given)
    except ValueError as exc:
        usage_error(str(exc))


def runbooks_folder(given: Path | None) -> Path:
    from draaiboek.cli.settings import runbooks_dir

    folder = runbooks_dir(given)
    if given is not None and not folder.is_dir():
        usage_error(f"runbooks folder {folder} does not exist: check --runbooks")
    return folder


def home_folder(given: Path | None) -> Path:
    from draaiboek.cli.settings import home_dir

    return home_dir(given)


def no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


def crash_note(error: BaseException, home: Path | None = None) -> Path:
    """Write the traceback to a file, so the user sees one line and support sees everything."""
    import tempfile
    import time
    import traceback

    text = "".join(traceback.format_exception(error))
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for folder in (home or home_folder(None), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            note = folder / f"crash-{stamp}-{os.getpid()}.txt"
            note.write_text(
                f"draaiboek {__version__}\n{' '.join(sys.argv)}\n\n{text}", encoding="utf-8"
            )
            return note
        except OSError:
            continue
    return Path("(nowhere: no writable folder)")
