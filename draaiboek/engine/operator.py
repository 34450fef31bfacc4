"""Who holds a walk: the operator as the journal's events hand it on (one rule for every reader).

The walk's state (`fold`), the incident list and head (`services.incidents`) and the report all
ask "who is the operator now" (or "who held the walk"); they all answer it here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The only event types that change the operator: a reader that finds just these (every one of
# them) gets from `operator_of` what replaying the whole journal gives.
OPERATOR_EVENTS = ("opened", "handover", "resumed")


def operator_after(operator: str, event: Mapping[str, Any]) -> str:
    """The operator after `event`, given the one before it ("" before the first event).

    `opened` names the operator (its `operator` field, else its author `by`); a `handover`
    gives the walk to its `to`; whoever `resumed` the walk holds it (when the event names them).
    Every other event leaves the operator as it was.
    """
    kind = event.get("type")
    if kind == "opened":
        return str(event.get("operator") or event.get("by") or "")
    if kind == "handover":
        return str(event.get("to") or operator)
    if kind == "resumed":
        return str(event.get("by") or operator)
    return operator


def operator_of(events: Iterable[Mapping[str, Any]]) -> str:
    """The operator after these events, in journal order ("" when none names one).

    Only OPERATOR_EVENTS matter: passing just those (every one of them) gives the same answer.
    """
    operator = ""
    for event in events:
        operator = operator_after(operator, event)
    return operator


def operators_of(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """Everyone who held the walk or logged an event in it, once each, in order of appearance."""
    found: dict[str, None] = {}
    operator = ""
    for event in events:
        by = str(event.get("by") or "")
        if by:
            found[by] = None
        operator = operator_after(operator, event)
        if operator:
            found[operator] = None
    return list(found)
