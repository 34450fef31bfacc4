"""The author's commands on the command line: init, schema, validate in a repository (paths as
given, other YAML passed over on request), test as JSON and JUnit, runbooks as JSON, and shell
completion and help that show what an option takes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from draaiboek.services.schemafiles import schema_text

if TYPE_CHECKING:
    from click.testing import Result

RunCli = Callable[[list[str]], "Result"]
REPO = Path(__file__).resolve().parent.parent
VALID = REPO / "tests" / "corpus" / "valid"
SCRIPT = Path(sys.executable).parent / ("draaiboek.exe" if sys.platform == "win32" else "draaiboek")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh folder as the current one, as an author's repository."""
    folder = tmp_path / "repo"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


# --- init, and what follows ---------------------------------------------------------------------


def test_init_then_validate_then_test_passes(run_cli: RunCli, here: Path) -> None:
    made = run_cli(["--lang", "en", "init", "x"])
    assert made.exit_code == 0, made.output
    assert made.stdout.splitlines()[-1] == "Next: draaiboek validate && draaiboek test"
    assert "written   runbooks/x.yaml" in made.stdout
    checked = run_cli(["validate", "--strict"])
    assert checked.exit_code == 0, checked.output
    # Without a path, the runbooks folder is named relative to the current one.
    assert checked.stdout == "3 files checked: all valid\n"
    tested = run_cli(["test", "--min-coverage", "100"])
    assert tested.exit_code == 0, tested.output
    assert tested.stdout.splitlines()[-1] == "2 passed, 0 failed"


def test_init_twice_is_refused_and_a_bad_id_is_a_usage_error(run_cli: RunCli, here: Path) -> None:
    assert run_cli(["init", "x"]).exit_code == 0
    again = run_cli(["--lang", "en", "init", "x"])
    assert again.exit_code == 1
    assert again.stderr.startswith("draaiboek: runbooks/x.yaml already exists")
    bad = run_cli(["init", "Storing X"])
    assert bad.exit_code == 2 and "is not a runbook id" in bad.stderr


def test_schema_prints_one_and_writes_all(run_cli: RunCli, here: Path) -> None:
    printed = run_cli(["schema", "contacts"])
    assert printed.exit_code == 0 and printed.stdout == schema_text("contacts")
    written = run_cli(["schema", "--write", "schemas", "--lang", "en"])
    assert written.exit_code == 0
    assert sorted(p.name for p in (here / "schemas").iterdir()) == [
        "contacts.schema.json",
        "runbook.schema.json",
        "scenario.schema.json",
        "test.schema.json",
    ]
    again = run_cli(["schema", "--write", "schemas", "--lang", "en"])
    assert again.stdout.count("unchanged") == 4
    wrong = run_cli(["schema", "runbok", "--lang", "en"])
    assert wrong.exit_code == 2 and "choose runbook, contacts, test or scenario" in wrong.stderr


# --- validate in a repository -------------------------------------------------------------------


def _repository(here: Path) -> None:
    (here / "runbooks").mkdir()
    for name in ("every-step-type.yaml", "sub-procedure.yaml", "contacts.yaml"):
        (here / "runbooks" / name).write_bytes((VALID / name).read_bytes())
    (here / ".github" / "workflows").mkdir(parents=True)
    (here / ".github" / "workflows" / "ci.yml").write_text(
        "on: [push]\njobs: {}\n", encoding="utf-8"
    )


def test_only_draaiboek_passes_over_other_yaml(run_cli: RunCli, here: Path) -> None:
    _repository(here)
    files = [".github/workflows/ci.yml", "runbooks/every-step-type.yaml"]
    plain = run_cli(["validate", *files])
    assert plain.exit_code == 1 and "[unknown-format]" in plain.stdout
    chosen = run_cli(["validate", "--only-draaiboek", *files])
    assert chosen.exit_code == 0, chosen.output
    assert chosen.stdout == "1 file checked (1 other YAML file passed over): all valid\n"
    report = json.loads(run_cli(["validate", "--only-draaiboek", "-f", "json", *files]).stdout)
    assert report["skipped"] == [".github/workflows/ci.yml"]
    assert report["files"] == ["runbooks/every-step-type.yaml"]


def test_paths_are_shown_as_given_or_relative(run_cli: RunCli, here: Path) -> None:
    _repository(here)
    runbook = here / "runbooks" / "sub-procedure.yaml"
    runbook.write_text(runbook.read_text(encoding="utf-8") + "nxet: x\n", encoding="utf-8")
    default = run_cli(["validate"])  # the runbooks folder: relative to the current folder
    assert f"\n{Path('runbooks', 'sub-procedure.yaml')}:24:1: error: " in default.stdout
    given = run_cli(["validate", str(runbook)])  # as given: absolute stays absolute
    assert given.stdout.startswith(f"{runbook}:24:1: error: ")
    github = run_cli(["validate", str(runbook), "--format", "github"])
    assert github.stdout.startswith("::error file=runbooks/sub-procedure.yaml,line=24,col=1,")


