"""Shared fixtures: the command line, run in-process with a fixed, isolated environment; and
the hypothesis profile (derandomized in CI)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

# No wall clock decides a test: hypothesis's per-example deadline and its too-slow health check
# time the machine, which on a loaded CI machine fails tests that are right. In CI the examples
# are derandomized (the same for every run of the same code, so a red CI is reproducible and a
# green one cannot turn red by chance) and no example database is written; elsewhere they stay
# random, to keep finding new cases. HYPOTHESIS_PROFILE=ci|dev chooses explicitly.
_NO_CLOCK = [HealthCheck.too_slow]
settings.register_profile("dev", deadline=None, suppress_health_check=_NO_CLOCK)
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=_NO_CLOCK,
    derandomize=True,
    database=None,
    print_blob=True,
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

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


TOOLS_REQUIREMENTS = Path(__file__).resolve().parent / "tools-requirements.txt"


@pytest.fixture(scope="session")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a venv holding check-jsonschema, pre-commit and yamllint, pinned in
    tests/tools-requirements.txt: made once per run (about 5 s, from the package index, as the
    README's install does) with this interpreter's pip. DRAAIBOEK_TEST_TOOLS names the bin folder
    of such a venv made before, for working without a network."""
    import subprocess
    import sys

    given = os.environ.get("DRAAIBOEK_TEST_TOOLS")
    if given:
        return Path(given)
    venv = tmp_path_factory.mktemp("tools") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / ("python.exe" if sys.platform == "win32" else "python")
    # The tools have their own pins: the project's constraints (PIP_CONSTRAINT in CI) do not
    # apply to them.
    env = {k: v for k, v in os.environ.items() if k != "PIP_CONSTRAINT"}
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    installed = subprocess.run(
        [*pip, "install", "--quiet", "--only-binary", ":all:", "-r", str(TOOLS_REQUIREMENTS)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.returncode != 0:
        pytest.fail(
            f"cannot install the test tools ({TOOLS_REQUIREMENTS.name}):\n{installed.stderr}\n"
            "Without a network, set DRAAIBOEK_TEST_TOOLS to the bin folder of a venv that has them."
        )
    return bin_dir
