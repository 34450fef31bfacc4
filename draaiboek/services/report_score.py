"""The exercise score as a report section: every expectation met or missed, points, total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from draaiboek.load.scenario import scenario_for_incident
from draaiboek.services.report import Report, Section
from draaiboek.services.scoring import score

_WORDS = {
    "nl": {
        "title": "Score van de oefening",
        "expectation": "Verwachting",
        "status": "Resultaat",
        "when": "Wanneer",
        "points": "Punten",
        "total": "Totaal",
        "met": "gehaald",
        "late": "te laat",
        "missed": "gemist",
        "visited": "verkeerde tak",
        "no_scenario": "Scenario niet leesbaar: {error}",
    },
    "en": {
        "title": "Exercise score",
        "expectation": "Expectation",
        "status": "Result",
        "when": "When",
        "points": "Points",
        "total": "Total",
        "met": "met",
        "late": "late",
        "missed": "missed",
        "visited": "wrong branch",
        "no_scenario": "Scenario unreadable: {error}",
    },
}


def _offset(value: timedelta | None) -> str:
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    return f"T+{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def add_score(report: Report, folder: Path, events: Sequence[Mapping[str, Any]]) -> None:
    """Add the score section to the report of an exercise; nothing for a live incident."""
    words = _WORDS.get(report.lang, _WORDS["nl"])
    try:
        scenario = scenario_for_incident(folder, list(events))
    except ValueError as exc:
        report.add(Section("score", words["title"], alert=words["no_scenario"].format(error=exc)))
        return
    if scenario is None:
        return
    card = score(scenario, list(events))
    rows = [
        [
            outcome.expectation.title.get(report.lang),
            words.get(outcome.status, outcome.status),
            _offset(outcome.offset),
            f"{outcome.points}/{outcome.expectation.points}",
        ]
        for outcome in card.outcomes
    ]
    section = Section(
        "score",
        words["title"],
        facts=[(words["total"], f"{card.earned}/{card.possible} ({card.percent:g}%)")],
        columns=[words["expectation"], words["status"], words["when"], words["points"]],
        rows=rows,
    )
    report.add(section, card.as_dict(report.lang))
