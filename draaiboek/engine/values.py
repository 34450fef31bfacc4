"""Typed text -> the value an input step's JSON Schema asks for, checked against that schema."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from draaiboek.engine.inputs import Rejected
from draaiboek.load.valueformats import format_checker

_BOOLEAN = {
    "j": True,
    "ja": True,
    "y": True,
    "yes": True,
    "true": True,
    "waar": True,
    "n": False,
    "nee": False,
    "no": False,
    "false": False,
    "onwaar": False,
}


def coerce_value(text: str, schema: Mapping[str, Any]) -> Any:
    """Typed text -> the value the schema's `type` asks for, validated against the schema."""
    declared = schema.get("type", "string")
    types = [declared] if isinstance(declared, str) else list(declared)
    value: Any = text
    for kind in types:
        converted = _convert(text, kind)
        if converted is not _NO:
            value = converted
            break
    else:
        if "string" not in types:
            raise Rejected("invalid-value", f"{text!r} is not of type {' or '.join(types)}")
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(
        Draft202012Validator(dict(schema), format_checker=format_checker()).iter_errors(value)
    )
    if error is not None:
        raise Rejected("invalid-value", error.message, str(error.validator))
    return value


_NO = object()


def _convert(raw: str, kind: str) -> Any:
    text = raw.strip()
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text.replace(",", ".")) if "." in text or "," in text else int(text)
            return number if math.isfinite(number) else _NO
    except ValueError:
        return _NO
    if kind == "boolean":
        return _BOOLEAN.get(text.lower(), _NO)
    return raw if kind == "string" else _NO  # a text is recorded as typed
