"""Check data against its JSON Schema and turn each error into a finding with a line and column.

jsonschema reports a JSON path (`absolute_path`) but no position; the reader kept the position
of every value, so each error maps back to the value at fault, or to its nearest existing parent
when a key is missing, or to the key itself when the key is not allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from draaiboek.load import resources
from draaiboek.load.yamlread import Path, Positions
from draaiboek.model.runbook import Finding, Severity

if TYPE_CHECKING:  # jsonschema is imported only when a file is not surely valid (see _quick)
    from jsonschema import Draft202012Validator
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
    "minItems": "too-few",
    "minProperties": "too-few",
    "uniqueItems": "not-unique",
    "minLength": "empty-value",
    "maxLength": "too-long",
}
_QUOTED = re.compile(r"'([^']*)'")


Quick = Callable[[Any], bool]


@dataclass(frozen=True)
class _Derived:
    """What is checked for a format, derived once per process from its schema file.

    The schema file stays whole (editors and other validators read it); what is checked here
    gives the same errors faster: local `$ref`s are inlined (resolving them was most of the
    cost), and a runbook's steps are each checked against the definition of their own `type`
    (`steps`) instead of through six if/then branches.
    """

    schema: dict[str, Any]  # the file's schema, `$ref`s inlined, steps left to `steps`
    inlined: bool  # False: a reference could not be inlined; `schema` is the file's as is
    steps: dict[str, dict[str, Any]] | None = None  # step type -> the schema of such a step
    whole_step: dict[str, Any] | None = None  # for a step without a known type


@cache
def _derived(format_name: str) -> _Derived:
    schema = resources.schema(format_name)
    inlined = _inline(schema)
    if inlined is None:  # a reference that cannot be inlined: check with the file as it is
        return _Derived(schema, inlined=False)
    steps = inlined.get("properties", {}).get("steps", {})
    step = steps.get("additionalProperties") if isinstance(steps, dict) else None
    by_type = _step_schemas(step) if isinstance(step, dict) else None
    if by_type is None or not isinstance(step, dict):
        return _Derived(inlined, inlined=True)
    shell = {**inlined, "properties": {**inlined["properties"]}}
    shell["properties"]["steps"] = {**steps, "additionalProperties": {_STEP_KEYWORD: True}}
    return _Derived(shell, inlined=True, steps=by_type, whole_step=step)


@cache
def validator_for(format_name: str) -> Draft202012Validator:
    """One compiled validator per schema per process: it says what is wrong."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend

    derived = _derived(format_name)
    if derived.steps is None or derived.whole_step is None:
        return Draft202012Validator(derived.schema)
    whole_step = Draft202012Validator(derived.whole_step)
    validators = {kind: Draft202012Validator(one) for kind, one in derived.steps.items()}

    def check_step(
        validator: Any, value: Any, instance: Any, schema: Any
    ) -> Iterator[ValidationError]:
        # The errors of the step alone; jsonschema prefixes them with ("steps", step_id) as they
        # come out of `properties` and `additionalProperties`, as it would for the whole schema.
        kind = instance.get("type") if isinstance(instance, dict) else None
        chosen = validators.get(kind) if isinstance(kind, str) else None
        yield from (chosen or whole_step).iter_errors(instance)

    keywords = {_STEP_KEYWORD: check_step}
    shell_class = extend(Draft202012Validator, keywords)  # type: ignore[no-untyped-call]
    return shell_class(derived.schema)  # type: ignore[no-any-return]


@cache
def _quick_check(format_name: str) -> Quick:
    """True only for data that `validator_for(format_name)` surely accepts (False: ask it)."""
    derived = _derived(format_name)
    if not derived.inlined:
        return _never
    if derived.steps is None:
        return _quick(derived.schema, {})
    quick_steps = {kind: _quick(one, {}) for kind, one in derived.steps.items()}

    def quick_step(instance: Any) -> bool:
        kind = instance.get("type") if type(instance) is dict else None
        check = quick_steps.get(kind) if type(kind) is str else None
        return check is not None and check(instance)

    return _quick(derived.schema, {_STEP_KEYWORD: quick_step})


