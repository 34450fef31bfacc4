"""A hint names a command that works as the user started the tool.

"Paused. To continue: draaiboek resume ID" fails with "command not found" when the tool was
started as `.venv/bin/draaiboek` without activating the venv. These tests start the tool the
ways a user does, take the command from the hint it prints, run that command, and check that it
continued the same incident.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from draaiboek import journal
from draaiboek.cli.invocation import incident_command, program

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "valid"
SCRIPT = Path(sys.executable).parent / ("draaiboek.exe" if os.name == "nt" else "draaiboek")


def _script(folder: Path, interpreter: str) -> Path:
    script = folder / "draaiboek"
    script.write_text(f"#!{interpreter}\nimport draaiboek\n", encoding="utf-8")
    return script


def test_draaiboek_when_that_name_runs_this_very_script(tmp_path: Path) -> None:
    script = _script(tmp_path, sys.executable)
    assert program(str(script), sys.executable, lambda name: str(script)) == "draaiboek"


def test_the_path_as_typed_when_the_name_is_not_on_path_or_is_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = _script(tmp_path, sys.executable)
    (tmp_path / "other").mkdir()
    other = _script(tmp_path / "other", sys.executable)
    monkeypatch.chdir(tmp_path)
    assert program("./draaiboek", sys.executable, lambda name: None) == "./draaiboek"
    assert program(str(mine), sys.executable, lambda name: str(other)) == str(mine)
    spaced = tmp_path / "met spatie"
    spaced.mkdir()
    in_space = _script(spaced, sys.executable)
    assert program(str(in_space), sys.executable, lambda name: None) == shlex.quote(str(in_space))


def test_python_dash_m_unless_draaiboek_runs_with_this_interpreter(tmp_path: Path) -> None:
    main = str(REPO / "draaiboek" / "__main__.py")
    alone = program(main, sys.executable, lambda name: None)
    assert alone == f"{shlex.quote(sys.executable)} -m draaiboek"
    same = _script(tmp_path, sys.executable)
    assert program(main, sys.executable, lambda name: str(same)) == "draaiboek"
    (tmp_path / "elders").mkdir()
    other = _script(tmp_path / "elders", "/usr/bin/python3")
    assert program(main, sys.executable, lambda name: str(other)) == alone
    # Another venv links the same base interpreter: still another installation.
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    linked = tmp_path / "venv" / "bin" / "python"
    linked.symlink_to(os.path.realpath(sys.executable))
    other_venv = _script(tmp_path / "venv" / "bin", str(linked))
    assert program(main, sys.executable, lambda name: str(other_venv)) == alone


def test_inside_another_program_the_name_is_draaiboek() -> None:
    assert program("/usr/bin/pytest", sys.executable, lambda name: None) == "draaiboek"


def test_a_home_other_than_the_default_is_named(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "DRAAIBOEK_HOME": str(tmp_path / "elders")}
    default = tmp_path / "data" / "draaiboek"
    if sys.platform in ("win32", "darwin"):
        pytest.skip("the default home does not follow XDG_DATA_HOME here")
    assert incident_command("resume", "x", default, env).endswith("resume x")
    other = tmp_path / "elders"
    assert incident_command("resume", "x", other, env).endswith(
        f"resume x --home {shlex.quote(str(other))}"
    )


# --- end to end: the hint printed is a command that continues the incident ------------------


def _env(tmp_path: Path, path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAAIBOEK_")}
    # A wide screen: the hint is compared whole. The default home, in a folder of the test.
    env.update(
        PATH=path, COLUMNS="400", NO_COLOR="1", XDG_DATA_HOME=str(tmp_path / "data"), LANG="C"
    )
    return env


def _hint(output: str) -> str:
    found: list[str] = re.findall(r"Gepauzeerd\. Verder gaan:\n  (.+)", output)
    assert found, output
    return found[-1].strip()


def _events(tmp_path: Path, incident: str) -> list[str]:
    folder = tmp_path / "data" / "draaiboek" / "incidents" / incident
    return [str(event["type"]) for event in journal.read(folder)]


def _started(
    tmp_path: Path, first: list[str], path: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    args = ["start", "every-step-type", "--runbooks", str(CORPUS), "--exercise"]
    args += ["--operator", "Jan", "--incident", "proef"]
    return subprocess.run(
        [*first, *args],
        input="1\n",
        capture_output=True,
        text=True,
        env=_env(tmp_path, path),
        cwd=cwd,
        timeout=60,
    )


@pytest.mark.skipif(os.name == "nt", reason="runs the hint through a POSIX shell")
@pytest.mark.parametrize("how", ["script by path", "script on PATH", "python -m"])
def test_the_hint_after_the_input_ends_continues_the_incident(tmp_path: Path, how: str) -> None:
    if how != "python -m" and not SCRIPT.exists():
        pytest.skip("no draaiboek console script beside this interpreter")
    bare_path = "/usr/bin:/bin"
    work = tmp_path / "elsewhere"  # a folder outside the checkout, as a user's would be
    work.mkdir()
    if how == "script by path":
        first, path = [os.path.relpath(SCRIPT, work)], bare_path
    elif how == "script on PATH":
        first, path = ["draaiboek"], f"{SCRIPT.parent}:{bare_path}"
    else:
        first, path = [sys.executable, "-m", "draaiboek"], bare_path
    run = _started(tmp_path, first, path, work)
    assert run.returncode == 1, run.stdout + run.stderr
    hint = _hint(run.stdout)
    if how == "script on PATH":
        assert hint == "draaiboek resume proef"
    else:
        assert hint.endswith("resume proef") and hint != "draaiboek resume proef"
    again = subprocess.run(
        ["/bin/sh", "-c", hint],
        input="",
        capture_output=True,
        text=True,
        env=_env(tmp_path, path),
        cwd=work,
        timeout=60,
    )
    assert again.returncode == 1, again.stdout + again.stderr  # resumed, then the input ended
    assert _events(tmp_path, "proef")[-2:] == ["resumed", "paused"]
    assert _hint(again.stdout) == hint  # and says the same again
