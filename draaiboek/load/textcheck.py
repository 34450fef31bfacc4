"""Control characters in parsed values: one `control-character` finding each, at its value.

The file itself cannot hold a raw control character (`yamlread.decode` and the YAML reader
refuse them), but a double-quoted YAML string can write one as an escape ("\\e[31m", "\\x1b",
"\\0", "\\u009b"): such a value is refused here, with the line and column of the value, so that
no runbook, contacts registry, test or scenario text can reach a terminal as an escape sequence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from draaiboek.load.schemacheck import json_path
from draaiboek.load.yamlread import Path, Positions
from draaiboek.model.runbook import Finding
from draaiboek.model.text import CONTROL, describe_control


def control_findings(raw: bytes, data: Any, positions: Positions, file: str) -> list[Finding]:
    """A finding for every key and string value in `data` that holds a control character (C0
    but tab and newline, DEL, C1); `raw` is the file's bytes: without a backslash no YAML escape
    can have written one, and nothing is walked."""
    if b"\\" not in raw:
        return []
    findings = []
    for path, text, is_key in _strings(data, ()):
        if CONTROL.search(text) is None:
            continue
        line, column = positions.of_key(path) if is_key else positions.of_value(path)
        what = "key" if is_key else "text"
        findings.append(
            Finding(
                file,
                line,
                column,
                json_path(path),
                "control-character",
                f"this {what} holds a control character ({describe_control(text)}), written as "
                "an escape: it would reach a terminal as a command, not as text; remove it",
            )
        )
    return findings


def _strings(data: Any, path: Path) -> Iterator[tuple[Path, str, bool]]:
    """Every string in `data` with its path, and whether it is a mapping key."""
    if isinstance(data, str):
        yield path, data, False
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str):
                yield (*path, key), key, True
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))
