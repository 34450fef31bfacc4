"""Read a YAML file of any draaiboek kind: bytes -> data with positions -> schema findings.

Never raises for a problem in the file itself: every problem becomes a finding, so that one bad
file never hides the others.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from draaiboek.load.resources import SCHEMA_FILES
from draaiboek.load.schemacheck import schema_findings
from draaiboek.load.textcheck import control_findings
from draaiboek.load.yamlread import MAX_BYTES, Positions, YamlProblem, decode, read_yaml
from draaiboek.model.runbook import Finding, Severity

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Document:
    file: str  # as shown to the user
    format: str
    data: Mapping[str, Any]
    positions: Positions
    raw: bytes
    sha256: str
    schema_valid: bool


def read_document(path: Path, display: str | None = None) -> tuple[Document | None, list[Finding]]:
    """One file to a Document (None when it cannot be read as data) and its findings."""
    shown = display if display is not None else str(path)
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            raise YamlProblem(
                "too-large",
                f"the file is {size / (1024 * 1024):.1f} MiB, over the limit of "
                f"{MAX_BYTES // (1024 * 1024)} MiB: split it",
            )
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        text = decode(raw)
        data, positions = read_yaml(text)
    except YamlProblem as problem:
        return None, [_problem_finding(shown, problem)]
    except OSError as exc:
        return None, [
            Finding(shown, 1, 1, "$", "unreadable", f"cannot read the file: {exc.strerror}")
        ]
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        return None, [
            Finding(
                shown,
                1,
                1,
                "$",
                "not-a-mapping",
                f"the top level is {kind}; it must be a mapping starting with 'format:'",
            )
        ]
    format_name = data.get("format")
    if not isinstance(format_name, str) or format_name not in SCHEMA_FILES:
        line, column = positions.of_value(("format",)) if "format" in data else (1, 1)
        known = ", ".join(SCHEMA_FILES)
        what = f"unknown format {format_name!r}" if "format" in data else "no 'format:' key"
        return None, [
            Finding(
                shown,
                line,
                column,
                "$.format",
                "unknown-format",
                f"{what}: say what the file is with one of {known}",
            )
        ]
    # The text lets a finding quote a value as written (1.10, which YAML reads as 1.1).
    findings = schema_findings(format_name, data, positions, shown, text)
    document = Document(
        file=shown,
        format=format_name,
        data=data,
        positions=positions,
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        schema_valid=not findings,
    )
    # A control character does not make the data unusable (schema_valid): it is an error that
    # stops the runbook from being walked, and a finding like any other.
    findings += control_findings(raw, data, positions, shown)
    return document, findings


def _problem_finding(file: str, problem: YamlProblem) -> Finding:
    return Finding(
        file, problem.line, problem.column, "$", problem.code, problem.message, Severity.ERROR
    )


def files_beside(file: Path) -> list[Path]:
    """The YAML files in the folder of `file`, itself left out, sorted: where a runbook given as
    a file finds its sub-runbooks and contacts, and a test file its runbook."""
    try:
        found = sorted(file.parent.iterdir())
    except OSError:
        return []
    return [p for p in found if p.suffix in YAML_SUFFIXES and p != file and p.is_file()]


def collect_files(paths: list[Path]) -> list[Path]:
    """Files as given, and every YAML file under a folder (hidden ones skipped), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                relative = candidate.relative_to(path).parts
                if any(part.startswith(".") for part in relative):
                    continue
                if candidate.suffix in YAML_SUFFIXES and candidate.is_file():
                    found.append(candidate)
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:  # the same file named twice is read once
        unique.setdefault(path.resolve(), path)
    return list(unique.values())
