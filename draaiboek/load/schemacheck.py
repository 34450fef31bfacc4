"""Check data against its JSON Schema and turn each error into a finding with a line and column.

jsonschema reports a JSON path (`absolute_path`) but no position; the reader kept the position
of every value, so each error maps back to the value at fault, or to its nearest existing parent
when a key is missing, or to the key itself when the key is not allowed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from draaiboek.load import resources
from draaiboek.load.quickcheck import SCHEMA_FORMATS, Quick, never, quick
from draaiboek.load.schemamessages import json_path as json_path  # where callers find it
from draaiboek.load.schemamessages import most_useful, to_finding
from draaiboek.load.yamlread import Positions
from draaiboek.model.runbook import Finding

if TYPE_CHECKING:  # jsonschema is imported only when a file is not surely valid (the quick check)
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import ValidationError


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

    formats = _format_checker()
    derived = _derived(format_name)
    if derived.steps is None or derived.whole_step is None:
        return Draft202012Validator(derived.schema, format_checker=formats)
    whole_step = Draft202012Validator(derived.whole_step, format_checker=formats)
    validators = {
        kind: Draft202012Validator(one, format_checker=formats)
        for kind, one in derived.steps.items()
    }

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
    return shell_class(derived.schema, format_checker=formats)  # type: ignore[no-any-return]


def _format_checker() -> FormatChecker:
    """jsonschema's checker for the formats draaiboek checks (`date`: a day that exists), as
    check-jsonschema and editors check them; other formats stay annotations."""
    from jsonschema import FormatChecker

    return FormatChecker(formats=SCHEMA_FORMATS)


@cache
def _quick_check(format_name: str) -> Quick:
    """True only for data that `validator_for(format_name)` surely accepts (False: ask it)."""
    derived = _derived(format_name)
    if not derived.inlined:
        return never
    if derived.steps is None:
        return quick(derived.schema, {})
    quick_steps = {kind: quick(one, {}) for kind, one in derived.steps.items()}

    def quick_step(instance: Any) -> bool:
        kind = instance.get("type") if type(instance) is dict else None
        check = quick_steps.get(kind) if type(kind) is str else None
        return check is not None and check(instance)

    return quick(derived.schema, {_STEP_KEYWORD: quick_step})


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


def schema_findings(
    format_name: str,
    data: Mapping[str, Any],
    positions: Positions,
    file: str,
    source: str | None = None,
) -> list[Finding]:
    """The schema's findings for `data` read from `file`; `source` (the file's text) lets a
    message quote a value as written (see `load.schemamessages`)."""
    if _quick_check(format_name)(data):
        return []
    errors = [most_useful(error) for error in validator_for(format_name).iter_errors(data)]
    # A date such as 2027-1-5 breaks both the pattern and the format: one finding says it.
    patterned = {tuple(e.absolute_path) for e in errors if e.validator == "pattern"}
    return [
        to_finding(error, positions, file, source)
        for error in errors
        if not (error.validator == "format" and tuple(error.absolute_path) in patterned)
    ]
