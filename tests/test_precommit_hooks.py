"""The pre-commit hooks in a repository as authors have them: a .pre-commit-config.yaml, a CI
workflow, and runbooks that call each other, run by the real `pre-commit` (tools venv).

The hooks are the ones in .pre-commit-hooks.yaml, each key as written, except that they run the
draaiboek of this test run (`language: unsupported`, pre-commit's name for a command that is
there already): with `language: python` pre-commit would install draaiboek and its dependencies
from the package index into an environment of its own, which a test should not need.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
VALID = REPO / "tests" / "corpus" / "valid"
HOOKS: list[dict[str, Any]] = yaml.safe_load(
    (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
)
DRAAIBOEK = Path(sys.executable).parent / (
    "draaiboek.exe" if sys.platform == "win32" else "draaiboek"
)
WORKFLOW = """name: ci
on: [push]
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: draaiboek validate --format github
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _local_hooks() -> list[dict[str, Any]]:
    hooks = []
    for hook in HOOKS:
        local = {**hook, "language": "unsupported"}
        command = hook["entry"].split()
        assert command[0] == "draaiboek"
        local["entry"] = " ".join([str(DRAAIBOEK), *command[1:]])
        hooks.append(local)
    return hooks


def _repository(tmp_path: Path, hook_id: str) -> Path:
    repo = tmp_path / "repo"
    (repo / "procedures").mkdir(parents=True)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    # Two runbooks, one calling the other, and the contacts they name, in a folder that is not
    # ./runbooks: references resolve beside the files, whatever the folder is called.
    for name in ("every-step-type.yaml", "sub-procedure.yaml", "contacts.yaml"):
        shutil.copy(VALID / name, repo / "procedures" / name)
    hooks = [hook for hook in _local_hooks() if hook["id"] == hook_id]
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    return repo


def _pre_commit(tools: Path, repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DRAAIBOEK_", "GIT_"))},
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [str(tools / "pre-commit"), "run", "--color", "never", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_hooks_are_the_two_the_readme_names() -> None:
    assert [hook["id"] for hook in HOOKS] == ["draaiboek-validate", "draaiboek-validate-strict"]
    for hook in HOOKS:
        assert hook["types"] == ["yaml"] and hook["require_serial"] is True
        assert "--only-draaiboek" in hook["entry"].split()
    assert "--strict" not in HOOKS[0]["entry"].split()
    assert "--strict" in HOOKS[1]["entry"].split()


@pytest.mark.parametrize("hook_id", ["draaiboek-validate", "draaiboek-validate-strict"])
def test_the_hook_passes_a_repository_of_runbooks_and_other_yaml(
    tools: Path, tmp_path: Path, hook_id: str
) -> None:
    repo = _repository(tmp_path, hook_id)
    done = _pre_commit(tools, repo, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout


def test_the_hook_finds_a_misspelt_next_with_its_place(tools: Path, tmp_path: Path) -> None:
    repo = _repository(tmp_path, "draaiboek-validate")
    runbook = repo / "procedures" / "every-step-type.yaml"
    text = runbook.read_text(encoding="utf-8")
    runbook.write_text(text.replace("    next: lijst\n", "    next: ljist\n", 1), encoding="utf-8")
    line = text[: text.index("    next: lijst\n")].count("\n") + 1
    done = _pre_commit(tools, repo, "--all-files")
    assert done.returncode == 1
    assert (
        f"procedures/every-step-type.yaml:{line}:11: error: next names step 'ljist', which does "
        "not exist (did you mean 'lijst'?) [dangling-next]"
    ) in done.stdout


def test_a_commit_of_one_runbook_resolves_the_one_it_calls(tools: Path, tmp_path: Path) -> None:
    # pre-commit hands over only the files a commit touches: the sub-runbook is not among them,
    # and there is no ./runbooks to find it in.
    repo = _repository(tmp_path, "draaiboek-validate-strict")
    done = _pre_commit(tools, repo, "--files", "procedures/every-step-type.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_non_strict_hook_lets_a_warning_through(tools: Path, tmp_path: Path) -> None:
    for hook_id, code in (("draaiboek-validate", 0), ("draaiboek-validate-strict", 1)):
        repo = _repository(tmp_path / hook_id, hook_id)
        runbook = repo / "procedures" / "sub-procedure.yaml"
        text = runbook.read_text(encoding="utf-8")
        runbook.write_text(text.replace("2099-12-31", "2020-01-01"), encoding="utf-8")
        # --verbose: pre-commit shows a passing hook's output only then.
        done = _pre_commit(tools, repo, "--all-files", "--verbose")
        assert done.returncode == code, done.stdout
        assert "review-overdue" in done.stdout


def _git_out(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)


def test_the_readme_names_a_rev_that_has_both_hooks() -> None:
    import re

    if (
        not (REPO / ".git").exists()
        or _git_out("rev-parse", "--is-shallow-repository").stdout.strip() != "false"
    ):
        pytest.skip("not a full git checkout (an sdist, or a shallow clone): no history to look in")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[
        readme.index("- id: draaiboek-validate") - 200 : readme.index("- id: draaiboek-validate")
    ]
    rev = re.search(r"rev: (\S+)", block)
    assert rev is not None, block
    shown = _git_out("show", f"{rev.group(1)}:.pre-commit-hooks.yaml")
    assert shown.returncode == 0, shown.stderr
    ids = [hook["id"] for hook in yaml.safe_load(shown.stdout)]
    assert ids == ["draaiboek-validate", "draaiboek-validate-strict"]
    entry = yaml.safe_load(shown.stdout)[0]["entry"].split()
    # and that commit's validate knows the option its hooks use
    validate = _git_out("show", f"{rev.group(1)}:draaiboek/cli/validate.py")
    assert "--only-draaiboek" in entry and '"--only-draaiboek"' in validate.stdout
