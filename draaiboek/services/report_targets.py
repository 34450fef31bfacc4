"""The incident's targets as a report section: each one met, met late, missed or open, counted
from time zero (the first signal), as the walk showed them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from draaiboek.engine.state import WalkState
from draaiboek.engine.targets import target_statuses
from draaiboek.model.durations import every_words, format_clock, within_words
from draaiboek.services.report import Section
from draaiboek.services.report_words import Words


def targets_section(state: WalkState, w: Words, end: datetime) -> tuple[Section, list[Any]]:
    """The section (target, due, state, detail) and its JSON data (as `status --format json`
    gives each target) at `end`: the close of a closed incident, else now."""
    rows: list[list[str]] = []
    data: list[Any] = []
    for status in target_statuses(state, end):
        target = status.target
        if target.every is not None:
            span = every_words(target.every, w)
            detail = w("report.rounds", count=status.rounds_done)
        else:
            span = within_words(target.within, w) if target.within is not None else ""
            detail = ""
            if status.met_at is not None:
                detail = w("report.met-at", time=w.local(status.met_at))
            if status.state == "late" and status.met_at and status.due:
                detail = w("report.late-by", span=format_clock(status.met_at - status.due))
        due = f"{w.local(status.due)} ({w.elapsed(status.due)})" if status.due else "—"
        rows.append(
            [
                f"{target.title.get(w.lang)} ({span})",
                due,
                w.word("target.state", status.state),
                detail,
            ]
        )
        data.append(status.as_dict(w.lang))
    section = Section(
        "targets",
        w("report.targets"),
        columns=[w("report.target"), w("report.due"), w("report.status"), w("report.detail")],
        rows=rows,
    )
    return section, data
