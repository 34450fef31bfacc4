"""What the library does for an author's repository: other YAML passed over on request (never a
runbook that lost its `format:`), and an unreadable contacts registry as one finding."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from draaiboek.load.kinds import looks_like_draaiboek, top_level_keys
from draaiboek.load.library import load_library

VALID = Path(__file__).resolve().parent / "corpus" / "valid"
TODAY = date(2026, 1, 1)

WORKFLOW = """name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""
PRE_COMMIT = """repos:
  - repo: local
    hooks: []
"""
GITLAB = """stages: [build]
start:
  stage: build
  script: [make]
"""
HELM = """apiVersion: v2
name: {{ .Values.name }}
image: {{ .Values.image
"""


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("format: draaiboek/2\nid: x\n", id="a future format"),
        pytest.param('"format": "draaiboek-contacts/1"\n', id="quoted keys"),
        pytest.param("id: x\nstart: begin\nsteps:\n  begin: {}\n", id="runbook without format"),
        pytest.param("start: begin\ntitle: x\n", id="start with a title"),
        pytest.param("steps: [\n", id="a broken runbook"),
        pytest.param("runbook: x\ncases: []\n", id="test without format"),
        pytest.param("runbook: x\nexpectations: []\n", id="scenario without format"),
        pytest.param("format: contacts/1\ncontacts: {}\n", id="registry with a wrong format"),
    ],
)
def test_what_looks_like_a_draaiboek_file(text: str) -> None:
    assert looks_like_draaiboek(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(WORKFLOW, id="github workflow"),
        pytest.param(PRE_COMMIT, id="pre-commit config"),
        pytest.param(GITLAB, id="gitlab job called start"),
        pytest.param(HELM, id="helm template"),
        pytest.param("format: 2\nservices: {}\n", id="someone else's format"),
        pytest.param("contacts:\n  - alice\n", id="contacts alone"),
        pytest.param("# steps: in a comment\n", id="comment"),
    ],
)
def test_what_is_other_yaml(text: str) -> None:
    assert not looks_like_draaiboek(text.encode())


def test_top_level_keys_are_those_at_the_start_of_a_line() -> None:
    assert top_level_keys(WORKFLOW) == {"name", "on", "jobs"}


def _repo(tmp_path: Path) -> Path:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    (tmp_path / ".pre-commit-config.yaml").write_text(PRE_COMMIT, encoding="utf-8")
    (tmp_path / "chart.yaml").write_text(HELM, encoding="utf-8")
    for name in ("every-step-type.yaml", "sub-procedure.yaml", "contacts.yaml"):
        shutil.copy(VALID / name, tmp_path / name)
    return tmp_path


def _files(repo: Path) -> list[Path]:
    return sorted(p for p in repo.rglob("*") if p.suffix in (".yaml", ".yml"))


def test_other_yaml_is_passed_over_only_on_request(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    plain = load_library(_files(repo), today=TODAY)
    assert {f.code for f in plain.errors} == {"unknown-format", "yaml-key"}
    chosen = load_library(_files(repo), today=TODAY, only_draaiboek=True)
    assert chosen.findings == ()
    assert sorted(Path(f).name for f in chosen.skipped) == [
        ".pre-commit-config.yaml",
        "chart.yaml",
        "ci.yml",
    ]
    assert len(chosen.files) == 3 and set(chosen.runbooks) == {"every-step-type", "sub-procedure"}


def test_a_runbook_without_its_format_line_is_still_reported(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    runbook = repo / "every-step-type.yaml"
    runbook.write_text(
        runbook.read_text(encoding="utf-8").replace("format: draaiboek/1\n", ""), encoding="utf-8"
    )
    library = load_library(_files(repo), today=TODAY, only_draaiboek=True)
    assert [(Path(f.file).name, f.code) for f in library.errors] == [
        ("every-step-type.yaml", "unknown-format")
    ]


def test_an_unreadable_registry_is_one_finding_not_one_per_reference(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "contacts.yaml").write_text("format: draaiboek-contacts/1\ncontacts: [\n", "utf-8")
    files = [repo / "every-step-type.yaml", repo / "sub-procedure.yaml", repo / "contacts.yaml"]
    library = load_library(files, today=TODAY)
    assert [(Path(f.file).name, f.code) for f in library.errors] == [
        ("contacts.yaml", "yaml-syntax")
    ]


def test_an_unreadable_registry_beside_the_file_is_named_once(tmp_path: Path) -> None:
    # Only the runbook is validated; the registry beside it is context, reported once because
    # the runbook's references cannot be checked without it.
    repo = _repo(tmp_path)
    (repo / "contacts.yaml").write_text("format: draaiboek-contacts/1\ncontacts: {kpn-noc: 1}\n")
    library = load_library([repo / "every-step-type.yaml"], today=TODAY, context=[repo])
    assert [(Path(f.file).name, f.code) for f in library.errors] == [
        ("contacts.yaml", "wrong-type")
    ]


def test_an_unreadable_registry_does_not_touch_a_runbook_without_contacts(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "contacts.yaml").write_text("format: draaiboek-contacts/1\ncontacts: [\n", "utf-8")
    library = load_library([repo / "sub-procedure.yaml"], today=TODAY, context=[repo])
    assert library.errors == ()