def test_github_paths_are_relative_to_the_workspace(
    run_cli: RunCli, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _repository(here)
    runbook = here / "runbooks" / "sub-procedure.yaml"
    runbook.write_text(runbook.read_text(encoding="utf-8") + "nxet: x\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(here))
    monkeypatch.chdir(here / "runbooks")
    github = run_cli(["validate", "sub-procedure.yaml", "--format", "github"])
    assert github.stdout.startswith("::error file=runbooks/sub-procedure.yaml,line=")


# --- test and runbooks for machines -------------------------------------------------------------


def test_test_writes_json_and_junit(run_cli: RunCli, here: Path) -> None:
    assert run_cli(["init", "x"]).exit_code == 0
    result = run_cli(["test", "--format", "json", "--junit", "report.xml"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and (report["passed"], report["failed"]) == (2, 0)
    assert [f["file"] for f in report["files"]] == [str(Path("runbooks", "tests", "x.test.yaml"))]
    junit = ElementTree.parse(here / "report.xml").getroot()
    assert (junit.tag, junit.get("tests"), junit.get("failures")) == ("testsuites", "3", "0")


def test_test_cannot_write_its_junit_report(run_cli: RunCli, here: Path) -> None:
    assert run_cli(["init", "x"]).exit_code == 0
    result = run_cli(["test", "--junit", str(here / "no" / "such" / "report.xml")])
    assert result.exit_code == 1 and result.stderr.startswith("draaiboek: ")
    assert "Traceback" not in result.output


def test_runbooks_as_json(run_cli: RunCli, here: Path) -> None:
    assert run_cli(["init", "x"]).exit_code == 0
    result = run_cli(["runbooks", "--format", "json", "--lang", "en"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report == {
        "runbooks": [
            {
                "id": "x",
                "version": "0.1.0",
                "status": "draft",
                "title": "New runbook x",
                "languages": ["nl", "en"],
                "file": str(Path("runbooks", "x.yaml")),
            }
        ],
        "invalid_files": [],
    }


# --- help and completion ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["validate", "--help"], "[text|json|github]"),
        (["test", "--help"], "[text|json]"),
        (["runbooks", "--help"], "[text|json]"),
        (["graph", "--help"], "[mermaid|dot]"),
        (["--help"], "[nl|en]"),
        (["--help"], "--install-completion"),
    ],
)
def test_help_shows_the_choices(run_cli: RunCli, args: list[str], shown: str) -> None:
    result = run_cli(["--lang", "en", *args])
    assert result.exit_code == 0
    assert shown in result.stdout


def test_every_format_option_shows_its_choices() -> None:
    import click
    import typer.main

    import draaiboek.cli.main  # noqa: F401  (registers the commands)
    from draaiboek.cli.app import app
    from draaiboek.cli.completion import attach, format_choices
    from draaiboek.cli.helptext import commands

    root = typer.main.get_command(app)
    assert isinstance(root, click.Group)
    attach(root)
    with_format = {
        path[-1]: param
        for path, command in commands(root)
        for param in command.params
        if param.name == "output_format"
    }
    assert set(with_format) <= set(format_choices())
    for name, param in with_format.items():
        assert param.metavar == "[" + "|".join(format_choices()[name]) + "]", name


def test_a_mistyped_command_gets_one_suggestion(run_cli: RunCli) -> None:
    result = run_cli(["valdate"])
    assert result.exit_code == 2
    assert result.output.count("'validate'") == 1


def _complete(words: str, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [str(SCRIPT)],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DRAAIBOEK_")},
            **env,
            "_DRAAIBOEK_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(not SCRIPT.exists(), reason="no draaiboek console script beside this Python")
def test_completion_of_ids_and_option_values(tmp_path: Path) -> None:
    runbooks = tmp_path / "runbooks"
    runbooks.mkdir()
    for name in ("every-step-type.yaml", "sub-procedure.yaml", "contacts.yaml"):
        (runbooks / name).write_bytes((VALID / name).read_bytes())
    (runbooks / "scenarios").mkdir()
    scenario = REPO / "tests" / "corpus" / "scenarios" / "alles-werkt.yaml"
    (runbooks / "scenarios" / scenario.name).write_bytes(scenario.read_bytes())
    home = tmp_path / "home"
    (home / "incidents" / "20260101-1200-sub-procedure-ab12").mkdir(parents=True)
    env = {"DRAAIBOEK_RUNBOOKS": str(runbooks), "DRAAIBOEK_HOME": str(home)}
    assert _complete("draaiboek start ", env) == ["every-step-type", "sub-procedure"]
    assert _complete("draaiboek graph sub", env) == ["sub-procedure"]
    assert _complete("draaiboek resume ab1", env) == ["20260101-1200-sub-procedure-ab12"]
    assert _complete("draaiboek validate --format g", env) == ["github"]
    assert _complete("draaiboek start --lang ", env) == ["nl", "en"]
    assert _complete("draaiboek exercise ", env) == ["alles-werkt"]
