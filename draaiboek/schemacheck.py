"""Check data against its JSON Schema and turn each error into a finding with a line and column.

jsonschema reports a JSON path (`absolute_path`) but no position; the reader kept the position
of every value, so each error maps back to the value at fault, or to its nearest existing parent
when a key is missing, or to the key itself when the key is not allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from draaiboek import resources
from draaiboek.model import Finding, Severity
from draaiboek.yamlread import Path, Positions

_CODES = {
    "required": "missing-key",
    "additionalProperties": "unknown-key",
    "unevaluatedProperties": "unknown-key",
    "propertyNames": "bad-key",
    "type": "wrong-type",
    "enum": "bad-value",
    "const": "bad-value",
    "pattern": "bad-format",
    "minItems": "too-few",
    "minProperties": "too-few",
    "uniqueItems": "not-unique",
    "minLength": "empty-value",
    "maxLength": "too-long",
}
_QUOTED = re.compile(r"'([^']*)'")


@cache
def validator_for(format_name: str) -> Draft202012Validator:
    """One compiled validator per schema per process."""
    return Draft202012Validator(resources.schema(format_name))


def json_path(path: Iterable[str | int]) -> str:
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def schema_findings(
    format_name: str, data: Mapping[str, Any], positions: Positions, file: str
) -> list[Finding]:
    findings = []
    for error in validator_for(format_name).iter_errors(data):
        findings.append(_finding(_most_useful(error), positions, file))
    return findings


def _most_useful(error: ValidationError) -> ValidationError:
    # For oneOf/anyOf (a text is "a string or a language map") the top error says only
    # "is not valid under any of the given schemas"; the best sub-error says what is wrong.
    if error.validator in ("oneOf", "anyOf") and error.context:
        deepest = best_match(error.context)
        if deepest is not None and len(deepest.absolute_path) >= len(error.absolute_path):
            chosen: ValidationError = deepest
            return chosen
    return error


def _finding(error: ValidationError, positions: Positions, file: str) -> Finding:
    path: Path = tuple(error.absolute_path)
    validator = str(error.validator)
    if "propertyNames" in error.relative_schema_path and isinstance(error.instance, str):
        # jsonschema reports a bad key at its mapping; point at the key itself.
        key_path = (*path, error.instance)
        line, column = positions.of_key(key_path)
        return Finding(
            file,
            line,
            column,
            json_path(key_path),
            "bad-key",
            f"key {error.instance!r} does not have the expected form ({_describe_pattern(error)})",
            Severity.ERROR,
        )
    code = _CODES.get(validator, "schema")
    message = error.message
    if validator in ("additionalProperties", "unevaluatedProperties") and isinstance(
        error.instance, dict
    ):
        unknown = [key for key in _QUOTED.findall(error.message) if key in error.instance]
        if unknown:
            key_path = (*path, unknown[0])
            line, column = positions.of_key(key_path)
            names = ", ".join(repr(key) for key in unknown)
            return Finding(
                file,
                line,
                column,
                json_path(key_path),
                code,
                f"unknown key {names}: remove it or check its spelling",
                Severity.ERROR,
            )
    if validator == "required":
        missing = _QUOTED.findall(error.message)
        where = json_path(path)
        message = f"missing required key {missing[0]!r} in {where}" if missing else message
    elif validator in ("enum", "const"):
        allowed = error.validator_value
        choices = ", ".join(map(str, allowed)) if isinstance(allowed, list) else str(allowed)
        message = f"{error.instance!r} is not allowed here; expected {choices}"
    elif validator == "pattern" and isinstance(error.instance, str):
        message = f"{error.instance!r} does not have the expected form ({_describe_pattern(error)})"
    line, column = positions.of_value(path)
    return Finding(file, line, column, json_path(path), code, message, Severity.ERROR)


def _describe_pattern(error: ValidationError) -> str:
    described = error.schema.get("description") if isinstance(error.schema, dict) else None
    if described:
        return str(described)
    pattern = str(error.validator_value)
    if pattern.startswith("^[a-z0-9]+(-[a-z0-9]+)*$"):
        return "lower case letters, digits and single dashes"
    if pattern.startswith("^P"):
        return "an ISO 8601 duration such as PT15M or PT1H30M"
    if pattern.startswith("^\\d{4}"):
        return "a date as YYYY-MM-DD"
    return f"pattern {pattern}"
