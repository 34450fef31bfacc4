"""The Typer app and what every command shares: common options, exit codes, one-line errors.

Command modules (cli_*.py) add their commands to `app`. Heavy imports (jsonschema, rich, the
loader) happen inside the commands, so that `draaiboek --version` stays as quick as typer itself.
What a person reads comes from the message catalogue in the language of the command line
(cli/language): error lines through `t`, help through cli/helptext (keys `help.*`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import click
import typer
from typer.core import TyperGroup

from draaiboek import __version__
from draaiboek.cli.language import asked, begin, current, t, use

EXIT_OK = 0
EXIT_FINDINGS = 1  # findings, failed tests or verification, refused action
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class DraaiboekGroup(TyperGroup):
    """The program: sets the language of the command line before click parses it (click shows
    help and usage errors while parsing), and puts the help texts in that language."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        begin(given)
        from draaiboek.cli.helptext import help_wanted, localize

        if help_wanted(self, given):
            localize(self, current())
        from draaiboek.cli.completion import COMPLETE_VAR, attach

        if help_wanted(self, given) or os.environ.get(COMPLETE_VAR):
            attach(self)  # choices of enumerated options, completion of ids
        return super().main(args, *rest, **options)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """A mistyped command gets one suggestion: click 8.4 and later make one themselves
        (NoSuchCommand), typer adds another (turned off in __init__); an older click none."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            name = args[0] if args else ""
            if not hasattr(exc, "possibilities") and name and name not in self.commands:
                from draaiboek.model.suggestions import did_you_mean

                hint = did_you_mean(name, self.commands)
                if hint:
                    raise click.UsageError(exc.message.rstrip(".") + hint, ctx) from None
            raise

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggest_commands = False  # typer >= 0.20's own suggestion; see resolve_command


app = typer.Typer(
    name="draaiboek",
    cls=DraaiboekGroup,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"draaiboek {__version__}")
        raise typer.Exit(EXIT_OK)


RunbooksOption = Annotated[
    Path | None,
    typer.Option(
        "--runbooks",
        envvar="DRAAIBOEK_RUNBOOKS",
        show_default=False,
    ),
]
HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar="DRAAIBOEK_HOME",
        show_default=False,
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        envvar="DRAAIBOEK_LANG",
        show_default=False,
    ),
]


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True),
    ] = False,
    lang: LangOption = None,
) -> None:
    """Draaiboeken: validate runbooks and walk them during an outage (help: help.app).

    `--lang` here (`draaiboek --lang en start ...`) counts for the whole command line: it was
    read before parsing (cli/language), as a command's own --lang was.
    """
    if lang is not None:
        chosen_language(lang)  # refused here when there are no texts for it


def fail(message: str, code: int = EXIT_FINDINGS) -> NoReturn:
    """One line to stderr and the exit code: how every expected error ends."""
    typer.echo(f"draaiboek: {message}", err=True)
    raise typer.Exit(code)


def usage_error(message: str) -> NoReturn:
    fail(message, EXIT_USAGE)


def chosen_language(given: str | None) -> str:
    """--lang (the command's, the program's, or DRAAIBOEK_LANG), else Dutch; a usage error for a
    language without texts."""
    from draaiboek.cli.settings import language
    from draaiboek.model.catalogue import LANGUAGES

    try:
        chosen = language(given or asked())
    except ValueError:
        wrong = given or os.environ.get("DRAAIBOEK_LANG")
        usage_error(t("error.unknown-language", given=wrong, choices=", ".join(LANGUAGES)))
    use(chosen)
    return chosen


def runbooks_folder(given: Path | None) -> Path:
    from draaiboek.cli.settings import runbooks_dir

    folder = runbooks_dir(given)
    if given is not None and not folder.is_dir():
        usage_error(t("error.no-runbooks-folder", folder=folder))
    return folder


def chosen_runbooks(given: Path | None) -> Path | None:
    """The runbooks folder when one is chosen (see `settings.chosen_runbooks_dir`); None when
    only the shipped examples stand in for one."""
    from draaiboek.cli.settings import chosen_runbooks_dir

    runbooks_folder(given)  # a --runbooks that does not exist is a usage error
    return chosen_runbooks_dir(given)


def home_folder(given: Path | None) -> Path:
    """The incident home, checked as ssh checks its folder: yours only. One line and exit 1 when
    another user owns it or others can write to it; one line of notice when it was readable by
    others (as an earlier version made it) and is now 0700."""
    from draaiboek.cli.settings import home_dir
    from draaiboek.services.integrity import UnsafeHome, open_home

    folder = home_dir(given)
    try:
        notices = open_home(folder, create=False)
    except UnsafeHome as exc:
        fail(str(exc))
    for notice in notices:
        typer.echo(f"draaiboek: {notice}", err=True)
    return folder


def no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


def crash_note(error: BaseException, home: Path | None = None) -> Path:
    """Write the traceback to a file, so the user sees one line and support sees everything."""
    import tempfile
    import time
    import traceback

    text = "".join(traceback.format_exception(error))
    stamp = time.strftime("%Y%m%dT%H%M%S")
    from draaiboek.cli.settings import home_dir

    content = f"draaiboek {__version__}\n{' '.join(sys.argv)}\n\n{text}".encode()
    for folder in (home or home_dir(None), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            note = folder / f"crash-{stamp}-{os.getpid()}.txt"
            # 0600: a traceback can hold what was typed; never written through a link.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(note, flags, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            return note
        except OSError:
            continue
    return Path("(nowhere: no writable folder)")
