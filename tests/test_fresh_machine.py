"""What a fresh machine needs: pins that agree with the bounds, tzdata where there is no zone
database, and a clear line (not a crash) when a time zone cannot be found."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
REQUIREMENTS = [Requirement(text) for text in PROJECT["dependencies"]]
TEST_REQUIREMENTS = [Requirement(text) for text in PROJECT["optional-dependencies"]["test"]]


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


@pytest.mark.parametrize(
    "requirement", REQUIREMENTS + TEST_REQUIREMENTS, ids=lambda requirement: requirement.name
)
def test_constraints_pin_every_dependency_within_its_bounds(requirement: Requirement) -> None:
    pins = _pins()
    name = canonicalize_name(requirement.name)
    assert name in pins, f"constraints.txt does not pin {requirement.name}: regenerate it"
    assert requirement.specifier.contains(pins[name], prereleases=True), (
        f"constraints.txt pins {requirement.name}=={pins[name]}, outside {requirement.specifier}"
    )


def test_every_runtime_dependency_has_a_tested_lower_bound() -> None:
    # .ci/lowest installs exactly these lower bounds and runs the suite.
    for requirement in REQUIREMENTS:
        assert [spec for spec in requirement.specifier if spec.operator == ">="], requirement


def test_tzdata_is_a_dependency_on_windows_only() -> None:
    [tzdata] = [r for r in REQUIREMENTS if r.name == "tzdata"]
    assert tzdata.marker is not None
    assert tzdata.marker.evaluate({"sys_platform": "win32"})
    assert not tzdata.marker.evaluate({"sys_platform": "linux"})
    assert not tzdata.marker.evaluate({"sys_platform": "darwin"})


# Runs draaiboek as if the machine had no zone database: an empty zone path and no tzdata.
NO_ZONES = (
    "import sys; sys.modules['tzdata'] = None; "
    "from draaiboek.cli.main import main; sys.exit(main(sys.argv[1:]))"
)


def _draaiboek(args: list[str], *, zones: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAAIBOEK_")}
    env.update(NO_COLOR="1", COLUMNS="100")
    command = [sys.executable, "-m", "draaiboek", *args]
    if not zones:
        env["PYTHONTZPATH"] = ""
        command = [sys.executable, "-c", NO_ZONES, *args]
    return subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _one_line_about_the_zone(result: subprocess.CompletedProcess[str], home: Path) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Europe/Amsterdam" in lines[0] and "tzdata" in lines[0], lines[0]
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not list(home.glob("crash-*")), "a missing zone is no crash"


def test_start_without_a_zone_database_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = _draaiboek(
        ["start", "112-onbereikbaar", "--exercise", "--operator", "T", "--home", str(home)],
        zones=False,
    )
    _one_line_about_the_zone(result, home)


def test_resume_without_a_zone_database_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    started = _draaiboek(
        ["start", "112-onbereikbaar", "--exercise", "--operator", "T", "--home", str(home)],
        zones=True,
    )
    assert started.returncode == 1, started.stderr  # no answers on stdin: paused
    [incident] = [folder.name for folder in (home / "incidents").iterdir()]
    result = _draaiboek(["resume", incident, "--operator", "T", "--home", str(home)], zones=False)
    _one_line_about_the_zone(result, home)
