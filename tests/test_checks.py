"""Property tests for the graph checks, against independent searches written here; durations.

Random step graphs are generated as runbook data, read by the reader (positions) and built into
the model, then checked. The expected findings come from a plain BFS forwards from `start` and a
plain search backwards from the end steps, not from draaiboek's own code.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from draaiboek.load.build import build_runbook
from draaiboek.load.checks import CheckContext, check_runbook
from draaiboek.load.documents import Document
from draaiboek.load.schemacheck import json_path, schema_findings
from draaiboek.load.yamlread import read_yaml
from draaiboek.model.durations import format_duration, parse_duration
from draaiboek.model.runbook import Finding

REPO = Path(__file__).resolve().parent.parent
DURATION_PATTERN = json.loads((REPO / "schemas" / "runbook.schema.json").read_text("utf-8"))[
    "$defs"
]["duration"]["pattern"]
DANGLING = ("nergens", "weg")  # step ids that never exist
TODAY = date(2026, 11, 23)
BOUNDED = settings(max_examples=60, deadline=None)


@dataclass(frozen=True)
class Graph:
    kinds: dict[str, str]  # step id -> type
    edges: dict[str, list[str]]  # step id -> successors, in order (option order for decisions)
    start: str


@st.composite
def graphs(draw: st.DrawFn, dangling: bool = False) -> Graph:
    count = draw(st.integers(min_value=1, max_value=9))
    ids = [f"s{i}" for i in range(count)]
    targets = st.sampled_from(ids + list(DANGLING)) if dangling else st.sampled_from(ids)
    kinds: dict[str, str] = {}
    edges: dict[str, list[str]] = {}
    for step_id in ids:
        kind = draw(st.sampled_from(["end", "action", "decision", "checklist", "input"]))
        kinds[step_id] = kind
        if kind == "end":
            edges[step_id] = []
        elif kind == "decision":
            edges[step_id] = draw(st.lists(targets, min_size=2, max_size=3))
        else:
            edges[step_id] = [draw(targets)]
    return Graph(kinds, edges, draw(st.sampled_from(ids)))


def _step(kind: str, successors: list[str]) -> dict[str, Any]:
    step: dict[str, Any] = {"type": kind, "title": "Stap", "role": "caco"}
    if kind == "end":
        step["outcome"] = "resolved"
    elif kind == "decision":
        step["options"] = [
            {"id": f"o{index}", "label": "Keuze", "next": target}
            for index, target in enumerate(successors)
        ]
    else:
        step["next"] = successors[0]
        if kind == "checklist":
            step["items"] = [{"id": "punt", "label": "Punt"}]
        elif kind == "input":
            step["value"] = {"type": "string"}
    return step


def _runbook_data(graph: Graph, start: str | None = None) -> dict[str, Any]:
    return {
        "format": "draaiboek/1",
        "id": "eigenschap",
        "version": "1.0.0",
        "status": "draft",
        "title": "Eigenschap",
        "languages": ["nl"],
        "roles": {"caco": "Calamiteitencoördinator"},
        "start": graph.start if start is None else start,
        "steps": {
            step_id: _step(graph.kinds[step_id], graph.edges[step_id]) for step_id in graph.kinds
        },
    }


def _check(data: Mapping[str, Any], context: CheckContext | None = None) -> list[Finding]:
    text = json.dumps(data, indent=1)  # JSON is YAML: one value per line, so positions differ
    parsed, positions = read_yaml(text)
    assert schema_findings("draaiboek/1", parsed, positions, "eigenschap.yaml") == []
    document = Document(
        file="eigenschap.yaml",
        format="draaiboek/1",
        data=parsed,
        positions=positions,
        raw=text.encode(),
        sha256="",
        schema_valid=True,
    )
    runbook = build_runbook(document)
    context = context or CheckContext(
        runbook_ids=frozenset({"eigenschap"}), contact_ids=frozenset(), calls={}, today=TODAY
    )
    return check_runbook(document, runbook, context)


def _paths(findings: list[Finding], code: str) -> set[str]:
    chosen = [f.path for f in findings if f.code == code]
    assert len(chosen) == len(set(chosen)), f"{code} reported twice for one place"
    return set(chosen)


def _forward(graph: Graph) -> set[str]:
    seen = {graph.start}
    queue = deque([graph.start])
    while queue:
        for target in graph.edges[queue.popleft()]:
            if target in graph.kinds and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _can_finish(graph: Graph) -> set[str]:
    predecessors: dict[str, list[str]] = {step_id: [] for step_id in graph.kinds}
    for source, targets in graph.edges.items():
        for target in targets:
            if target in predecessors:
                predecessors[target].append(source)
    seen = {step_id for step_id, kind in graph.kinds.items() if kind == "end"}
    queue = deque(seen)
    while queue:
        for source in predecessors[queue.popleft()]:
            if source not in seen:
                seen.add(source)
                queue.append(source)
    return seen


def _has_dangling(graph: Graph, step_id: str) -> bool:
    return any(target not in graph.kinds for target in graph.edges[step_id])


# --- graph checks ------------------------------------------------------------------------------


@BOUNDED
@given(graph=graphs())
def test_unreachable_step_is_exactly_the_steps_bfs_does_not_reach(graph: Graph) -> None:
    findings = _check(_runbook_data(graph))
    unreachable = set(graph.kinds) - _forward(graph)
    assert _paths(findings, "unreachable-step") == {f"$.steps.{s}" for s in unreachable}


@BOUNDED
@given(graph=graphs())
def test_no_way_out_is_exactly_the_reachable_steps_that_cannot_finish(graph: Graph) -> None:
    findings = _check(_runbook_data(graph))
    trapped = _forward(graph) - _can_finish(graph)
    assert _paths(findings, "no-way-out") == {f"$.steps.{s}" for s in trapped}
    assert {f.code for f in findings} <= {"unreachable-step", "no-way-out"}


@BOUNDED
@given(graph=graphs(dangling=True))
def test_dangling_next_is_exactly_the_bad_references(graph: Graph) -> None:
    findings = _check(_runbook_data(graph))
    expected: set[str] = set()
    for step_id, targets in graph.edges.items():
        for index, target in enumerate(targets):
            if target in graph.kinds:
                continue
            if graph.kinds[step_id] == "decision":
                expected.add(f"$.steps.{step_id}.options[{index}].next")
            else:
                expected.add(f"$.steps.{step_id}.next")
    assert _paths(findings, "dangling-next") == expected
    # The searches skip references to nowhere; a step that leads nowhere already has its
    # dangling-next, so it is not also called a trap.
    reachable = _forward(graph)
    assert _paths(findings, "unreachable-step") == {
        f"$.steps.{s}" for s in set(graph.kinds) - reachable
    }
    trapped = {s for s in reachable - _can_finish(graph) if not _has_dangling(graph, s)}
    assert _paths(findings, "no-way-out") == {f"$.steps.{s}" for s in trapped}


@BOUNDED
@given(graph=graphs(), start=st.sampled_from(DANGLING))
def test_a_dangling_start_stops_the_graph_checks(graph: Graph, start: str) -> None:
    findings = _check(_runbook_data(graph, start=start))
    assert [(f.code, f.path) for f in findings] == [("dangling-start", "$.start")]


@BOUNDED
@given(graph=graphs())
def test_graph_findings_point_at_the_step_id(graph: Graph) -> None:
    data = _runbook_data(graph)
    text = json.dumps(data, indent=1)
    lines = text.splitlines()
    for finding in _check(data):
        if finding.code in ("unreachable-step", "no-way-out"):
            step_id = finding.path.removeprefix("$.steps.")
            line = lines[finding.line - 1]
            assert line[finding.column - 1 :].startswith(f'"{step_id}": {{'), (finding, line)


def test_a_trap_cycle_reports_each_step_in_it() -> None:
    graph = Graph(
        kinds={"vraag": "decision", "a": "action", "b": "action", "einde": "end"},
        edges={"vraag": ["einde", "a"], "a": ["b"], "b": ["a"], "einde": []},
        start="vraag",
    )
    findings = _check(_runbook_data(graph))
    assert sorted((f.code, f.path) for f in findings) == [
        ("no-way-out", "$.steps.a"),
        ("no-way-out", "$.steps.b"),
    ]


# --- languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "step_id",
    # A step may be called like a text field, or like a field that holds no texts.
    ["gewoon", "note", "title", "text", "label", "description", "value", "sources", "roles"],
)
def test_missing_language_in_a_step_whatever_its_id(step_id: str) -> None:
    both = {"nl": "Tekst", "en": "Text"}
    data = {
        "format": "draaiboek/1",
        "id": "talen",
        "version": "1.0.0",
        "status": "draft",
        "title": both,
        "languages": ["nl", "en"],
        "roles": {"caco": both},
        "start": step_id,
        "steps": {
            step_id: {
                "type": "action",
                "title": {"nl": "Alleen Nederlands"},
                "role": "caco",
                "next": "einde",
            },
            "einde": {"type": "end", "title": both, "role": "caco", "outcome": "resolved"},
        },
    }
    findings = _check(data)
    assert [(f.code, f.path, f.severity.value) for f in findings] == [
        ("missing-language", f"$.steps.{step_id}.title", "warning")
    ]


def _every_text(two: dict[str, str]) -> tuple[dict[str, Any], dict[str, tuple[str | int, ...]]]:
    """A schema-valid runbook with `two` in every text field the format has, and for each
    place in the schema where a text is defined (`$ref: #/$defs/text`), the path of its text."""
    step = {"title": two, "text": two, "note": two, "role": "caco"}
    data: dict[str, Any] = {
        "format": "draaiboek/1",
        "id": "talen",
        "version": "1.0.0",
        "status": "draft",
        "title": two,
        "description": two,
        "languages": ["nl", "en"],
        "approval": {"by": "Jan", "note": two},
        "roles": {"caco": two},
        "sources": {"S1": {"title": "Kamerbrief", "note": two}},
        "targets": [{"id": "doel", "title": two, "text": two, "note": two, "every": "PT15M"}],
        "start": "vraag",
        "steps": {
            "vraag": {
                **step,
                "type": "decision",
                "options": [
                    {"id": "a", "label": two, "text": two, "next": "actie"},
                    {"id": "b", "label": two, "next": "actie"},
                ],
            },
            "actie": {**step, "type": "action", "next": "lijst"},
            "lijst": {
                **step,
                "type": "checklist",
                "items": [{"id": "p", "label": two, "text": two}],
                "next": "invoer",
            },
            "invoer": {**step, "type": "input", "value": {"type": "string"}, "next": "sub"},
            "sub": {**step, "type": "runbook", "runbook": "elders", "next": "einde"},
            "einde": {**step, "type": "end", "outcome": "resolved"},
        },
    }
    places: dict[str, tuple[str | int, ...]] = {
        "properties/title": ("title",),
        "properties/description": ("description",),
        "properties/approval/properties/note": ("approval", "note"),
        "properties/roles/additionalProperties": ("roles", "caco"),
        "$defs/source/properties/note": ("sources", "S1", "note"),
        "$defs/option/properties/label": ("steps", "vraag", "options", 0, "label"),
        "$defs/option/properties/text": ("steps", "vraag", "options", 0, "text"),
        "$defs/item/properties/label": ("steps", "lijst", "items", 0, "label"),
        "$defs/item/properties/text": ("steps", "lijst", "items", 0, "text"),
    }
    for definition, step_id in (
        ("decision", "vraag"),
        ("action", "actie"),
        ("checklist", "lijst"),
        ("input", "invoer"),
        ("runbook", "sub"),
        ("end", "einde"),
    ):
        for key in ("title", "text", "note"):
            places[f"$defs/{definition}/properties/{key}"] = ("steps", step_id, key)
    for key in ("title", "text", "note"):
        places[f"$defs/target/properties/{key}"] = ("targets", 0, key)
    return data, places


def _text_places_in_schema(node: Any, where: str = "") -> set[str]:
    if isinstance(node, dict):
        found = {where.lstrip("/")} if node.get("$ref") == "#/$defs/text" else set()
        for key, value in node.items():
            found |= _text_places_in_schema(value, f"{where}/{key}")
        return found
    return set()


def test_the_language_check_knows_every_text_the_format_has() -> None:
    schema = json.loads((REPO / "schemas" / "runbook.schema.json").read_text("utf-8"))
    data, places = _every_text({"nl": "Tekst", "en": "Text"})
    # A text added to the format must be added here (and so to the check) to pass.
    assert set(places) == _text_places_in_schema(schema)
    assert [f for f in _check(data) if f.code == "missing-language"] == []


@pytest.mark.parametrize("missing", ["nl", "en"])  # nl is the default: the first of languages
def test_a_text_missing_any_language_is_reported_wherever_it_stands(missing: str) -> None:
    data, places = _every_text({"nl": "Tekst", "en": "Text"})
    for path in places.values():
        changed = json.loads(json.dumps(data))
        parent = changed
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = {"nl": "Alleen Nederlands"} if missing == "en" else {"en": "Only"}
        found = [f for f in _check(changed) if f.code == "missing-language"]
        assert [(f.path, f.severity.value) for f in found] == [(json_path(path), "warning")], path
        assert f"text has no {missing} version" in found[0].message


def test_a_plain_string_counts_as_the_default_language_only() -> None:
    data, _ = _every_text({"nl": "Tekst", "en": "Text"})
    data["title"] = "Alleen in de standaardtaal"
    found = [f for f in _check(data) if f.code == "missing-language"]
    assert [f.path for f in found] == ["$.title"] and "given in nl only" in found[0].message
    data["languages"] = ["nl"]
    data["title"] = {"en": "Only English"}  # one language, and it is not there
    found = [f for f in _check(data) if f.code == "missing-language"]
    assert [f.path for f in found] == ["$.title"] and "no nl version" in found[0].message


# --- review date and value schemas -----------------------------------------------------------


@pytest.mark.parametrize(
    ("review_before", "overdue"),
    [
        (TODAY - timedelta(days=1), True),
        (TODAY, False),  # "by which it must be reviewed": due today, not yet overdue
        (TODAY + timedelta(days=1), False),
    ],
)
def test_review_before_is_overdue_only_after_its_day(review_before: date, overdue: bool) -> None:
    data = _runbook_data(Graph(kinds={"einde": "end"}, edges={"einde": []}, start="einde"))
    data["review_before"] = review_before.isoformat()
    codes = [(f.code, f.path, f.severity.value) for f in _check(data)]
    assert codes == ([("review-overdue", "$.review_before", "warning")] if overdue else [])


@pytest.mark.parametrize(
    ("value", "unchecked"),
    [
        ({"type": "string", "format": "time"}, []),
        ({"type": "string", "format": "date-time"}, []),
        ({"type": "string", "format": "date"}, []),
        ({"type": "string", "format": "email"}, []),
        ({"type": "string", "format": "uri"}, ["$.steps.s0.value.format"]),
        ({"type": "string", "format": "tijd"}, ["$.steps.s0.value.format"]),
        (
            {"anyOf": [{"format": "duration"}, {"format": "time"}]},
            ["$.steps.s0.value.anyOf[0].format"],
        ),
        ({"type": "string", "examples": [{"format": "uri"}]}, []),  # an example, not a schema
    ],
)
def test_a_value_format_that_is_not_checked_is_an_error(
    value: dict[str, Any], unchecked: list[str]
) -> None:
    graph = Graph(kinds={"s0": "input", "s1": "end"}, edges={"s0": ["s1"], "s1": []}, start="s0")
    data = _runbook_data(graph)
    data["steps"]["s0"]["value"] = value
    found = [f for f in _check(data) if f.code == "unchecked-format"]
    assert [f.path for f in found] == unchecked
    assert all(f.severity.value == "error" and "use a pattern" in f.message for f in found)


# --- sub-runbook calls -------------------------------------------------------------------------


@BOUNDED
@given(
    calls=st.dictionaries(
        st.sampled_from(["a", "b", "c", "d"]),
        st.frozensets(st.sampled_from(["a", "b", "c", "d"]), max_size=3),
        min_size=1,
    ),
    callee=st.sampled_from(["a", "b", "c", "d", "onbekend"]),
)
def test_runbook_cycle_exactly_when_the_callee_calls_back(
    calls: dict[str, frozenset[str]], callee: str
) -> None:
    known = frozenset({"a", "b", "c", "d", "eigenschap"})
    every = {**calls, "eigenschap": frozenset({callee})}
    data = _runbook_data(
        Graph(
            kinds={"sub": "action", "einde": "end"},
            edges={"sub": ["einde"], "einde": []},
            start="sub",
        )
    )
    data["steps"]["sub"] = {
        "type": "runbook",
        "title": "Sub",
        "role": "caco",
        "runbook": callee,
        "next": "einde",
    }
    context = CheckContext(runbook_ids=known, contact_ids=frozenset(), calls=every, today=TODAY)
    codes = [(f.code, f.path) for f in _check(data, context)]
    # Independent: can the callee reach "eigenschap" again through the calls?
    seen, queue = {callee}, deque([callee])
    while queue:
        for next_id in every.get(queue.popleft(), frozenset()):
            if next_id not in seen:
                seen.add(next_id)
                queue.append(next_id)
    if callee not in known:
        assert codes == [("unknown-runbook", "$.steps.sub.runbook")]
    elif "eigenschap" in seen:
        assert codes == [("runbook-cycle", "$.steps.sub.runbook")]
    else:
        assert codes == []


# --- durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT15M", timedelta(minutes=15)),
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("P1D", timedelta(days=1)),
        ("P1DT2H3M4S", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("PT0S", timedelta(0)),
        ("PT90M", timedelta(minutes=90)),
        ("PT45S", timedelta(seconds=45)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "15M", "PT15", "PT1.5M", "P1W", "pt15m", "PT15M ", "-PT1M", "P1Y"]
)
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(minutes=15), "PT15M"),
        (timedelta(hours=1, minutes=30), "PT1H30M"),
        (timedelta(days=2), "P2D"),
        (timedelta(days=1, seconds=1), "P1DT1S"),
        (timedelta(0), "PT0S"),
        (timedelta(minutes=90), "PT1H30M"),
    ],
)
def test_format_duration(value: timedelta, expected: str) -> None:
    assert format_duration(value) == expected


@BOUNDED
@given(seconds=st.integers(min_value=0, max_value=400 * 86400))
def test_format_then_parse_is_the_identity(seconds: int) -> None:
    value = timedelta(seconds=seconds)
    text = format_duration(value)
    assert re.fullmatch(DURATION_PATTERN, text), text  # what it writes, the schema accepts
    assert parse_duration(text) == value


@BOUNDED
@given(parts=st.tuples(*[st.one_of(st.none(), st.integers(0, 500))] * 4))
def test_parse_then_format_is_canonical(parts: tuple[int | None, ...]) -> None:
    days, hours, minutes, seconds = parts
    clock = "".join(
        f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n is not None
    )
    text = "P" + (f"{days}D" if days is not None else "") + (f"T{clock}" if clock else "")
    assume(text != "P")
    assert re.fullmatch(DURATION_PATTERN, text)
    value = parse_duration(text)
    assert value == timedelta(
        days=days or 0, hours=hours or 0, minutes=minutes or 0, seconds=seconds or 0
    )
    assert parse_duration(format_duration(value)) == value
    assert format_duration(parse_duration(format_duration(value))) == format_duration(value)


_SCHEMA_VALUES = st.one_of(
    st.sampled_from(["string", "integer", "number", "array", "object", "colour", "^[0-9]+$"]),
    st.sampled_from(["[", "(?P<x", "a{2,1}", "\\d{4}", ""]),
    st.integers(min_value=-3, max_value=200),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.lists(st.sampled_from(["string", "null"]), max_size=2),
)
_SCHEMA_KEYS = st.sampled_from(
    ["type", "pattern", "minLength", "maxLength", "minimum", "maximum", "title", "format", "enum"]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_SCHEMA_KEYS, _SCHEMA_VALUES, max_size=4))
def test_value_schema_short_cut_passes_only_what_jsonschema_accepts(schema: dict[str, Any]) -> None:
    """The check without jsonschema (kept off the walk's start) says "surely valid" only for a
    schema that jsonschema's own check_schema accepts; the flat schemas of real runbooks pass."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    from draaiboek.load.checks import _surely_valid_schema

    if _surely_valid_schema(schema):
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:  # pragma: no cover - the failure being tested for
            pytest.fail(f"{schema!r} passed the short cut but jsonschema says: {exc.message}")
    for flat in (
        {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
        {"type": "integer", "minimum": 0, "maximum": 100000},
        {"type": "string", "minLength": 2, "maxLength": 120},
    ):
        assert _surely_valid_schema(flat)
