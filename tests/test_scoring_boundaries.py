"""A scenario expectation's `within` is met up to and including its limit, late just after it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from draaiboek.load.scenario import Expectation, load_scenario
from draaiboek.services.scoring import LATE, MET, score

SCENARIO = Path(__file__).resolve().parent / "corpus" / "scenarios" / "elk-staptype.yaml"
TOP = "every-step-type"


def _meeting(x: Expectation) -> dict[str, Any]:
    """An event that meets `x` (without its time)."""
    if x.kind == "note":
        return {"type": "note", "runbook": TOP, "step": "vaststellen", "text": "genoteerd"}
    if x.kind == "action_done":
        kind = "item" if x.item is not None else "action"
        return {
            "type": kind,
            "runbook": x.runbook,
            "step": x.step,
            "item": x.item,
            "result": "done",
        }
    return {"type": "answered", "runbook": x.runbook, "step": x.step, "option": x.option}


@pytest.mark.parametrize(
    ("after_limit", "status"),
    [
        (timedelta(microseconds=-1), MET),
        (timedelta(0), MET),  # exactly at the limit counts as in time
        (timedelta(microseconds=1), LATE),
    ],
)
def test_within_is_met_up_to_and_including_its_limit(after_limit: timedelta, status: str) -> None:
    scenario, _document, findings = load_scenario(SCENARIO)
    assert scenario is not None, findings
    timed = [x for x in scenario.expectations if x.within is not None]
    assert {x.kind for x in timed} == {"reached", "action_done", "note"}  # every kind of deadline
    for x in timed:
        assert x.within is not None
        at = scenario.start + x.within + after_limit
        event = {"seq": 1, "at": at.isoformat(), "by": "Jan", **_meeting(x)}
        card = score(scenario, [event])
        outcome = next(o for o in card.outcomes if o.expectation.id == x.id)
        assert (outcome.status, outcome.offset) == (status, x.within + after_limit), x.id
        assert outcome.points == (x.points if status == MET else 0)
