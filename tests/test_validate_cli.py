"""`validate` and `runbooks` on the command line: output, exit codes, crashes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from draaiboek import __version__

if TYPE_CHECKING:
    from click.testing import Result

RunCli = Callable[[list[str]], "Result"]

REPO = Path(__file__).resolve().parent.parent
VALID = REPO / "tests" / "corpus" / "valid"
INVALID = REPO / "tests" / "corpus" / "invalid"
DANGLING = INVALID / "dangling-next-step.yaml"  # dangling-next at 17:11, unreachable-step 18:3
SYNTAX = INVALID / "yaml-syntax.yaml"  # yaml-syntax at 8:6
WARNING_ONLY = INVALID / "missing-role.yaml"  # missing-role (a warning) at 12:3
FINDING_KEYS = ["file", "line", "column", "path", "code", "severity", "message"]
DANGLING_MESSAGE = "next names step 'eidne', which does not exist (did you mean 'einde'?)"
UNREACHABLE_MESSAGE = (
    "step 'einde' cannot be reached from start 'begin': lead to it from another step or remove it"
)


def _json(result: Result) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(result.stdout)
    return report


# --- output formats ----------------------------------------------------------------------------


def test_text_output(run_cli: RunCli) -> None:
    result = run_cli(["validate", str(DANGLING), "--runbooks", str(VALID)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{DANGLING}:17:11: error: {DANGLING_MESSAGE} [dangling-next]",
        f"{DANGLING}:18:3: error: {UNREACHABLE_MESSAGE} [unreachable-step]",
        "1 file checked: 2 errors",
    ]
    assert result.stderr == ""


def test_json_output(run_cli: RunCli) -> None:
    result = run_cli(["validate", str(DANGLING), "--format", "json", "--runbooks", str(VALID)])
    assert result.exit_code == 1
    report = _json(result)
    assert list(report) == ["files", "findings", "errors", "warnings", "skipped"]
    assert report["files"] == [str(DANGLING)]
    assert (report["errors"], report["warnings"]) == (2, 0)
    for finding in report["findings"]:
        assert list(finding) == FINDING_KEYS
    assert report["findings"][0] == {
        "file": str(DANGLING),
        "line": 17,
        "column": 11,
        "path": "$.steps.begin.next",
        "code": "dangling-next",
        "severity": "error",
        "message": DANGLING_MESSAGE,
    }
    assert report["findings"][1]["path"] == "$.steps.einde"


def test_json_output_of_a_valid_set(run_cli: RunCli) -> None:
    result = run_cli(["validate", str(VALID), "-f", "json", "--runbooks", str(VALID)])
    assert result.exit_code == 0
    report = _json(result)
    assert report == {
        "files": [str(p) for p in sorted(VALID.glob("*.yaml"))],
        "findings": [],
        "errors": 0,
        "warnings": 0,
        "skipped": [],
    }


def test_github_output(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    # GitHub places an annotation only on a path relative to the repository (the workspace).
    monkeypatch.setenv("GITHUB_WORKSPACE", str(REPO))
    dangling, warning_only = (p.relative_to(REPO).as_posix() for p in (DANGLING, WARNING_ONLY))
    result = run_cli(
        [
            "validate",
            str(DANGLING),
            str(WARNING_ONLY),
            "--format",
            "github",
            "--runbooks",
            str(VALID),
        ]
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"::error file={dangling},line=17,col=11,title=dangling-next::{DANGLING_MESSAGE}",
        f"::error file={dangling},line=18,col=3,title=unreachable-step::{UNREACHABLE_MESSAGE}",
        f"::warning file={warning_only},line=12,col=3,title=missing-role::"
        "step 'begin' names no responsible role",
        "2 files checked: 2 errors, 1 warning",
    ]


def test_github_output_escapes_properties(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "slecht,bestand.yaml"
    path.write_text("", encoding="utf-8")
    result = run_cli(["validate", str(path), "--format", "github"])
    escaped = str(path).replace(",", "%2C")
    assert result.stdout.splitlines()[0] == (
        f"::error file={escaped},line=1,col=1,title=empty::"
        "the file is empty: it needs at least a 'format:' key"
    )


@pytest.mark.parametrize(
    ("paths", "summary"),
    [
        ([VALID / "sub-procedure.yaml"], "1 file checked: all valid"),
        ([VALID], "3 files checked: all valid"),
        ([SYNTAX], "1 file checked: 1 error"),
        ([DANGLING, SYNTAX], "2 files checked: 3 errors"),
        ([WARNING_ONLY], "1 file checked: 0 errors, 1 warning"),
        ([WARNING_ONLY, INVALID / "review-overdue.yaml"], "2 files checked: 0 errors, 2 warnings"),
    ],
)
def test_summary_line(run_cli: RunCli, paths: list[Path], summary: str) -> None:
    result = run_cli(["validate", *map(str, paths), "--runbooks", str(VALID)])
    assert result.stdout.splitlines()[-1] == summary


# --- strictness, exit codes ----------------------------------------------------------------------


def test_warning_alone_passes(run_cli: RunCli) -> None:
    result = run_cli(["validate", str(WARNING_ONLY), "--format", "json", "--runbooks", str(VALID)])
    assert result.exit_code == 0
    [finding] = _json(result)["findings"]
    assert (finding["code"], finding["severity"]) == ("missing-role", "warning")


def test_strict_turns_a_warning_into_exit_1(run_cli: RunCli) -> None:
    result = run_cli(
        ["validate", "--strict", str(WARNING_ONLY), "--format", "json", "--runbooks", str(VALID)]
    )
    assert result.exit_code == 1
    report = _json(result)
    [finding] = report["findings"]
    assert (finding["code"], finding["severity"]) == ("missing-role", "error")
    assert (report["errors"], report["warnings"]) == (1, 0)


def test_every_file_is_checked_after_a_failing_one(run_cli: RunCli) -> None:
    good = VALID / "sub-procedure.yaml"
    result = run_cli(
        [
            "validate",
            str(SYNTAX),
            str(good),
            str(DANGLING),
            "--format",
            "json",
            "--runbooks",
            str(VALID),
        ]
    )
    assert result.exit_code == 1
    report = _json(result)
    assert report["files"] == [str(SYNTAX), str(good), str(DANGLING)]
    assert {(f["file"], f["code"]) for f in report["findings"]} == {
        (str(SYNTAX), "yaml-syntax"),
        (str(DANGLING), "dangling-next"),
        (str(DANGLING), "unreachable-step"),
    }


def test_a_file_named_twice_is_checked_once(run_cli: RunCli) -> None:
    result = run_cli(["validate", str(SYNTAX), str(SYNTAX), "--format", "json"])
    assert _json(result)["files"] == [str(SYNTAX)]


def test_without_paths_the_runbooks_folder_is_checked(run_cli: RunCli) -> None:
    result = run_cli(["validate", "--runbooks", str(VALID)])
    assert result.exit_code == 0
    assert result.stdout == "3 files checked: all valid\n"


def test_runbooks_folder_from_the_environment(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from draaiboek.cli.app import app

    env = {
        "DRAAIBOEK_RUNBOOKS": str(INVALID / "duplicate-id"),
        "COLUMNS": "100",
        "DRAAIBOEK_HOME": str(tmp_path),
    }
    result = CliRunner().invoke(app, ["validate"], env=env)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "2 files checked: 1 error"


@pytest.mark.parametrize(
    ("args", "stderr_part"),
    [
        (["--lang", "en", "validate", "/nonexistent/draaiboek.yaml"], "does not exist"),
        (["--lang", "en", "validate", str(VALID), "--format", "xml"], "unknown format 'xml'"),
        (
            ["--lang", "en", "validate", str(VALID), "--runbooks", "/nonexistent/folder"],
            "does not exist",
        ),
        (["validate", "--bogus"], "--bogus"),
        (["frobnicate"], "frobnicate"),
        (
            ["--lang", "en", "runbooks", "--runbooks", str(VALID), "--lang", "fr"],
            "unknown language 'fr'",
        ),
    ],
    ids=[
        "missing-path",
        "unknown-format",
        "missing-runbooks",
        "unknown-option",
        "unknown-command",
        "unknown-language",
    ],
)
def test_usage_errors_exit_2(run_cli: RunCli, args: list[str], stderr_part: str) -> None:
    result = run_cli(args)
    assert result.exit_code == 2, result.output
    assert stderr_part in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_version(run_cli: RunCli) -> None:
    result = run_cli(["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"draaiboek {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


# --- runbooks ------------------------------------------------------------------------------------


def test_runbooks_lists_id_version_status_title(run_cli: RunCli) -> None:
    result = run_cli(["runbooks", "--runbooks", str(VALID), "--lang", "en"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "every-step-type  1.2.0  approved  Example with every step type",
        "sub-procedure    0.1.0  approved  Sub-procedure",
    ]


def test_runbooks_in_dutch_by_default(run_cli: RunCli) -> None:
    result = run_cli(["runbooks", "--runbooks", str(VALID)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "every-step-type  1.2.0  approved  Voorbeeld met elk staptype",
        "sub-procedure    0.1.0  approved  Subprocedure",
    ]


def test_runbooks_in_an_empty_folder(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli(["runbooks", "--runbooks", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 0
    assert result.stdout == f"No runbooks found in {tmp_path}.\n"


def test_runbooks_mentions_files_with_errors(run_cli: RunCli) -> None:
    result = run_cli(["runbooks", "--runbooks", str(INVALID / "duplicate-id"), "--lang", "en"])
    assert result.stdout.splitlines() == ["dubbel  1.0.0  draft  Eerste draaiboek met deze id"]
    assert result.stderr == "1 file(s) with errors: run 'draaiboek validate' for details.\n"


# --- main(): interrupts and crashes ------------------------------------------------------------


def test_main_returns_130_on_ctrl_c(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import draaiboek.load.library
    from draaiboek.cli.main import main

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setenv("DRAAIBOEK_HOME", str(tmp_path))
    monkeypatch.setattr(draaiboek.load.library, "load_library", interrupted)
    assert main(["validate", str(VALID), "--runbooks", str(VALID)]) == 130
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "internal error" not in captured.err
    assert list(tmp_path.iterdir()) == []  # an interrupt is no crash: no note


def test_main_returns_3_and_writes_a_crash_note(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import draaiboek.load.library
    from draaiboek.cli.main import main

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("de lader is stuk")

    monkeypatch.setenv("DRAAIBOEK_HOME", str(tmp_path))
    monkeypatch.setattr(draaiboek.load.library, "load_library", broken)
    assert main(["--lang", "en", "validate", str(VALID), "--runbooks", str(VALID)]) == 3
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert "internal error (RuntimeError: de lader is stuk)" in lines[0]
    assert "Traceback" not in captured.err + captured.out
    [note] = tmp_path.glob("crash-*.txt")
    assert str(note) in lines[0]
    text = note.read_text(encoding="utf-8")
    assert text.startswith(f"draaiboek {__version__}\n")
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: de lader is stuk" in text
    assert "def broken" not in text and "in broken" in text


def test_main_exit_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from draaiboek.cli.main import main

    monkeypatch.setenv("DRAAIBOEK_HOME", str(tmp_path))
    assert main(["validate", str(VALID), "--runbooks", str(VALID)]) == 0
    assert main(["validate", str(DANGLING), "--runbooks", str(VALID)]) == 1
    assert main(["validate", "--bogus"]) == 2
    assert main(["validate", str(tmp_path / "weg.yaml")]) == 2
    assert main(["--version"]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert list(tmp_path.iterdir()) == []


def test_python_dash_m_validate() -> None:
    relative = DANGLING.relative_to(REPO)
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    env.pop("DRAAIBOEK_RUNBOOKS", None)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "draaiboek",
            "validate",
            str(relative),
            "--runbooks",
            str(VALID.relative_to(REPO)),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0] == f"{relative}:17:11: error: {DANGLING_MESSAGE} [dangling-next]"
    assert lines[-1] == "1 file checked: 2 errors"
    assert completed.stderr == ""


# --- the commands are documented ---------------------------------------------------------------


def _commands() -> dict[str, str]:
    import typer.core
    import typer.main

    import draaiboek.cli.main  # noqa: F401  (registers the commands)
    from draaiboek.cli.app import app
    from draaiboek.cli.helptext import localize

    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    localize(group, "en")  # help texts come from the catalogue, as when --help is asked for
    return {name: command.help or "" for name, command in group.commands.items()}


def test_validate_and_runbooks_are_registered() -> None:
    assert {"validate", "runbooks"} <= set(_commands())


@pytest.mark.parametrize("name", sorted(_commands()))
def test_command_has_help_and_readme_entry(run_cli: RunCli, name: str) -> None:
    assert _commands()[name].strip(), f"command {name!r} has no help text"
    result = run_cli([name, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"draaiboek {name}" in readme, f"README.md does not document 'draaiboek {name}'"
