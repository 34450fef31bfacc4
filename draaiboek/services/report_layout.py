"""How the report is laid out: which part comes first, and the rows an inspection reads first.

An inspection reads the summary first: outcome, time zero, opening, duration and who; then the
decisions (with answer, who and when), the targets and deadlines met, late and missed, what is
still open (critical first, including critical items marked not possible, with the reason), the
exercise score, the verification of the journal; then the timeline, and the actions, notes and
corrections that it holds in full. `ORDER` says so, and `arrange` keeps a report in it whatever
order its sections were made or added in.

Each table column has a kind (`Section.kinds`), so that renderers give it a fixed width: a time
and a name always fit on one line, and the date of a local time is shown once per day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from draaiboek.engine.criticals import critical_not_done
from draaiboek.engine.state import WalkState
from draaiboek.services.report_words import Words

if TYPE_CHECKING:
    from draaiboek.services.report import Section

ORDER = (
    "summary",
    "decisions",
    "targets",
    "deadlines",
    "open",
    "score",
    "verification",
    "remarks",
    "timeline",
    "actions",
    "notes",
    "corrections",
)
# Column kinds: a sequence number, a local date-time (its date shown once per day), T+, a
# person, a short mark (KRITIEK), and text that takes the rest of the width.
SEQ, WHEN, ELAPSED, WHO, MARK, TEXT = "seq", "when", "elapsed", "who", "mark", "text"


def rank(key: str) -> int:
    """Where a section goes: by `ORDER`; a section not named there (added later by another
    part of the tool) goes just before the verification block, with the summary parts."""
    return ORDER.index(key) if key in ORDER else ORDER.index("verification") - 1


def arrange(sections: Iterable[Section]) -> list[Section]:
    """The sections in the order an inspection reads them (stable for equal ranks)."""
    return sorted(sections, key=lambda section: rank(section.key))


def decision_row(
    event: Mapping[str, Any], w: Words, when: Callable[[Mapping[str, Any]], list[str]]
) -> list[str]:
    """A decision taken (`answered`) or a value recorded (`recorded`): time, T+, by, the
    question (the step's title) and the answer in words."""
    get = event.get
    if get("type") == "answered":
        node = w.node(get("runbook"), get("step"))
        option = node.option(str(get("option"))) if node else None
        answer = f"“{option.label.get(w.lang)}”" if option else str(get("option"))
    else:
        answer = w.text(get("value"))
    return [*when(event), str(get("by") or ""), w.step(get("runbook"), get("step")), answer]


def by_row(
    event: Mapping[str, Any],
    w: Words,
    when: Callable[[Mapping[str, Any]], list[str]],
    describe: Callable[[Mapping[str, Any], Words], str],
) -> list[str]:
    """An event as time, T+, by and what happened (actions, corrections)."""
    return [*when(event), str(event.get("by") or ""), describe(event, w)]


def open_rows(
    state: WalkState | None, closed_open: list[str] | None, w: Words
) -> tuple[list[list[str]], list[dict[str, Any]]]:
    """What is still open, critical first: rows (what, KRITIEK or "", how it stands) and the
    same as data. A critical action or item marked not possible is listed with its reason: it
    is settled, but it was not done. Without a state (the journal could not be replayed), the
    keys the `closed` event listed as open."""
    found: list[tuple[bool, list[str], dict[str, Any]]] = []
    critical = w("report.critical")
    if state is not None:
        for item in state.open_items:
            status = (
                w("report.open-deferred", time=w.local(item.deferred_at))
                if item.deferred_at is not None
                else w("report.open-unanswered")
            )
            found.append(
                (
                    item.critical,
                    [w.key(item.key), critical if item.critical else "", status],
                    {"key": item.key, "critical": item.critical, "state": "open", "reason": None},
                )
            )
        for done in critical_not_done(state):
            status = w("report.open-not-possible", reason=done.reason or "—")
            found.append(
                (
                    True,
                    [w.key(done.key), critical, status],
                    {
                        "key": done.key,
                        "critical": True,
                        "state": "not-possible",
                        "reason": done.reason,
                    },
                )
            )
    else:
        for key in closed_open or []:
            found.append(
                (
                    False,
                    [w.key(key), "", w("report.open-unanswered")],
                    {"key": key, "critical": None, "state": "open", "reason": None},
                )
            )
    found.sort(key=lambda entry: not entry[0])  # critical first, otherwise as they came
    return [row for _, row, _ in found], [data for _, _, data in found]
