"""A jsonschema error as a finding an author can act on: where it is, what is wrong, the fix.

jsonschema says "1.1 is not of type 'string'" about `version: 1.10`: a value that is not in
the file, and no word on why. Here the message quotes what the file says when YAML read it as
something else ("1.10 is read as the number 1.1: put it in quotes"), names the closest allowed
key or value ("did you mean 'next'?"), and says in words what form a pattern wants.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from draaiboek.load.yamlread import Path, Positions, YamlProblem, read_yaml
from draaiboek.model.runbook import Finding, Severity
from draaiboek.model.suggestions import did_you_mean

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_CODES = {
    "required": "missing-key",
    "additionalProperties": "unknown-key",
    "unevaluatedProperties": "unknown-key",
    "propertyNames": "bad-key",
    "type": "wrong-type",
    "enum": "bad-value",
    "const": "bad-value",
    "pattern": "bad-format",
    "format": "bad-format",
    "minItems": "too-few",
    "minProperties": "too-few",
    "uniqueItems": "not-unique",
    "minLength": "empty-value",
    "maxLength": "too-long",
}
_QUOTED = re.compile(r"'([^']*)'")

# Every pattern of the shipped schemas, in words (tests/test_schema_docs.py keeps this complete).
_ID = "[a-z0-9]+(-[a-z0-9]+)*"
_VERSION = r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?"
_END = r"$(?!\n)"
PATTERN_WORDS = {
    f"^{_ID}{_END}": "lower case letters, digits and single dashes",
    f"^({_ID}/)?{_ID}{_END}": "a step id, or <runbook id>/<step id>",
    f"^({_ID}/)?{_ID}/{_ID}{_END}": "<step id>/<item id>, or <runbook id>/<step id>/<item id>",
    f"^[a-z]{{2,3}}{_END}": "a language code of 2 or 3 lower case letters, such as nl or en",
    f"^{_VERSION}{_END}": "a version MAJOR.MINOR.PATCH such as 1.0.0",
    f"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{_END}": "a date as YYYY-MM-DD",
    "^P(?=[0-9]|T[0-9])([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?"
    + _END: "an ISO 8601 duration such as PT15M or PT1H30M",
    f"^[A-Za-z0-9][A-Za-z0-9-]*{_END}": "letters, digits and dashes, starting with a letter or "
    "digit",
    "^https?://": "a web address starting with http:// or https://",
    f"^[+0-9][0-9 ()-]{{1,30}}{_END}": "a phone number: digits, spaces, dashes and brackets, "
    "optionally starting with +",
    f"^ *(((>=|<=|>|<|=|\\^|~)? *{_VERSION}) *)+{_END}": "version comparisons such as "
    "'>=1.0.0 <2.0.0'",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:"
    f"[0-9]{{2}}){_END}": "a date and time with its UTC offset, such as 2019-06-24T15:34:00+02:00",
}
_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping (key: value)",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}


def json_path(path: Iterable[str | int]) -> str:
    """`$.steps.begin.options[0]` for the path ("steps", "begin", "options", 0)."""
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def most_useful(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf (a text is "a string or a language map") the top error says only "is not
    valid under any of the given schemas"; the best sub-error says what is wrong."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import best_match

        deepest = best_match(error.context)
        if deepest is not None and len(deepest.absolute_path) >= len(error.absolute_path):
            chosen: ValidationError = deepest
            return chosen
    return error


def to_finding(
    error: ValidationError, positions: Positions, file: str, source: str | None = None
) -> Finding:
    """The finding for one schema error. `source` is the file's text: with it, a value that
    YAML read as something else than written is quoted as written."""
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
            f"key {error.instance!r} does not have the expected form ({_pattern_words(error)})",
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
            return Finding(
                file,
                line,
                column,
                json_path(key_path),
                code,
                _unknown_keys(unknown, error.schema),
                Severity.ERROR,
            )
    line, column = positions.of_value(path)
    if validator == "required":
        missing = _QUOTED.findall(error.message)
        where = json_path(path)
        message = f"missing required key {missing[0]!r} in {where}" if missing else message
    elif validator in ("enum", "const"):
        allowed = error.validator_value
        choices = [str(choice) for choice in allowed] if isinstance(allowed, list) else [allowed]
        given: Any = error.instance
        shown = repr(given) if isinstance(given, str) else json.dumps(given)
        message = f"{shown} is not allowed here; expected {', '.join(map(str, choices))}"
        if isinstance(given, str):
            message += did_you_mean(given, [c for c in choices if isinstance(c, str)])
    elif validator == "pattern" and isinstance(error.instance, str):
        message = f"{error.instance!r} does not have the expected form ({_pattern_words(error)})"
    elif validator == "format" and isinstance(error.instance, str):
        if error.validator_value == "date":
            code = "bad-date"
            message = f"{error.instance!r} is not a date that exists (YYYY-MM-DD)"
    elif validator == "type":
        message = _wrong_type(error, source, line, column)
    return Finding(file, line, column, json_path(path), code, message, Severity.ERROR)


def _unknown_keys(unknown: list[str], schema: Any) -> str:
    names = ", ".join(repr(key) for key in unknown)
    allowed = schema.get("properties", {}) if isinstance(schema, dict) else {}
    hint = did_you_mean(unknown[0], allowed) if len(unknown) == 1 else ""
    if hint:
        return f"unknown key {names}{hint}"
    return f"unknown key {names}: remove it or check its spelling"


def _pattern_words(error: ValidationError) -> str:
    pattern = str(error.validator_value)
    if pattern in PATTERN_WORDS:
        return PATTERN_WORDS[pattern]
    described = error.schema.get("description") if isinstance(error.schema, dict) else None
    return str(described) if described else f"pattern {pattern}"


def _written(source: str | None, line: int, column: int, value: Any) -> str | None:
    """The plain scalar at `line`:`column` of `source` as written, when reading it again gives
    `value` (None otherwise: quoted, a block, a collection, or a position that does not fit)."""
    if source is None:
        return None
    lines = source.split("\n")
    if not 0 < line <= len(lines):
        return None
    rest = lines[line - 1].rstrip("\r")[column - 1 :]
    if not rest or rest[0] in "\"'|>[{&*!":
        return None
    # A comment ends a plain scalar; in a flow collection a comma or bracket does too (and a
    # number, true/false or null never holds one).
    written = re.split(r"\s#|[,\]}]", rest, maxsplit=1)[0].strip()
    try:
        again = read_yaml(f"value: {written}")[0]
    except YamlProblem:
        return None
    same = isinstance(again, dict) and type(again.get("value")) is type(value)
    return written if same and again["value"] == value else None


def _wrong_type(error: ValidationError, source: str | None, line: int, column: int) -> str:
    expected: Any = error.validator_value
    names = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_TYPE_WORDS.get(str(name), str(name)) for name in names)
    value = error.instance
    written = _written(source, line, column, value) if not isinstance(value, dict | list) else None
    if value is None:
        said = f"{written} is read as nothing (null)" if written else "the value is empty"
        return f"{said}: expected {wanted}"
    if "string" in names and isinstance(value, bool | int | float):
        said = f"{written or json.dumps(value)} is read as {_read_as(value)}"
        pattern = error.schema.get("pattern") if isinstance(error.schema, dict) else None
        if written and isinstance(pattern, str) and re.search(pattern, written) is None:
            # Quoted it would still be wrong (`version: 1.10`): say the form too.
            words = PATTERN_WORDS.get(pattern)
            return f"{said}: put it in quotes, written as {words}" if words else said
        return f'{said}: put it in quotes ("{written}")' if written else f"{said}: quote it"
    if "array" in names and written is not None:
        return f"expected {wanted} here, not {_read_as(value)}: write [{written}]"
    return f"expected {wanted} here, not {_read_as(value)}"


def _read_as(value: Any) -> str:
    if isinstance(value, bool):
        return f"the truth value {json.dumps(value)}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    return "a mapping (key: value)"
