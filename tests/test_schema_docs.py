"""The schemas teach: an editor's hover shows a title and a description on every property, and
a pattern's finding says in words what form is wanted, in every one of the four schemas."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from draaiboek.load.schemamessages import PATTERN_WORDS

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA_FILES = sorted(SCHEMAS.glob("*.schema.json"))


def _properties(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """(JSON pointer, schema) of every property defined anywhere in `node`, except under `if`:
    a runbook step's `if` only tests its type, and load/schemacheck.py reads that exact shape
    to check each step against its own type's definition."""
    if isinstance(node, dict):
        for name, value in (node.get("properties") or {}).items():
            yield f"{pointer}/properties/{name}", value
        for key, value in node.items():
            if key != "if":
                yield from _properties(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{pointer}/{index}")


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_four_schemas_are_here() -> None:
    names = [path.name for path in SCHEMA_FILES]
    assert names == [
        "contacts.schema.json",
        "runbook.schema.json",
        "scenario.schema.json",
        "test.schema.json",
    ]


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_property_has_a_title_and_a_description(path: Path) -> None:
    found = list(_properties(_load(path)))
    assert found
    bare = [
        pointer
        for pointer, schema in found
        if not (
            isinstance(schema, dict)
            and str(schema.get("title", "")).strip()
            and str(schema.get("description", "")).strip()
        )
    ]
    assert not bare, f"{path.name}: no title or description at {bare}"


def test_the_only_bare_properties_are_the_step_type_tests() -> None:
    # What _properties leaves out, counted: the six `if` branches of a runbook step.
    schema = _load(SCHEMAS / "runbook.schema.json")
    branches = schema["$defs"]["step"]["allOf"]
    assert len(branches) == 6
    for branch in branches:
        assert set(branch["if"]) == {"properties", "required"}
        assert set(branch["if"]["properties"]) == {"type"}


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_patterns_keep_to_what_ecma_262_and_python_share(path: Path) -> None:
    # \d, \w, \s and \b take Unicode characters in Python's re but not (all) in ECMA-262, and
    # Python's $ also matches before a final newline: ASCII classes, and $(?!\n) as the end.
    for pattern in _patterns(_load(path)):
        assert not re.search(r"\\[dDwWsSbB]", pattern), pattern
        assert pattern.startswith("^"), pattern
        assert pattern.endswith("$(?!\\n)") or pattern == "^https?://", pattern


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_pattern_is_put_in_words(path: Path) -> None:
    # A finding says "lower case letters, digits and single dashes", never the regex.
    missing = [p for p in _patterns(_load(path)) if p not in PATTERN_WORDS]
    assert not missing, missing


def test_dates_are_checked_as_dates() -> None:
    schema = _load(SCHEMAS / "runbook.schema.json")
    for date in (schema["properties"]["review_before"], schema["properties"]["approval"]):
        date = date.get("properties", {}).get("date", date)
        assert date["format"] == "date"
