"""The corpus: every invalid file yields exactly the finding its header promises; valid ones none.

Each file in tests/corpus/invalid starts with one or more lines

    # expect: <code> <line>:<column> [warning]

(severity `error` unless it says `warning`), or `# expect: nothing` for a file that is only there
so that another one can clash with it. A file directly in tests/corpus/invalid is validated on its
own; a sub-folder is validated as a whole (for problems between files: duplicate ids, duplicate
contacts, sub-runbooks calling each other). tests/corpus/valid is the context (`--runbooks`), so
that references to its sub-procedure and contacts resolve.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from draaiboek.load.library import load_library

if TYPE_CHECKING:
    from click.testing import Result

RunCli = Callable[[list[str]], "Result"]

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
VALID = TESTS / "corpus" / "valid"
INVALID = TESTS / "corpus" / "invalid"
SHIPPED = REPO / "runbooks"

_EXPECT = re.compile(
    r"# expect: (?P<code>[a-z0-9-]+) (?P<line>\d+):(?P<column>\d+)(?: (?P<severity>error|warning))?"
)
_NOTHING = "# expect: nothing"

# Every finding code the issue asks the corpus to cover.
REQUIRED_CODES = {
    "dangling-next",
    "dangling-start",
    "dangling-until",
    "unreachable-step",
    "no-way-out",
    "duplicate-option",
    "duplicate-item",
    "unknown-role",
    "unknown-source",
    "unknown-contact",
    "unknown-runbook",
    "runbook-cycle",
    "missing-language",
    "review-overdue",
    "missing-role",
    "bad-value-schema",
    "duplicate-id",
    "duplicate-contact",
    "missing-key",
    "unknown-key",
    "wrong-type",
    "bad-value",
    "bad-format",
    "too-few",
    "duplicate-key",
    "yaml-syntax",
    "yaml-tag",
    "several-documents",
    "empty",
    "not-a-mapping",
    "unknown-format",
    "control-character",
}


@dataclass(frozen=True)
class Expected:
    file: Path
    code: str
    line: int
    column: int
    severity: str

    @property
    def key(self) -> tuple[str, str, int, int, str]:
        return (str(self.file), self.code, self.line, self.column, self.severity)


def expectations(file: Path) -> list[Expected]:
    """The `# expect:` lines at the top of a corpus file."""
    found: list[Expected] = []
    lines = file.read_text(encoding="utf-8").splitlines()
    assert lines, f"{file} has no '# expect:' header"
    for line in lines:
        if line == _NOTHING:
            continue
        match = _EXPECT.fullmatch(line)
        if match is None:
            break
        found.append(
            Expected(
                file,
                match["code"],
                int(match["line"]),
                int(match["column"]),
                match["severity"] or "error",
            )
        )
    assert found or lines[0] == _NOTHING, f"{file} must start with '# expect: <code> <l>:<c>'"
    return found


def _entries() -> list[Path]:
    return [e for e in sorted(INVALID.iterdir()) if e.is_dir() or e.suffix == ".yaml"]


def _params() -> list[Any]:
    return [pytest.param(entry, id=entry.name) for entry in _entries()]


def _expected_for(entry: Path) -> list[Expected]:
    files = sorted(entry.glob("*.yaml")) if entry.is_dir() else [entry]
    assert files, f"{entry} holds no YAML file"
    return [expected for file in files for expected in expectations(file)]


def _validate(run_cli: RunCli, entry: Path, *extra: str) -> tuple[Result, dict[str, Any]]:
    result = run_cli(["validate", str(entry), "--format", "json", "--runbooks", str(VALID), *extra])
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return result, report


def _found(report: dict[str, Any]) -> list[tuple[str, str, int, int, str]]:
    return [
        (f["file"], f["code"], f["line"], f["column"], f["severity"]) for f in report["findings"]
    ]


def test_the_corpus_covers_every_code() -> None:
    codes = {expected.code for entry in _entries() for expected in _expected_for(entry)}
    assert codes >= REQUIRED_CODES, f"no corpus file for {sorted(REQUIRED_CODES - codes)}"


@pytest.mark.parametrize("entry", _params())
def test_invalid_file_yields_its_finding(run_cli: RunCli, entry: Path) -> None:
    expected = _expected_for(entry)
    result, report = _validate(run_cli, entry)
    found = _found(report)
    for item in expected:
        assert item.key in found, f"expected {item.key}, got {found}"
    assert result.exit_code == (1 if any(e.severity == "error" for e in expected) else 0)
    for finding in report["findings"]:
        assert "\n" not in finding["message"] and finding["message"]


@pytest.mark.parametrize("entry", _params())
def test_invalid_file_yields_nothing_else(run_cli: RunCli, entry: Path) -> None:
    _, report = _validate(run_cli, entry)
    assert Counter(_found(report)) == Counter(e.key for e in _expected_for(entry))


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(entry, id=entry.name)
        for entry in _entries()
        if any(e.severity == "warning" for e in _expected_for(entry))
    ],
)
def test_strict_turns_a_warning_into_an_error(run_cli: RunCli, entry: Path) -> None:
    result, report = _validate(run_cli, entry, "--strict")
    found = _found(report)
    for item in _expected_for(entry):
        assert (str(item.file), item.code, item.line, item.column, "error") in found
    assert result.exit_code == 1
    assert report["errors"] >= 1 and report["warnings"] == 0


def test_the_library_agrees_with_the_command_line() -> None:
    # The same expectations through load_library instead of the command line.
    entries = _entries()
    found: list[tuple[str, str, int, int, str]] = []
    for entry in entries:
        library = load_library([entry], today=date.today(), context=[VALID])
        found.extend((f.file, f.code, f.line, f.column, f.severity.value) for f in library.findings)
    assert Counter(found) == Counter(e.key for entry in entries for e in _expected_for(entry))


@pytest.mark.parametrize(
    "file", [pytest.param(file, id=file.name) for file in sorted(VALID.glob("*.yaml"))]
)
def test_valid_file_has_no_findings(run_cli: RunCli, file: Path) -> None:
    result, report = _validate(run_cli, file, "--strict")
    assert report["findings"] == [], report["findings"]
    assert report["files"] == [str(file)]
    assert result.exit_code == 0


def test_valid_folder_has_no_findings(run_cli: RunCli) -> None:
    result, report = _validate(run_cli, VALID, "--strict")
    assert report["findings"] == []
    assert len(report["files"]) == len(list(VALID.glob("*.yaml")))
    assert result.exit_code == 0


def test_valid_corpus_uses_every_step_type() -> None:
    text = (VALID / "every-step-type.yaml").read_text(encoding="utf-8")
    for step_type in ("decision", "action", "checklist", "input", "runbook", "end"):
        assert re.search(rf"^\s+type: {step_type}$", text, re.MULTILINE), step_type


def test_shipped_runbooks_validate_strictly(run_cli: RunCli) -> None:
    files = sorted(p for p in SHIPPED.rglob("*") if p.suffix in (".yaml", ".yml"))
    if not files:
        pytest.skip("runbooks/ holds no runbook yet")
    # The shipped set must stand on its own: it is its own context, nothing from the corpus.
    result = run_cli(
        ["validate", str(SHIPPED), "--format", "json", "--strict", "--runbooks", str(SHIPPED)]
    )
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert report["findings"] == [], "\n".join(
        f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['code']}]"
        for f in report["findings"]
    )
    assert report["files"] == [str(file) for file in files]
    assert result.exit_code == 0
