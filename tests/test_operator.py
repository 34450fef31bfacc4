"""One rule for "who is the operator now" (draaiboek.engine.operator), used by every reader:
the walk's state (the fold), the incident list, and the report's list of operators."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from runbook_corpus import T0, TOP, load

from draaiboek.engine.fold import replay
from draaiboek.engine.operator import OPERATOR_EVENTS, operator_after, operator_of, operators_of
from draaiboek.services.incidents import summarise

RUNBOOKS = load(TOP, "sub-procedure")


def _events(*specs: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A journal's events (without hashes: the fold and the readers do not check them)."""
    return [
        {"seq": n, "at": (T0 + timedelta(minutes=n)).isoformat(), "type": kind, **fields}
        for n, (kind, fields) in enumerate(specs)
    ]


OPENED = (
    "opened",
    {"runbook": TOP, "incident": "x", "mode": "live", "operator": "Jan", "by": "Jan"},
)
ENTERED = ("entered", {"runbook": TOP, "step": "vaststellen", "by": "Jan"})

CASES = {
    "opened names the operator": ([OPENED, ENTERED], "Jan"),
    "opened without an operator field: its author": (
        [("opened", {"runbook": TOP, "by": "Jan"}), ENTERED],
        "Jan",
    ),
    "a handover gives the walk to its `to`": (
        [OPENED, ENTERED, ("handover", {"from": "Jan", "to": "Piet", "by": "Piet"})],
        "Piet",
    ),
    "whoever resumed holds the walk, even without a handover": (
        [OPENED, ENTERED, ("paused", {"reason": "user", "by": "Jan"}), ("resumed", {"by": "Kees"})],
        "Kees",
    ),
    "a resumed that names nobody changes nothing": (
        [OPENED, ENTERED, ("resumed", {})],
        "Jan",
    ),
    "a note by someone else changes nothing": (
        [
            OPENED,
            ENTERED,
            ("note", {"runbook": TOP, "step": "vaststellen", "text": "t", "by": "Ad"}),
        ],
        "Jan",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_reader_names_the_same_operator(name: str, tmp_path: Path) -> None:
    specs, expected = CASES[name]
    events = _events(*specs)
    assert operator_of(events) == expected
    assert replay(RUNBOOKS, events).operator == expected  # the walk's state
    assert summarise(tmp_path, events).operator == expected  # `draaiboek incidents`
    # A reader that found only the events that can change the operator gets the same answer.
    assert operator_of([e for e in events if e["type"] in OPERATOR_EVENTS]) == expected


def test_operator_after_one_event() -> None:
    assert operator_after("", {"type": "opened", "operator": "Jan", "by": "X"}) == "Jan"
    assert operator_after("Jan", {"type": "handover", "to": "Piet", "by": "Jan"}) == "Piet"
    assert operator_after("Jan", {"type": "handover"}) == "Jan"  # names nobody: unchanged
    assert operator_after("Jan", {"type": "resumed", "by": "Kees"}) == "Kees"
    assert operator_after("Jan", {"type": "action", "by": "Kees"}) == "Jan"


def test_no_events_name_no_operator(tmp_path: Path) -> None:
    assert operator_of([]) == ""
    assert summarise(tmp_path, []).operator is None
    assert operators_of([]) == []


def test_operators_are_everyone_who_held_the_walk_or_logged_in_it_in_order() -> None:
    events = _events(
        OPENED,
        ENTERED,
        ("note", {"runbook": TOP, "step": "vaststellen", "text": "t", "by": "Ad"}),
        ("handover", {"from": "Jan", "to": "Piet", "by": "Jan"}),
        ("resumed", {"by": "Kees"}),
        ("note", {"runbook": TOP, "step": "vaststellen", "text": "t", "by": "Jan"}),
    )
    assert operators_of(events) == ["Jan", "Ad", "Piet", "Kees"]
