"""Findings as text for people, JSON for machines, and GitHub annotations for CI; and the
names files are shown by."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from draaiboek.model.runbook import Finding, Severity

FORMATS = ("text", "json", "github")


def display_names(
    files: Sequence[Path],
    *,
    given: bool,
    github: bool,
    env: Mapping[str, str] = os.environ,
    cwd: Path | None = None,
) -> dict[Path, str]:
    """How each file is named in what validate prints.

    GitHub places an annotation only on a path relative to the repository: for `github`, every
    file under GITHUB_WORKSPACE (else the current folder) is named relative to it, with `/`.
    Otherwise a path the user gave (`given`) is shown as given, and the runbooks folder taken
    by default relative to the current folder when it lies inside it.
    """
    here = Path(os.path.abspath(cwd or Path.cwd()))
    base = Path(os.path.abspath(env.get("GITHUB_WORKSPACE") or here)) if github else here
    names = {}
    for file in files:
        name = str(file)
        if github or not given:
            try:
                inside = Path(os.path.abspath(file)).relative_to(base)
            except ValueError:  # outside: the path as it is
                inside = None
            if inside is not None:
                name = inside.as_posix() if github else str(inside)
        names[file] = name
    return names


def summary(files: int, findings: Sequence[Finding], skipped: int = 0) -> str:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors
    noun = "file" if files == 1 else "files"
    passed = f" ({skipped} other YAML file{'s' * (skipped != 1)} passed over)" if skipped else ""
    if not findings:
        return f"{files} {noun} checked{passed}: all valid"
    parts = [f"{errors} error{'s' * (errors != 1)}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return f"{files} {noun} checked{passed}: " + ", ".join(parts)


def as_text(files: int, findings: Sequence[Finding], skipped: int = 0) -> str:
    lines = [
        f"{f.file}:{f.line}:{f.column}: {f.severity.value}: {f.message} [{f.code}]"
        for f in findings
    ]
    lines.append(summary(files, findings, skipped))
    return "\n".join(lines) + "\n"


def as_json(files: Sequence[str], findings: Sequence[Finding], skipped: Sequence[str] = ()) -> str:
    """Fixed keys: files, findings, errors, warnings, skipped (other YAML passed over)."""
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    document = {
        "files": list(files),
        "findings": [f.as_dict() for f in findings],
        "errors": errors,
        "warnings": len(findings) - errors,
        "skipped": list(skipped),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    # GitHub workflow commands: %, CR and LF must be escaped in the message ...
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # ... and also : and , in property values.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(files: int, findings: Sequence[Finding], skipped: int = 0) -> str:
    lines = []
    for f in findings:
        level = "error" if f.severity is Severity.ERROR else "warning"
        props = (
            f"file={_escape_property(f.file)},line={f.line},col={f.column},"
            f"title={_escape_property(f.code)}"
        )
        lines.append(f"::{level} {props}::{_escape_data(f.message)}")
    lines.append(summary(files, findings, skipped))
    return "\n".join(lines) + "\n"
