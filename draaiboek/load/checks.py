"""Semantic checks on a schema-valid runbook: what a JSON Schema cannot say.

Each check yields findings pointing at the value at fault (line and column from the reader).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from draaiboek.load.documents import Document
from draaiboek.load.schemacheck import json_path
from draaiboek.load.target_checks import check_names, check_time_zero_and_targets
from draaiboek.load.valueformats import CHECKED_FORMATS, unchecked_formats
from draaiboek.load.yamlread import Path, Positions
from draaiboek.model.runbook import Finding, Runbook, Severity, Step
from draaiboek.model.suggestions import did_you_mean


@dataclass(frozen=True)
class CheckContext:
    """What a runbook may refer to outside itself."""

    runbook_ids: frozenset[str]
    contact_ids: frozenset[str]
    calls: Mapping[str, frozenset[str]]  # runbook id -> ids of the runbooks it calls
    today: date
    strict: bool = False


Emit = Callable[[Path, str, str], None]


def check_runbook(document: Document, runbook: Runbook, context: CheckContext) -> list[Finding]:
    """Every check of one runbook: those of the file alone and those against the other files."""
    findings = check_runbook_alone(document, runbook, today=context.today, strict=context.strict)
    findings.extend(check_references(document.file, document.positions, runbook, context))
    return findings


def check_runbook_alone(
    document: Document, runbook: Runbook, *, today: date, strict: bool = False
) -> list[Finding]:
    """The checks that need only the file itself (and its data and positions)."""
    findings: list[Finding] = []
    emit, warn = _emitters(document.file, document.positions, strict, findings)
    _check_references(runbook, emit)
    _check_graph(runbook, emit)
    _check_unique_ids(runbook, emit)
    _check_definitions(runbook, emit, warn)
    _check_languages(document.data, runbook.languages, warn)
    _check_review(document, runbook, today, emit, warn)
    _check_value_schemas(runbook, emit)
    check_time_zero_and_targets(runbook, emit)
    return findings


def check_references(
    file: str, positions: Positions, runbook: Runbook, context: CheckContext
) -> list[Finding]:
    """The checks against the other files: contacts in a registry, sub-runbooks that exist and
    do not call back. `positions` needs to hold only those of `reference_paths(runbook)`."""
    findings: list[Finding] = []
    emit, _ = _emitters(file, positions, context.strict, findings)
    _check_contacts(runbook, context, emit)
    _check_runbook_calls(runbook, context, emit)
    return findings


def reference_paths(runbook: Runbook) -> Iterator[Path]:
    """Where `check_references` may point: every contact reference and sub-runbook call."""
    for step in runbook.steps.values():
        base: Path = ("steps", step.id)
        for index in range(len(step.contacts)):
            yield (*base, "contacts", index)
        for item_index, item in enumerate(step.items):
            for index in range(len(item.contacts)):
                yield (*base, "items", item_index, "contacts", index)
        if step.runbook is not None:
            yield (*base, "runbook")


def _emitters(
    file: str, positions: Positions, strict: bool, findings: list[Finding]
) -> tuple[Emit, Emit]:
    def emit(path: Path, code: str, message: str, severity: Severity = Severity.ERROR) -> None:
        # A finding about a whole step points at its id (the key), where an author looks for it.
        is_step = len(path) == 2 and path[0] == "steps"
        line, column = positions.of_key(path) if is_step else positions.of_value(path)
        findings.append(Finding(file, line, column, json_path(path), code, message, severity))

    def warn(path: Path, code: str, message: str) -> None:
        emit(path, code, message, Severity.ERROR if strict else Severity.WARNING)

    return emit, warn


def _check_references(runbook: Runbook, emit: Emit) -> None:
    steps = runbook.steps
    if runbook.start not in steps:
        emit(
            ("start",),
            "dangling-start",
            f"start names step {runbook.start!r}, which does not exist"
            + did_you_mean(runbook.start, steps),
        )
    for step in steps.values():
        base: Path = ("steps", step.id)
        if step.next is not None and step.next not in steps:
            emit(
                (*base, "next"),
                "dangling-next",
                f"next names step {step.next!r}, which does not exist"
                + did_you_mean(step.next, steps),
            )
        for index, option in enumerate(step.options):
            if option.next not in steps:
                emit(
                    (*base, "options", index, "next"),
                    "dangling-next",
                    f"option {option.id!r} leads to step {option.next!r}, which does not exist"
                    f"{did_you_mean(option.next, steps)}",
                )
        for index, target in enumerate(step.until):
            if target not in steps:
                emit(
                    (*base, "until", index),
                    "dangling-until",
                    f"until names step {target!r}, which does not exist"
                    + did_you_mean(target, steps),
                )


def _check_graph(runbook: Runbook, emit: Emit) -> None:
    steps = runbook.steps
    if runbook.start not in steps:
        return
    reachable = _reach({runbook.start}, lambda s: steps[s].successors(), steps)
    for step_id in steps:
        if step_id not in reachable:
            emit(
                ("steps", step_id),
                "unreachable-step",
                f"step {step_id!r} cannot be reached from start {runbook.start!r}: "
                "lead to it from another step or remove it",
            )
    # Walk backwards from every end: a reachable step that no end can be reached from is a trap.
    predecessors: dict[str, set[str]] = {step_id: set() for step_id in steps}
    for step in steps.values():
        for target in step.successors():
            if target in predecessors:
                predecessors[target].add(step.id)
    ends = {s.id for s in steps.values() if s.type == "end"}
    can_finish = _reach(ends, lambda s: tuple(predecessors[s]), steps)
    for step_id in steps:
        dangling = any(target not in steps for target in steps[step_id].successors())
        if step_id in reachable and step_id not in can_finish and not dangling:
            emit(
                ("steps", step_id),
                "no-way-out",
                f"from step {step_id!r} no end step can be reached (a loop with no exit): "
                "give the loop an option that leads on",
            )


def _reach(
    seeds: set[str], neighbours: Callable[[str], tuple[str, ...]], steps: Mapping[str, Step]
) -> set[str]:
    seen = {s for s in seeds if s in steps}
    todo = list(seen)
    while todo:
        for target in neighbours(todo.pop()):
            if target in steps and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _check_unique_ids(runbook: Runbook, emit: Emit) -> None:
    for step in runbook.steps.values():
        groups: tuple[tuple[str, tuple[str, ...]], ...] = (
            ("options", tuple(option.id for option in step.options)),
            ("items", tuple(item.id for item in step.items)),
        )
        for field, ids in groups:
            seen: set[str] = set()
            for index, entry_id in enumerate(ids):
                if entry_id in seen:
                    kind = "option" if field == "options" else "item"
                    emit(
                        ("steps", step.id, field, index, "id"),
                        f"duplicate-{kind}",
                        f"{kind} id {entry_id!r} is used twice in step {step.id!r}: ids must be "
                        "unique within a step (logs and tests refer to them)",
                    )
                seen.add(entry_id)


def _check_definitions(runbook: Runbook, emit: Emit, warn: Emit) -> None:
    for step in runbook.steps.values():
        base: Path = ("steps", step.id)
        if step.role is None:
            warn(base, "missing-role", f"step {step.id!r} names no responsible role")
        check_names(runbook, base, step.role, step.sources, emit)
        for item_index, item in enumerate(step.items):
            check_names(runbook, (*base, "items", item_index), item.role, (), emit)


def _check_contacts(runbook: Runbook, context: CheckContext, emit: Emit) -> None:
    for step in runbook.steps.values():
        base: Path = ("steps", step.id)
        for index, contact in enumerate(step.contacts):
            if contact not in context.contact_ids:
                emit(
                    (*base, "contacts", index),
                    "unknown-contact",
                    f"contact {contact!r} is not in any contacts registry "
                    "(a draaiboek-contacts/1 file beside the runbooks)"
                    + did_you_mean(contact, context.contact_ids),
                )
        for item_index, item in enumerate(step.items):
            for index, contact in enumerate(item.contacts):
                if contact not in context.contact_ids:
                    emit(
                        (*base, "items", item_index, "contacts", index),
                        "unknown-contact",
                        f"contact {contact!r} is not in any contacts registry"
                        + did_you_mean(contact, context.contact_ids),
                    )


def _check_runbook_calls(runbook: Runbook, context: CheckContext, emit: Emit) -> None:
    for step in runbook.steps.values():
        if step.runbook is None:
            continue
        path: Path = ("steps", step.id, "runbook")
        if step.runbook not in context.runbook_ids:
            emit(
                path,
                "unknown-runbook",
                f"runbook {step.runbook!r} is not among the runbooks being validated or in the "
                "runbooks folder" + did_you_mean(step.runbook, context.runbook_ids),
            )
            continue
        cycle = _call_cycle(runbook.id, step.runbook, context.calls)
        if cycle:
            emit(
                path,
                "runbook-cycle",
                "sub-runbook calls go round in a circle: " + " -> ".join(cycle),
            )


def _call_cycle(origin: str, first: str, calls: Mapping[str, frozenset[str]]) -> list[str]:
    """The call chain from `origin` through `first` back to `origin`, or [] when there is none."""
    todo: list[list[str]] = [[origin, first]]
    seen: set[str] = set()
    while todo:
        chain = todo.pop()
        last = chain[-1]
        if last == origin:
            return chain
        if last in seen:
            continue
        seen.add(last)
        todo.extend([*chain, callee] for callee in sorted(calls.get(last, ())))
    return []


def _check_languages(data: Mapping[str, Any], languages: tuple[str, ...], warn: Emit) -> None:
    for path, value in _texts(data, ()):
        if isinstance(value, dict):
            missing = [lang for lang in languages if lang not in value]
            if missing:
                warn(
                    path,
                    "missing-language",
                    f"text has no {', '.join(missing)} version (languages: {', '.join(languages)})",
                )
        elif len(languages) > 1:
            warn(
                path,
                "missing-language",
                f"text is given in {languages[0]} only (languages: {', '.join(languages)})",
            )


_STEP_TEXTS = ("title", "text", "note")
_ENTRY_TEXTS = ("label", "text")


def _texts(data: Mapping[str, Any], path: Path) -> Iterator[tuple[Path, Any]]:
    """Every text field of a schema-valid runbook, following the format (not guessing by key:
    a step may be called `title`)."""
    for key in ("title", "description"):
        if key in data:
            yield (*path, key), data[key]
    for role, name in data.get("roles", {}).items():
        yield (*path, "roles", role), name
    for source_id, source in data.get("sources", {}).items():
        if "note" in source:
            yield (*path, "sources", source_id, "note"), source["note"]
    if "note" in data.get("approval", {}):
        yield (*path, "approval", "note"), data["approval"]["note"]
    for index, target in enumerate(data.get("targets", [])):
        for key in _STEP_TEXTS:
            if key in target:
                yield (*path, "targets", index, key), target[key]
    for step_id, step in data.get("steps", {}).items():
        base: Path = (*path, "steps", step_id)
        for key in _STEP_TEXTS:
            if key in step:
                yield (*base, key), step[key]
        for field in ("options", "items"):
            for index, entry in enumerate(step.get(field, [])):
                for key in _ENTRY_TEXTS:
                    if key in entry:
                        yield (*base, field, index, key), entry[key]


def _check_review(
    document: Document, runbook: Runbook, today: date, emit: Emit, warn: Emit
) -> None:
    raw = document.data.get("review_before")
    if raw is None:
        return
    if runbook.review_before is None:
        emit(("review_before",), "bad-date", f"{raw!r} is not a real date")
    # "Date by which the runbook must be reviewed": on that day itself it is due, not overdue.
    elif runbook.review_before < today:
        warn(
            ("review_before",),
            "review-overdue",
            f"review_before {raw} has passed: review the runbook and set a new date",
        )


def _check_value_schemas(runbook: Runbook, emit: Emit) -> None:
    for step in runbook.steps.values():
        if step.value_schema is None:
            continue
        # Key order is kept: which error check_schema reports can depend on it.
        problem = (
            None
            if _surely_valid_schema(step.value_schema)
            else _value_schema_problem(json.dumps(_thaw(step.value_schema)))
        )
        if problem is not None:
            emit(
                ("steps", step.id, "value"),
                "bad-value-schema",
                f"the value schema is not a valid JSON Schema: {problem}",
            )
            continue
        for where, name in unchecked_formats(step.value_schema):
            emit(
                ("steps", step.id, "value", *where),
                "unchecked-format",
                f"format {name!r} is not checked, so any text would be recorded: use a pattern, "
                f"or one of {', '.join(sorted(CHECKED_FORMATS))}",
            )


_TYPE_NAMES = frozenset({"string", "integer", "number", "boolean", "null", "array", "object"})


def _surely_valid_schema(schema: Mapping[str, Any]) -> bool:
    """Whether a value schema is surely a valid JSON Schema without asking jsonschema (whose
    import would delay the walk's first question): only the common flat keywords, each with a
    value of the right kind. False means "ask jsonschema", never "invalid"."""
    for key, value in schema.items():
        if key == "type":
            ok = type(value) is str and value in _TYPE_NAMES
        elif key in ("title", "description"):
            ok = type(value) is str
        elif key in ("minLength", "maxLength"):
            ok = type(value) is int and value >= 0
        elif key in ("minimum", "maximum"):
            ok = type(value) in (int, float)
        elif key == "pattern":
            ok = type(value) is str and _compiles(value)
        else:
            ok = False
        if not ok:
            return False
    return True


def _compiles(pattern: str) -> bool:
    """jsonschema's own test of the `regex` format that the meta-schema asks of `pattern`."""
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


@lru_cache(maxsize=1024)
def _value_schema_problem(schema_json: str) -> str | None:
    """What is wrong with a value schema (given as JSON), checked once per distinct schema."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(json.loads(schema_json))
    except SchemaError as exc:
        return exc.message
    return None


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(item) for item in value]
    return value


def check_test_file(document: Document, runbooks: Mapping[str, Runbook]) -> list[Finding]:
    """A runbook test names a runbook that exists, and steps that exist in it (or its subs)."""
    findings: list[Finding] = []

    def emit(path: Path, code: str, message: str, key: bool = False) -> None:
        positions = document.positions
        line, column = positions.of_key(path) if key else positions.of_value(path)
        findings.append(Finding(document.file, line, column, json_path(path), code, message))

    top = str(document.data["runbook"])
    if top not in runbooks:
        emit(
            ("runbook",),
            "unknown-runbook",
            f"runbook {top!r} is not among the runbooks being tested or in the runbooks folder",
        )
        return findings
    for index, case in enumerate(document.data["cases"]):
        for key in case.get("answers", {}):
            runbook_id, _, step_id = key.rpartition("/")
            runbook = runbooks.get(runbook_id or top)
            if runbook is None or step_id not in runbook.steps:
                emit(
                    ("cases", index, "answers", key),
                    "unknown-step",
                    f"answer for step {key!r}, which is not in runbook {runbook_id or top!r}",
                    key=True,
                )
    return findings
