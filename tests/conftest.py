"""Shared fixtures: the command line, run in-process with a fixed, isolated environment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from click.testing import Result

RunCli = Callable[[list[str]], "Result"]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """`run_cli([...])` runs `draaiboek ...` through typer's CliRunner.

    A fixed width and no colour, so output is the same everywhere; the settings that may be set
    on a developer's machine are cleared, and a crash note (if any) lands in tmp_path. The CLI is
    imported here, not at the top, so that the tests which do not need it never depend on it.
    """
    from typer.testing import CliRunner

    import draaiboek.cli.main  # noqa: F401  (importing it registers every command on the app)
    from draaiboek.cli.app import app

    runner = CliRunner()
    env: dict[str, str | None] = {
        "COLUMNS": "100",
        "NO_COLOR": "1",
        "DRAAIBOEK_HOME": str(tmp_path / "home"),
        "DRAAIBOEK_RUNBOOKS": None,
        "DRAAIBOEK_LANG": None,
    }

    def run(args: list[str]) -> Result:
        return runner.invoke(app, args, env=env)

    return run
