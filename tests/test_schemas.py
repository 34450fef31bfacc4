"""The JSON Schemas themselves, checked with tools that know nothing of draaiboek's own loader.

An editor with the YAML language server uses only the schema file, so the schema alone must
accept every valid file and refuse the mistakes an author makes. Here files are read with plain
`yaml.safe_load` and checked with `jsonschema.Draft202012Validator`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "schemas"
VALID = REPO / "tests" / "corpus" / "valid"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_LINE = re.compile(r"# yaml-language-server: \$schema=(?P<path>\S+)")

SCHEMA_FILES = sorted(SCHEMAS.glob("*.schema.json"))


def _yaml_files() -> list[Path]:
    found = [
        p
        for folder in (REPO / "runbooks", VALID)
        for p in sorted(folder.rglob("*"))
        if p.suffix in (".yaml", ".yml") and p.is_file()
    ]
    return found


@cache
def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


def _plain(value: Any) -> Any:
    """safe_load reads an unquoted 2099-12-31 as a date (YAML 1.1); JSON and the YAML 1.2 that
    the language server speaks see text. Turn dates back into that text."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _load(path: Path) -> Any:
    return _plain(yaml.safe_load(path.read_text(encoding="utf-8")))


def _keywords(errors: Iterator[ValidationError]) -> set[str]:
    """Every failing keyword, also those inside oneOf/anyOf."""
    found: set[str] = set()
    todo = list(errors)
    while todo:
        error = todo.pop()
        found.add(str(error.validator))
        todo.extend(error.context or ())
    return found


def _runbook_errors(data: dict[str, Any]) -> set[str]:
    return _keywords(Draft202012Validator(_schema("runbook.schema.json")).iter_errors(data))


def _every_step_type() -> dict[str, Any]:
    data: dict[str, Any] = _load(VALID / "every-step-type.yaml")
    return data


# --- the schemas as schemas --------------------------------------------------------------------


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_is_valid_draft_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT_2020_12
    # A versioned URN (no public URL exists): kind and version follow the file's `format:`,
    # e.g. draaiboek-contacts/1 -> urn:draaiboek:schema:contacts:1.
    kind = path.name.removesuffix(".schema.json")
    version = schema["properties"]["format"]["const"].rsplit("/", 1)[1]
    assert schema["$id"] == f"urn:draaiboek:schema:{kind}:{version}"
    assert schema.get("title")


