"""Time zero and incident-level targets: schema and semantic checks, and the model they build."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from draaiboek.load.build import build_runbook
from draaiboek.load.checks import CheckContext, check_runbook
from draaiboek.load.documents import Document
from draaiboek.load.schemacheck import schema_findings
from draaiboek.load.yamlread import read_yaml

TODAY = date(2026, 11, 23)


def _runbook(**top: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "draaiboek/1",
        "id": "doelen",
        "version": "1.0.0",
        "status": "approved",
        "title": "Doelen",
        "languages": ["nl"],
        "roles": {"caco": "CaCo"},
        "sources": {"S1": {"title": "Kamerbrief"}},
        "start": "eerste-signaal",
        "steps": {
            "eerste-signaal": {
                "type": "input",
                "title": "Tijd eerste signaal",
                "role": "caco",
                "value": {"type": "string"},
                "next": "keuze",
            },
            "keuze": {
                "type": "decision",
                "title": "Keuze",
                "role": "caco",
                "national": "scope",
                "options": [
                    {"id": "a", "label": "A", "next": "lijst"},
                    {"id": "b", "label": "B", "next": "klaar"},
                ],
            },
            "lijst": {
                "type": "checklist",
                "title": "Lijst",
                "role": "caco",
                "items": [{"id": "punt", "label": "Punt"}],
                "next": "bericht",
            },
            "bericht": {
                "type": "input",
                "title": "Publieksbericht",
                "role": "caco",
                "publishes": "public-message",
                "value": {"type": "string"},
                "next": "klaar",
            },
            "klaar": {"type": "end", "title": "Klaar", "role": "caco", "outcome": "resolved"},
        },
    }
    data.update(top)
    return data


def _document(text: str) -> Document:
    parsed, positions = read_yaml(text)
    return Document(
        file="doelen.yaml",
        format="draaiboek/1",
        data=parsed,
        positions=positions,
        raw=text.encode(),
        sha256="",
        schema_valid=True,
    )


def _codes(data: dict[str, Any]) -> list[str]:
    text = json.dumps(data)
    parsed, positions = read_yaml(text)
    schema = schema_findings("draaiboek/1", parsed, positions, "doelen.yaml")
    if schema:
        return [f.code for f in schema]
    document = _document(text)
    runbook = build_runbook(document)
    context = CheckContext(frozenset({"doelen"}), frozenset(), {}, TODAY)
    return [f.code for f in check_runbook(document, runbook, context)]


GOOD_TARGETS = [
    {
        "id": "eerste-bericht",
        "title": "Eerste publieksbericht",
        "within": "PT15M",
        "met_by": [{"step": "bericht"}, {"step": "keuze", "option": "a"}],
        "critical": True,
        "proposal": True,
        "role": "caco",
    },
    {
        "id": "ketenlijst",
        "title": "Lijst af",
        "within": "PT30M",
        "met_by": [{"step": "lijst", "item": "punt"}],
        "sources": ["S1"],
    },
    {"id": "testbellen", "title": "Testbellen", "every": "PT15M", "until": ["klaar"]},
]


def test_a_runbook_with_time_zero_and_targets_is_valid_and_builds() -> None:
    assert _codes(_runbook(time_zero="eerste-signaal", targets=GOOD_TARGETS)) == []
    runbook = build_runbook(
        _document(json.dumps(_runbook(time_zero="eerste-signaal", targets=GOOD_TARGETS)))
    )
    assert runbook.time_zero == "eerste-signaal"
    first, lijst, rounds = runbook.targets
    assert first.within == timedelta(minutes=15) and first.critical and first.proposal
    assert [(e.step, e.option) for e in first.met_by] == [("bericht", None), ("keuze", "a")]
    assert lijst.met_by[0].item == "punt"
    assert rounds.repeating and rounds.every == timedelta(minutes=15) and rounds.until == ("klaar",)
    assert runbook.steps["bericht"].publishes == "public-message"
    assert runbook.steps["keuze"].national == "scope"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"time_zero": "nergens"}, "dangling-time-zero"),
        ({"time_zero": "keuze"}, "time-zero-not-input"),
        (
            {"targets": [{"id": "x", "title": "X", "within": "PT1M", "met_by": [{"step": "weg"}]}]},
            "dangling-target",
        ),
        (
            {
                "targets": [
                    {
                        "id": "x",
                        "title": "X",
                        "within": "PT1M",
                        "met_by": [{"step": "keuze", "option": "c"}],
                    }
                ]
            },
            "dangling-target",
        ),
        (
            {
                "targets": [
                    {
                        "id": "x",
                        "title": "X",
                        "within": "PT1M",
                        "met_by": [{"step": "lijst", "item": "geen"}],
                    }
                ]
            },
            "dangling-target",
        ),
        (
            {"targets": [{"id": "x", "title": "X", "every": "PT1M", "until": ["weg"]}]},
            "dangling-until",
        ),
        ({"targets": [{"id": "x", "title": "X", "every": "PT1M"}] * 2}, "duplicate-target"),
        (
            {
                "targets": [
                    {
                        "id": "x",
                        "title": "X",
                        "every": "PT1M",
                        "within": "PT2M",
                        "met_by": [{"step": "klaar"}],
                    }
                ]
            },
            "target-kind",
        ),
        ({"targets": [{"id": "x", "title": "X", "every": "PT1M", "role": "lms"}]}, "unknown-role"),
        (
            {"targets": [{"id": "x", "title": "X", "every": "PT1M", "sources": ["S9"]}]},
            "unknown-source",
        ),
    ],
)
def test_references_that_name_nothing_are_findings(change: dict[str, Any], code: str) -> None:
    assert code in _codes(_runbook(**change))


@pytest.mark.parametrize(
    "target",
    [
        {"id": "x", "title": "X"},  # neither a deadline nor a round
        {"id": "x", "title": "X", "within": "PT1M"},  # a deadline that nothing meets
        {"id": "x", "title": "X", "within": "15 min", "met_by": [{"step": "klaar"}]},
        {"id": "x", "title": "X", "every": "PT1M", "kleur": "rood"},
    ],
)
def test_the_schema_refuses_malformed_targets(target: dict[str, Any]) -> None:
    codes = _codes(_runbook(targets=[target]))
    assert codes and all(code.startswith("schema") or "-" in code for code in codes)


def test_the_schema_refuses_unknown_marks() -> None:
    data = _runbook()
    data["steps"]["bericht"]["publishes"] = "tweet"
    assert _codes(data)
