"""The command line run in-process for tests, with the developer's settings cleared (shared).

The CLI is imported when a command runs, not here, so that a test module which registers only
some commands (``import draaiboek.cli.author``) keeps to those.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from typer.testing import CliRunner

# Settings from the developer's shell that must not change what the tests see.
UNSET = ("DRAAIBOEK_RUNBOOKS", "DRAAIBOEK_LANG", "DRAAIBOEK_OPERATOR", "DRAAIBOEK_HOME")

# For commands that need no home: no colour, and the settings that pick runbooks, language or
# home cleared.
runner = CliRunner(
    env={
        "DRAAIBOEK_LANG": None,
        "DRAAIBOEK_RUNBOOKS": None,
        "DRAAIBOEK_HOME": None,
        "NO_COLOR": "1",
    }
)


def cli(
    home: Path, args: list[str], input: str = "", *, unset: Iterable[str] = UNSET
) -> tuple[int, str]:
    """`draaiboek ARGS` in-process with DRAAIBOEK_HOME=home, 100 columns, no colour, the names
    in `unset` cleared and `input` on stdin; (exit code, stdout + stderr). An exception other
    than SystemExit is raised again, so a crash fails the test with its own traceback."""
    import draaiboek.cli.main  # noqa: F401  (registers every command on the app)
    from draaiboek.cli.app import app

    env: dict[str, str | None] = dict.fromkeys(unset)
    env.update(COLUMNS="100", NO_COLOR="1", DRAAIBOEK_HOME=str(home))
    result = CliRunner().invoke(app, args, input=input, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output
