"""Findings as text for people, JSON for machines, and GitHub annotations for CI."""

from __future__ import annotations

import json
from collections.abc import Sequence

from draaiboek.model.runbook import Finding, Severity

FORMATS = ("text", "json", "github")


def summary(files: int, findings: Sequence[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors
    noun = "file" if files == 1 else "files"
    if not findings:
        return f"{files} {noun} checked: all valid"
    parts = [f"{errors} error{'s' * (errors != 1)}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return f"{files} {noun} checked: " + ", ".join(parts)


def as_text(files: int, findings: Sequence[Finding]) -> str:
    lines = [
        f"{f.file}:{f.line}:{f.column}: {f.severity.value}: {f.message} [{f.code}]"
        for f in findings
    ]
    lines.append(summary(files, findings))
    return "\n".join(lines) + "\n"


def as_json(files: Sequence[str], findings: Sequence[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    document = {
        "files": list(files),
        "findings": [f.as_dict() for f in findings],
        "errors": errors,
        "warnings": len(findings) - errors,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    # GitHub workflow commands: %, CR and LF must be escaped in the message ...
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # ... and also : and , in property values.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(files: int, findings: Sequence[Finding]) -> str:
    lines = []
    for f in findings:
        level = "error" if f.severity is Severity.ERROR else "warning"
        props = (
            f"file={_escape_property(f.file)},line={f.line},col={f.column},"
            f"title={_escape_property(f.code)}"
        )
        lines.append(f"::{level} {props}::{_escape_data(f.message)}")
    lines.append(summary(files, findings))
    return "\n".join(lines) + "\n"
