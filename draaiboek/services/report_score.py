"""The exercise score as a report section: every expectation met or missed, points, total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from draaiboek.load.scenario import scenario_for_incident
from draaiboek.model.catalogue import Messages
from draaiboek.model.durations import format_clock
from draaiboek.services.incidents import IncidentError, incident_runbooks
from draaiboek.services.report import Report, Section
from draaiboek.services.scoring import score


def add_score(
    report: Report, folder: Path, events: Sequence[Mapping[str, Any]] | None = None
) -> None:
    """Add the score section to the report of an exercise; nothing for a live incident.

    `events` are the incident's events when the caller has them; else they are read from the
    journal, and only when the incident was played with a scenario (an `exercise` event)."""
    t = Messages(report.lang)
    if events is None:
        from draaiboek import journal

        if not any(True for _ in journal.of_types(folder, ("exercise",), skip_damaged=True)):
            return  # no scenario: nothing to score, and the journal need not be read
        events = list(journal.stream(folder, verify=False, on_damage="skip"))
    try:
        scenario = scenario_for_incident(folder, list(events))
    except ValueError as exc:
        report.add(Section("score", t("score.title"), alert=t("score.no-scenario", error=exc)))
        return
    if scenario is None:
        return
    try:  # the runbooks as walked say which decisions lead to a wrong branch (scoring)
        runbooks = incident_runbooks(folder, [dict(e) for e in events])
    except (IncidentError, OSError):
        runbooks = {}  # the report says so already; a wrong branch then waits for `closed`
    card = score(scenario, list(events), runbooks)
    rows = [
        [
            outcome.expectation.title.get(report.lang),
            t.word("exercise", outcome.status),
            "—" if outcome.offset is None else f"T+{format_clock(outcome.offset)}",
            f"{outcome.points}/{outcome.expectation.points}",
        ]
        for outcome in card.outcomes
    ]
    section = Section(
        "score",
        t("score.title"),
        facts=[(t("score.total"), f"{card.earned}/{card.possible} ({card.percent:g}%)")],
        columns=[
            t("exercise.expectation"),
            t("exercise.result"),
            t("score.when"),
            t("exercise.points"),
        ],
        rows=rows,
    )
    report.add(section, card.as_dict(report.lang))