_STEP_KEYWORD = "x-draaiboek-step"
# Keywords beside a `$ref` that only annotate: dropping them when inlining changes no error
# (an error raised inside the reference carries the referenced schema, not the referring one).
_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples", "default"})
_SUBSCHEMA = frozenset(
    {
        "additionalProperties",
        "contains",
        "else",
        "if",
        "items",
        "not",
        "propertyNames",
        "then",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
_SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SUBSCHEMA_MAPS = frozenset({"dependentSchemas", "patternProperties", "properties"})


def _inline(schema: dict[str, Any]) -> dict[str, Any] | None:
    """`schema` with every local `#/$defs/...` reference replaced by what it names; None when a
    reference is not local, is recursive or has sibling keywords that would change errors."""
    defs = schema.get("$defs", {})

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if not isinstance(node, dict):
            return node  # true / false
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.removeprefix("#/$defs/")
            if (
                name == ref
                or "/" in name
                or "~" in name
                or name not in defs
                or name in seen
                or not set(node) - {"$ref"} <= _ANNOTATIONS
            ):
                raise _NotInlinable(ref)
            return resolve(defs[name], (*seen, name))
        inlined = {}
        for key, value in node.items():
            if key in _SUBSCHEMA:
                value = resolve(value, seen)
            elif key in _SUBSCHEMA_LISTS and isinstance(value, list):
                value = [resolve(item, seen) for item in value]
            elif key in _SUBSCHEMA_MAPS and isinstance(value, dict):
                value = {name: resolve(item, seen) for name, item in value.items()}
            inlined[key] = value
        return inlined

    try:
        inlined: dict[str, Any] = resolve({k: v for k, v in schema.items() if k != "$defs"}, ())
    except _NotInlinable:
        return None
    if '"$ref"' in json.dumps(inlined):  # under a keyword not known above: keep the file's
        return None
    return inlined


class _NotInlinable(Exception):
    pass


def _step_schemas(step: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """For each step type, a schema giving exactly the errors the whole step schema gives a
    mapping with that `type`; None when the step schema is not of the expected shape.

    The whole step schema is `type`, `required`, `properties` (the type's enum) and an `allOf`
    of `if type == X then <X's definition>`. For a mapping whose `type` is one of the enum, the
    `type`, `properties` and other `if`s pass; what remains is `required` and that one `then`.
    """
    if list(step) != ["type", "required", "properties", "allOf"] or step["type"] != "object":
        return None
    enum = step["properties"].get("type", {}).get("enum")
    if list(step["properties"]) != ["type"] or not isinstance(enum, list):
        return None
    by_type: dict[str, dict[str, Any]] = {}
    for branch in step["allOf"]:
        kind = _branch_type(branch)
        if kind is None or kind in by_type:
            return None
        by_type[kind] = {"required": step["required"], "allOf": [branch["then"]]}
    if list(by_type) != enum:
        return None
    return by_type


def _branch_type(branch: Any) -> str | None:
    """X for a branch `{"if": {"properties": {"type": {"const": X}}, "required": ["type"]},
    "then": ...}`, else None."""
    if not isinstance(branch, dict) or set(branch) != {"if", "then"}:
        return None
    condition = branch["if"]
    kind = (
        condition.get("properties", {}).get("type", {}).get("const")
        if isinstance(condition, dict)
        else None
    )
    expected = {"properties": {"type": {"const": kind}}, "required": ["type"]}
    return kind if isinstance(kind, str) and condition == expected else None


# --- the quick check -------------------------------------------------------------------------
# Most files are valid, and jsonschema spends most of its time on bookkeeping for errors that
# do not come. The quick check is compiled from the same derived schema for the keywords below,
# with their jsonschema semantics; anything else (or any doubt) answers False and the validator
# decides. So it can make a valid file faster but never change a finding.

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


def _never(instance: Any) -> bool:
    return False


def _always(instance: Any) -> bool:
    return True


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _quick(schema: Any, custom: Mapping[str, Quick]) -> Quick:
    """True only when `schema` surely accepts the instance (data as the YAML reader builds it:
    dict, list, str, int, float, bool, None)."""
    if schema is True:
        return _always
    if not isinstance(schema, dict):
        return _never
    allowed = set(_ALL_TYPES)
    by_type: dict[type | None, list[Quick]] = {kind: [] for kind in (*_ALL_TYPES, None)}
    for key, value in schema.items():
        if key in _IGNORED or key in ("properties", "additionalProperties", "propertyNames"):
            continue
        effect = _quick_keyword(key, value, schema, custom)
        if effect is None:
            return _never
        types, kind, one = effect
        allowed &= types
        if one is not _always:
            by_type[kind].append(one)
    if {"properties", "additionalProperties", "propertyNames"} & set(schema):
        mapping = _quick_mapping(schema, custom)
        if mapping is None:
            return _never
        by_type[dict].append(mapping)
    checks = {kind: (*by_type[kind], *by_type[None]) for kind in allowed}

    def accepts(instance: Any) -> bool:
        found = checks.get(type(instance))
        if found is None:
            return False
        return all(one(instance) for one in found)

    return accepts


def _quick_keyword(
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
        item = _quick(value, custom)
        return _ALL_TYPES, list, lambda instance: all(item(each) for each in instance)
    if key in ("allOf", "anyOf") and isinstance(value, list) and value:
        parts = tuple(_quick(part, custom) for part in value)
        if key == "allOf":
            return _ALL_TYPES, None, lambda instance: all(part(instance) for part in parts)
        return _ALL_TYPES, None, lambda instance: any(part(instance) for part in parts)
    return None


def _unique_strings(instance: list[Any]) -> bool:
    """Items all different; only decided here for strings (jsonschema's equality of numbers,
    booleans and containers has its own rules)."""
    return all(type(item) is str for item in instance) and len(set(instance)) == len(instance)


def _quick_mapping(schema: dict[str, Any], custom: Mapping[str, Quick]) -> Quick | None:
    """`properties`, `additionalProperties` and `propertyNames` together, in one pass."""
    properties = schema.get("properties", {})
    if "patternProperties" in schema or not isinstance(properties, dict):
        return None
    known = {name: _quick(part, custom) for name, part in properties.items()}
    extra = _quick(schema.get("additionalProperties", True), custom)
    names = _quick(schema["propertyNames"], custom) if "propertyNames" in schema else None

    def check(instance: dict[str, Any]) -> bool:
        for key, value in instance.items():
            if type(key) is not str or not known.get(key, extra)(value):
                return False
            if names is not None and not names(key):
                return False
        return True

    return check


def json_path(path: Iterable[str | int]) -> str:
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def schema_findings(
    format_name: str, data: Mapping[str, Any], positions: Positions, file: str
) -> list[Finding]:
    if _quick_check(format_name)(data):
        return []
    findings = []
    for error in validator_for(format_name).iter_errors(data):
        findings.append(_finding(_most_useful(error), positions, file))
    return findings


def _most_useful(error: ValidationError) -> ValidationError:
    # For oneOf/anyOf (a text is "a string or a language map") the top error says only
    # "is not valid under any of the given schemas"; the best sub-error says what is wrong.
    if error.validator in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import best_match

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