def test_schema_ids_are_unique() -> None:
    ids = [json.loads(p.read_text(encoding="utf-8"))["$id"] for p in SCHEMA_FILES]
    assert len(ids) == len(set(ids)) >= 3


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_local_ref_resolves(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(schema)
    refs = set(re.findall(r'"\$ref": "([^"]+)"', text))
    assert refs, "a schema without $defs references is unexpected here"
    for ref in refs:
        assert ref.startswith("#/"), ref
        node: Any = schema
        for part in ref[2:].split("/"):
            node = node[part]
        assert isinstance(node, dict), ref


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_format_key_is_a_constant_and_required(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert "format" in schema["required"]
    assert re.fullmatch(r"draaiboek(-[a-z]+)?/1", schema["properties"]["format"]["const"])
    assert schema["additionalProperties"] is False


# --- valid files -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yaml")), ids=lambda p: p.name)
def test_independent_validator_accepts_valid_corpus(path: Path) -> None:
    data = _load(path)
    schema = next(
        json.loads(p.read_text(encoding="utf-8"))
        for p in SCHEMA_FILES
        if json.loads(p.read_text(encoding="utf-8"))["properties"]["format"]["const"]
        == data["format"]
    )
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_yaml_file_names_its_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = SCHEMA_LINE.fullmatch(first)
    assert match, f"{path} must start with '# yaml-language-server: $schema=<relative path>'"
    target = (path.parent / match["path"]).resolve()
    assert target.is_file(), f"{match['path']} does not exist (relative to {path.parent})"
    assert not Path(match["path"]).is_absolute()
    # ... and it is the schema for what the file says it is.
    schema = json.loads(target.read_text(encoding="utf-8"))
    assert schema["properties"]["format"]["const"] == _load(path)["format"]


# --- the runbook schema refuses mistakes -------------------------------------------------------


def test_the_base_runbook_is_valid() -> None:
    assert _runbook_errors(_every_step_type()) == set()


Mutation = Callable[[dict[str, Any]], None]


def _step(data: dict[str, Any], step_type: str) -> dict[str, Any]:
    step: dict[str, Any] = next(s for s in data["steps"].values() if s["type"] == step_type)
    return step


def _set(path: tuple[str | int, ...], value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _delete(path: tuple[str | int, ...]) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return mutate


def _in_step(step_type: str, key: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        _step(data, step_type)[key] = value

    return mutate


def _without_in_step(step_type: str, key: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        del _step(data, step_type)[key]

    return mutate


def _rename_step(old: str, new: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data["steps"][new] = data["steps"].pop(old)

    return mutate


STEP_TYPES = ("decision", "action", "checklist", "input", "runbook", "end")
UNKNOWN_KEY = {"additionalProperties", "unevaluatedProperties"}

MUTATIONS: list[Any] = [
    # unknown keys
    pytest.param(_set(("auteur",), "Jan"), UNKNOWN_KEY, id="unknown-key-top"),
    *[
        pytest.param(_in_step(t, "deadline", "PT15M"), UNKNOWN_KEY, id=f"unknown-key-in-{t}")
        for t in STEP_TYPES
    ],
    pytest.param(
        _set(("steps", "vaststellen", "options", 0, "score"), 3),
        UNKNOWN_KEY,
        id="unknown-key-in-option",
    ),
    pytest.param(
        _set(("steps", "lijst", "items", 0, "owner"), "x"), UNKNOWN_KEY, id="unknown-key-in-item"
    ),
    pytest.param(
        _set(("sources", "S1", "uri"), "https://x"), UNKNOWN_KEY, id="unknown-key-in-source"
    ),
    # a key of another step type is unknown too
    pytest.param(_in_step("action", "options", []), UNKNOWN_KEY, id="options-in-action"),
    pytest.param(_in_step("end", "next", "klaar"), UNKNOWN_KEY, id="next-in-end"),
    pytest.param(_in_step("decision", "next", "klaar"), UNKNOWN_KEY, id="next-in-decision"),
    # wrong types
    pytest.param(_set(("languages",), "nl"), {"type"}, id="languages-string"),
    pytest.param(_set(("steps",), ["vaststellen"]), {"type"}, id="steps-list"),
    pytest.param(_set(("title",), 112), {"type"}, id="title-number"),
    pytest.param(_in_step("action", "critical", "ja"), {"type"}, id="critical-string"),
    pytest.param(_in_step("input", "value", "string"), {"type"}, id="value-not-object"),
    pytest.param(_set(("version",), 1.2), {"type"}, id="version-number"),
    # unknown step type, bad enums
    pytest.param(_in_step("action", "type", "besluit"), {"enum"}, id="unknown-step-type"),
    pytest.param(_set(("status",), "concept"), {"enum"}, id="bad-status"),
    pytest.param(_in_step("end", "outcome", "klaar"), {"enum"}, id="bad-outcome"),
    pytest.param(_set(("format",), "draaiboek/2"), {"const"}, id="bad-format-name"),
    # bad ids
    pytest.param(_set(("id",), "Mijn_Draaiboek"), {"pattern"}, id="bad-runbook-id"),
    pytest.param(_set(("id",), "-begint-met-streep"), {"pattern"}, id="id-leading-dash"),
    pytest.param(_set(("id",), "dubbel--streepje"), {"pattern"}, id="id-double-dash"),
    pytest.param(_set(("id",), "a" * 65), {"maxLength"}, id="id-too-long"),
    pytest.param(_rename_step("lijst", "Lijst"), {"pattern"}, id="bad-step-id"),
    pytest.param(
        _set(("steps", "vaststellen", "options", 0, "id"), "Ja!"), {"pattern"}, id="bad-option-id"
    ),
    pytest.param(_set(("start",), "Start Hier"), {"pattern"}, id="bad-start"),
    pytest.param(_in_step("action", "role", "CaCo"), {"pattern"}, id="bad-role-id"),
    # bad durations
    *[
        pytest.param(
            _in_step("action", "due", bad), {"pattern"}, id=f"bad-duration-{bad or 'empty'}"
        )
        for bad in ("15M", "PT15m", "PT", "P", "PT1.5M", "P1W", "P1DT", "15", "", "PT15M ")
    ],
    pytest.param(
        _set(("steps", "lijst", "items", 0, "due"), "10 minuten"),
        {"pattern"},
        id="bad-item-duration",
    ),
    # other forms
    pytest.param(_set(("version",), "1.0"), {"pattern"}, id="version-two-parts"),
    pytest.param(_set(("version",), "v1.0.0"), {"pattern"}, id="version-with-v"),
    pytest.param(_set(("version",), "01.0.0"), {"pattern"}, id="version-leading-zero"),
    pytest.param(_set(("review_before",), "31-12-2099"), {"pattern"}, id="bad-review-date"),
    pytest.param(_set(("languages",), ["NL"]), {"pattern"}, id="bad-language"),
    pytest.param(_set(("languages",), ["nl", "nl"]), {"uniqueItems"}, id="language-twice"),
    pytest.param(_set(("sources", "S1", "url"), "ftp://x"), {"pattern"}, id="bad-url"),
    # too few, empty
    pytest.param(_set(("languages",), []), {"minItems"}, id="no-languages"),
    pytest.param(_set(("steps",), {}), {"minProperties"}, id="no-steps"),
    pytest.param(
        _set(("steps", "vaststellen", "options"), [{"id": "a", "label": "A", "next": "klaar"}]),
        {"minItems"},
        id="one-option",
    ),
    pytest.param(_set(("steps", "lijst", "items"), []), {"minItems"}, id="no-items"),
    pytest.param(_set(("title",), ""), {"minLength"}, id="empty-title"),
    # missing required keys
    *[
        pytest.param(_delete((key,)), {"required"}, id=f"missing-{key}")
        for key in ("format", "id", "version", "status", "title", "languages", "start", "steps")
    ],
    *[
        pytest.param(_without_in_step(t, "title"), {"required"}, id=f"{t}-without-title")
        for t in STEP_TYPES
    ],
    pytest.param(_without_in_step("action", "type"), {"required"}, id="step-without-type"),
    pytest.param(_without_in_step("action", "next"), {"required"}, id="action-without-next"),
    pytest.param(
        _without_in_step("decision", "options"), {"required"}, id="decision-without-options"
    ),
    pytest.param(
        _without_in_step("checklist", "items"), {"required"}, id="checklist-without-items"
    ),
    pytest.param(_without_in_step("input", "value"), {"required"}, id="input-without-value"),
    pytest.param(
        _without_in_step("runbook", "runbook"), {"required"}, id="runbook-without-runbook"
    ),
    pytest.param(_without_in_step("end", "outcome"), {"required"}, id="end-without-outcome"),
    pytest.param(
        _delete(("steps", "vaststellen", "options", 0, "next")),
        {"required"},
        id="option-without-next",
    ),
    pytest.param(
        _delete(("steps", "lijst", "items", 0, "label")), {"required"}, id="item-without-label"
    ),
    pytest.param(_delete(("sources", "S1", "title")), {"required"}, id="source-without-title"),
    pytest.param(
        _set(("approval",), {"date": "2026-01-01"}), {"required"}, id="approval-without-by"
    ),
]


@pytest.mark.parametrize(("mutate", "keywords"), MUTATIONS)
def test_independent_validator_rejects(mutate: Mutation, keywords: set[str]) -> None:
    data = copy.deepcopy(_every_step_type())
    mutate(data)
    failing = _runbook_errors(data)
    assert failing, "the schema accepted a broken runbook"
    assert failing & keywords, f"expected a {keywords} error, got {failing}"


@pytest.mark.parametrize(
    "duration", ["PT15M", "PT1H30M", "P1D", "P2DT3H", "PT0S", "PT45S", "P1DT1H1M1S", "PT90M"]
)
def test_independent_validator_accepts_durations(duration: str) -> None:
    data = copy.deepcopy(_every_step_type())
    _step(data, "action")["due"] = duration
    assert _runbook_errors(data) == set()


@pytest.mark.parametrize("version", ["0.1.0", "1.0.0", "10.20.30", "1.0.0-rc.1"])
def test_independent_validator_accepts_versions(version: str) -> None:
    data = copy.deepcopy(_every_step_type())
    data["version"] = version
    assert _runbook_errors(data) == set()


def test_text_is_a_string_or_a_language_map() -> None:
    data = copy.deepcopy(_every_step_type())
    data["title"] = "Alleen Nederlands"
    assert _runbook_errors(data) == set()
    data["title"] = {"nl": "Titel", "en": "Title", "fr": "Titre"}
    assert _runbook_errors(data) == set()  # another language is the checks' business
    for bad, keyword in [
        ({"nl": "x", "EN": "y"}, "pattern"),
        ({}, "minProperties"),
        ({"nl": ""}, "minLength"),
        ({"nl": 5}, "type"),
        ("", "minLength"),
        (["nl", "x"], "type"),
        (None, "type"),
    ]:
        data["title"] = bad
        assert keyword in _runbook_errors(data), bad


# --- the contacts schema -----------------------------------------------------------------------


def test_contacts_schema_refuses_mistakes() -> None:
    validator = Draft202012Validator(_schema("contacts.schema.json"))
    base = _load(VALID / "contacts.yaml")
    assert list(validator.iter_errors(base)) == []
    for mutate, keyword in [
        (_set(("contacts", "kpn-noc", "fax"), "x"), "additionalProperties"),
        (_set(("contacts", "kpn-noc", "numbers", 0, "number"), "bel KPN"), "pattern"),
        (_delete(("contacts", "kpn-noc", "numbers")), "required"),
        (_set(("contacts", "kpn-noc", "example"), "ja"), "type"),
        (_rename_step_in("contacts", "kpn-noc", "KPN_NOC"), "pattern"),
    ]:
        data = copy.deepcopy(base)
        mutate(data)
        assert keyword in _keywords(validator.iter_errors(data)), keyword


def _rename_step_in(parent: str, old: str, new: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data[parent][new] = data[parent].pop(old)

    return mutate
