"""Checks of time zero and the incident-level targets: what their references may name.

Time zero must be an input step (its answer is the first signal); each target's `met_by` names a
step, and an option of that decision or an item of that checklist; `until` names steps; target
ids are unique; roles and sources are defined. Design: ../shared/design.md, "Time zero" and
"Targets".
"""

from __future__ import annotations

from collections.abc import Callable

from draaiboek.load.yamlread import Path
from draaiboek.model.runbook import Runbook
from draaiboek.model.suggestions import did_you_mean

Emit = Callable[[Path, str, str], None]


def check_names(
    runbook: Runbook, base: Path, role: str | None, sources: tuple[str, ...], emit: Emit
) -> None:
    """Emit unknown-role / unknown-source for a role and sources (of a step, item or target at
    `base`) that are not defined in the runbook."""
    if role is not None and role not in runbook.roles:
        emit(
            (*base, "role"),
            "unknown-role",
            f"role {role!r} is not defined under roles" + did_you_mean(role, runbook.roles),
        )
    for index, source in enumerate(sources):
        if source not in runbook.sources:
            emit(
                (*base, "sources", index),
                "unknown-source",
                f"source {source!r} is not defined under sources"
                + did_you_mean(source, runbook.sources),
            )


def check_time_zero_and_targets(runbook: Runbook, emit: Emit) -> None:
    """Emit a finding (path, code, message) for every reference that names nothing."""
    steps = runbook.steps
    if runbook.time_zero is not None:
        step = steps.get(runbook.time_zero)
        if step is None:
            emit(
                ("time_zero",),
                "dangling-time-zero",
                f"time_zero names step {runbook.time_zero!r}, which does not exist"
                + did_you_mean(runbook.time_zero, steps),
            )
        elif step.type != "input":
            emit(
                ("time_zero",),
                "time-zero-not-input",
                f"time_zero names the {step.type} step {step.id!r}: it must be an input step "
                "that asks for the time of the first signal",
            )
    seen: set[str] = set()
    for index, target in enumerate(runbook.targets):
        base: Path = ("targets", index)
        if target.id in seen:
            emit((*base, "id"), "duplicate-target", f"target id {target.id!r} is used twice")
        seen.add(target.id)
        if target.within is not None and target.every is not None:
            emit(
                base,
                "target-kind",
                f"target {target.id!r} has both within and every: a deadline or a repeated "
                "round, not both",
            )
        if target.every is not None and target.met_by:
            emit(
                (*base, "met_by"),
                "target-kind",
                f"target {target.id!r} repeats (every): end it with until, not met_by",
            )
        check_names(runbook, base, target.role, target.sources, emit)
        for until_index, step_id in enumerate(target.until):
            if step_id not in steps:
                emit(
                    (*base, "until", until_index),
                    "dangling-until",
                    f"until names step {step_id!r}, which does not exist"
                    + did_you_mean(step_id, steps),
                )
        for event_index, event in enumerate(target.met_by):
            where: Path = (*base, "met_by", event_index)
            step = steps.get(event.step)
            if step is None:
                emit(
                    (*where, "step"),
                    "dangling-target",
                    f"met_by names step {event.step!r}, which does not exist"
                    + did_you_mean(event.step, steps),
                )
                continue
            if event.option is not None and event.item is not None:
                emit(where, "target-kind", "met_by names an option and an item: name one")
            if event.option is not None and step.option(event.option) is None:
                known = {option.id: option for option in step.options}
                emit(
                    (*where, "option"),
                    "dangling-target",
                    f"step {step.id!r} has no option {event.option!r}"
                    + did_you_mean(event.option, known),
                )
            if event.item is not None and step.item(event.item) is None:
                known_items = {item.id: item for item in step.items}
                emit(
                    (*where, "item"),
                    "dangling-target",
                    f"step {step.id!r} has no checklist item {event.item!r}"
                    + did_you_mean(event.item, known_items),
                )
