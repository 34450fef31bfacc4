"""Entry point: `draaiboek` and `python -m draaiboek`. Maps every way out to its exit code."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import typer

from draaiboek import __version__
from draaiboek.cli import (  # noqa: F401  (they register their commands)
    author,
    authoring,
    exercise,
    incidents,
    national,
    report,
    testing,
    validate,
    walk,
)
from draaiboek.cli.app import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    app,
    crash_note,
)
from draaiboek.cli.language import t


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args == ["--version"]:
        # What the eager --version option prints, without first building the command tree
        # (typer reads the signatures of every command for that): start-up is what this costs.
        print(f"draaiboek {__version__}")
        return EXIT_OK
    from draaiboek.cli.encoding import degrade_unencodable

    degrade_unencodable()  # a stream that cannot encode a character must not end the run
    try:
        result = app(args=argv, standalone_mode=False)
    except (click.Abort, typer.Abort, KeyboardInterrupt):
        print("\n" + t("interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:  # usage errors: unknown option, missing argument, ...
        exc.show()
        return exc.exit_code or EXIT_USAGE
    except Exception as exc:  # anything unexpected: one line and a crash note, no traceback
        if _zone_not_found(exc):
            # No zone database on this machine (Windows without tzdata, a slim container), or
            # a zone name it does not know: the user can fix that, so no crash note.
            zone_problem = exc.args[0] if exc.args else exc
            print(f"draaiboek: {t('error.no-zone', zone=zone_problem)}", file=sys.stderr)
            return EXIT_FINDINGS
        note = crash_note(exc, _home_in(argv if argv is not None else sys.argv[1:]))
        print(t("internal-error", error=f"{type(exc).__name__}: {exc}", note=note), file=sys.stderr)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0


def _zone_not_found(exc: Exception) -> bool:
    """Whether `exc` is zoneinfo's ZoneInfoNotFoundError (without importing zoneinfo at start-up:
    if nothing imported it, nothing raised it)."""
    zoneinfo = sys.modules.get("zoneinfo")
    return zoneinfo is not None and isinstance(exc, zoneinfo.ZoneInfoNotFoundError)


def _home_in(args: list[str]) -> Path | None:
    """--home as given on the command line, so a crash note lands where the user asked."""
    for index, arg in enumerate(args):
        if arg == "--home" and index + 1 < len(args):
            return Path(args[index + 1])
        if arg.startswith("--home="):
            return Path(arg.split("=", 1)[1])
    return None
