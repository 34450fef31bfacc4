"""The quick check: True only for data that a JSON Schema surely accepts (False: ask jsonschema).

Most files are valid, and jsonschema spends most of its time on bookkeeping for errors that do
not come. The quick check is compiled from a schema for the keywords below, with their
jsonschema semantics (`format` as checked by `load.schemacheck`: only `date`); anything else (or
any doubt) answers False and the validator decides. So it can make a valid file faster but never
change a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

Quick = Callable[[Any], bool]

# The `format` values that draaiboek checks (jsonschema's checker, limited to these); any other
# format is an annotation only, here as in the validator.
SCHEMA_FORMATS = ("date",)
# jsonschema's own test for `date` (the same in 4.18 and later): this form, and a real day.
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)

_IGNORED = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "examples", "default", "deprecated"}
)
_NONE = type(None)
_TYPES: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "object": frozenset({dict}),
    "array": frozenset({list}),
    "boolean": frozenset({bool}),
    "null": frozenset({_NONE}),
    "integer": frozenset({int}),  # an integral float is an integer too: left to jsonschema
    "number": frozenset({int, float}),
}
_ALL_TYPES: frozenset[type] = frozenset({str, dict, list, bool, _NONE, int, float})
# What one keyword does in the quick check: the instance types it allows at all, and a check
# for instances of one type (None: of every type).
_Effect = tuple[frozenset[type], type | None, Quick]


def never(instance: Any) -> bool:
    """The quick check that leaves every instance to the validator."""
    return False


def is_date(instance: str) -> bool:
    """Whether `instance` passes the `date` format: YYYY-MM-DD and a day that exists."""
    if _DATE.fullmatch(instance) is None:
        return False
    try:
        date.fromisoformat(instance)
    except ValueError:
        return False
    return True


def _always(instance: Any) -> bool:
    return True


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def quick(schema: Any, custom: Mapping[str, Quick]) -> Quick:
    """True only when `schema` surely accepts the instance (data as the YAML reader builds it:
    dict, list, str, int, float, bool, None)."""
    if schema is True:
        return _always
    if not isinstance(schema, dict):
        return never
    allowed = set(_ALL_TYPES)
    by_type: dict[type | None, list[Quick]] = {kind: [] for kind in (*_ALL_TYPES, None)}
    for key, value in schema.items():
        if key in _IGNORED or key in ("properties", "additionalProperties", "propertyNames"):
            continue
        effect = _keyword(key, value, schema, custom)
        if effect is None:
            return never
        types, kind, one = effect
        allowed &= types
        if one is not _always:
            by_type[kind].append(one)
    if {"properties", "additionalProperties", "propertyNames"} & set(schema):
        mapping = _mapping(schema, custom)
        if mapping is None:
            return never
        by_type[dict].append(mapping)
    checks = {kind: (*by_type[kind], *by_type[None]) for kind in allowed}

    def accepts(instance: Any) -> bool:
        found = checks.get(type(instance))
        if found is None:
            return False
        return all(one(instance) for one in found)

    return accepts


def _keyword(
    key: str, value: Any, schema: dict[str, Any], custom: Mapping[str, Quick]
) -> _Effect | None:
    """One keyword's effect (see _Effect), or None when the quick check does not know it."""
    if key in custom:
        return _ALL_TYPES, None, custom[key]
    if key == "type":
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names:
            return None
        allowed: frozenset[type] = frozenset()
        for name in names:
            if name not in _TYPES:
                return None
            allowed |= _TYPES[name]
        return allowed, None, _always
    if key in ("enum", "const"):
        members = value if key == "enum" else [value]
        if not isinstance(members, list) or not all(type(m) is str for m in members):
            return None
        chosen = frozenset(members)
        return frozenset({str}), str, lambda instance: instance in chosen
    if key == "pattern" and isinstance(value, str):
        search = re.compile(value).search
        return _ALL_TYPES, str, lambda instance: search(instance) is not None
    if key == "format" and isinstance(value, str):
        if value == "date":
            return _ALL_TYPES, str, is_date
        return (_ALL_TYPES, None, _always) if value not in SCHEMA_FORMATS else None
    if key == "minLength" and _count(value):
        return _ALL_TYPES, str, lambda instance: len(instance) >= value
    if key == "maxLength" and _count(value):
        return _ALL_TYPES, str, lambda instance: len(instance) <= value
    if key == "minItems" and _count(value):
        return _ALL_TYPES, list, lambda instance: len(instance) >= value
    if key == "maxItems" and _count(value):
        return _ALL_TYPES, list, lambda instance: len(instance) <= value
    if key == "minProperties" and _count(value):
        return _ALL_TYPES, dict, lambda instance: len(instance) >= value
    if key == "maxProperties" and _count(value):
        return _ALL_TYPES, dict, lambda instance: len(instance) <= value
    if key == "required" and isinstance(value, list) and all(type(k) is str for k in value):
        names = tuple(value)
        return _ALL_TYPES, dict, lambda instance: all(name in instance for name in names)
    if key == "uniqueItems" and value is False:
        return _ALL_TYPES, None, _always
    if key == "uniqueItems" and value is True:
        return _ALL_TYPES, list, _unique_strings
    if key == "items" and "prefixItems" not in schema:
        item = quick(value, custom)
        return _ALL_TYPES, list, lambda instance: all(item(each) for each in instance)
    if key in ("allOf", "anyOf") and isinstance(value, list) and value:
        parts = tuple(quick(part, custom) for part in value)
        if key == "allOf":
            return _ALL_TYPES, None, lambda instance: all(part(instance) for part in parts)
        return _ALL_TYPES, None, lambda instance: any(part(instance) for part in parts)
    return None


def _unique_strings(instance: list[Any]) -> bool:
    """Items all different; only decided here for strings (jsonschema's equality of numbers,
    booleans and containers has its own rules)."""
    return all(type(item) is str for item in instance) and len(set(instance)) == len(instance)


def _mapping(schema: dict[str, Any], custom: Mapping[str, Quick]) -> Quick | None:
    """`properties`, `additionalProperties` and `propertyNames` together, in one pass."""
    properties = schema.get("properties", {})
    if "patternProperties" in schema or not isinstance(properties, dict):
        return None
    known = {name: quick(part, custom) for name, part in properties.items()}
    extra = quick(schema.get("additionalProperties", True), custom)
    names = quick(schema["propertyNames"], custom) if "propertyNames" in schema else None

    def check(instance: dict[str, Any]) -> bool:
        for key, value in instance.items():
            if type(key) is not str or not known.get(key, extra)(value):
                return False
            if names is not None and not names(key):
                return False
        return True

    return check
