"""The incident's clock on screen: time zero, targets, target reminders, the handover summary.

Functions of a `Screen` (render.py), kept apart so that the walk's screen stays one job. Every
runbook text goes through `Screen.line` as plain parts: shown as it is, never read as markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from draaiboek.engine.targets import TargetStatus, next_target, target_statuses
from draaiboek.model.durations import every_words, format_clock, within_words

if TYPE_CHECKING:
    from draaiboek.cli.output import Part
    from draaiboek.cli.render import Screen
    from draaiboek.engine.state import WalkState


def _title(screen: Screen, status: TargetStatus) -> str:
    return status.target.title.get(screen.lang) or status.id


def clock_line(screen: Screen, state: WalkState, now: datetime) -> str:
    """`14:05:00 (T+0:15:00 sinds het eerste signaal (13:50:00))`: T+ counts from time zero."""
    zero = state.time_zero
    since = format_clock(now - zero) if zero is not None else "0:00:00"
    top = state.runbooks.get(state.runbook)
    if state.first_signal is not None:
        told = screen.t("header.since-signal", since=since, time=screen.local(state.first_signal))
    elif top is not None and top.time_zero is not None:  # the first signal is still to come
        told = screen.t("header.since-opened", since=since)
    else:  # the runbook asks for no first signal: the opening is the start
        told = f"T+{since}"
    return f"{screen.local(now)} ({told})"


def next_line(screen: Screen, state: WalkState, now: datetime) -> None:
    """The header's one line with the next target or round and the time left (and how many
    were missed); nothing when the runbook has no targets."""
    statuses = target_statuses(state, now)
    if not statuses or state.closed:  # a closed incident has nothing still to come
        return
    coming = next_target(statuses, now)
    if coming is not None and coming.due is not None:
        key = "header.next-round" if coming.repeating else "header.next"
        left = format_clock(coming.due - now)
        text = screen.t(key, title=_title(screen, coming), time=screen.local(coming.due), left=left)
        screen.line((text, "bold"))
    else:
        screen.line(screen.t("header.no-next"))
    missed = sum(1 for s in statuses if s.state == "missed")
    if missed:
        screen.line((screen.t("header.missed", count=missed), "bold red"))


def _unless_said(title: str, span: str) -> str:
    """` (binnen 15 minuten)` after a title, unless the title says so itself already."""
    return "" if span.lower() in title.lower() else f" ({span})"


def target_parts(screen: Screen, status: TargetStatus, now: datetime) -> tuple[Part, ...]:
    """One target as a line's parts: open, met, met late or missed (a round: running, done or
    stopped), with its times in the incident's zone and its span in words."""
    t, target, title = screen.t, status.target, _title(screen, status)
    local = screen.local
    if target.every is not None:
        every, rounds = _unless_said(title, every_words(target.every, t)), status.rounds_done
        if status.state == "met" and status.met_at is not None:
            met = local(status.met_at)
            return ("✓ ", t("target.round-ended", title=title, every=every, met=met, rounds=rounds))
        if status.due is not None:
            time, left = local(status.due), format_clock(status.due - now)
            return (
                "↻ ",
                t("target.round", title=title, every=every, rounds=rounds, time=time, left=left),
            )
        return ("↻ ", t("target.round-stopped", title=title, every=every, rounds=rounds))
    within = _unless_said(title, within_words(target.within, t)) if target.within else ""
    due = local(status.due) if status.due is not None else "?"
    words = {"title": title, "within": within, "time": due}
    if status.state == "met" and status.met_at is not None:
        return (("✓ ", "green"), t("target.met", met=local(status.met_at), **words))
    if status.state == "late" and status.met_at is not None and status.due is not None:
        late = format_clock(status.met_at - status.due)
        return (("✓ ", "yellow"), t("target.late", met=local(status.met_at), late=late, **words))
    if status.state == "missed" and status.due is not None:
        text = t("target.missed", late=format_clock(now - status.due), **words)
        return (("✗ ", "bold red"), (text, "bold red"))
    left = format_clock(status.due - now) if status.due is not None else "?"
    return ("○ ", t("target.open", left=left, **words))


def targets_block(screen: Screen, state: WalkState, now: datetime) -> None:
    """`/o` and `status`: every target of the incident, in the runbook's order."""
    statuses = target_statuses(state, now)
    if not statuses:
        return
    with screen.block():
        screen.line((f"{screen.t('overview.targets')}:", "bold"))
        for status in statuses:
            screen.line("  ", *target_parts(screen, status, now))


def target_reminder(screen: Screen, state: WalkState, event: Mapping[str, Any]) -> None:
    """A logged target `reminder` event as the line shown above the prompt."""
    top = state.runbooks.get(state.runbook)
    target = next((x for x in top.targets if x.id == event.get("target")), None) if top else None
    title = target.title.get(screen.lang) if target is not None else str(event.get("target"))
    due = datetime.fromisoformat(str(event.get("due")))
    if event.get("kind") == "round" and target is not None and target.every is not None:
        every = every_words(target.every, screen.t)
        text = screen.t("reminder.target-round", title=title, time=screen.local(due), every=every)
    else:
        text = screen.t("reminder.target-overdue", title=title, time=screen.local(due))
    screen.line((f"⏰ {text}", "bold yellow"))


def handover(screen: Screen, state: WalkState, now: datetime, numbered: bool = True) -> None:
    """The handover summary (services.handover): time zero, decisions, open and critical items
    (marked not possible too), the latest notes and the targets to come or missed. Open items
    are `numbered` for `/k N` in a walk; `status` lists them without numbers."""
    from draaiboek.services.handover import handover_summary

    summary = handover_summary(state, now)
    t = screen.t
    with screen.block():
        screen.rule()
        screen.line((t("handover.title"), "bold"))
        if summary.time_zero is not None:
            key = "handover.time-zero" if summary.first_signal else "handover.time-zero-opened"
            screen.line(t(key, time=screen.local(summary.time_zero)))
        screen.line((f"{t('handover.decisions')}:", "bold"))
        for decision in summary.decisions:
            answer = _answer(screen, state, decision.runbook, decision.step, decision.answer)
            title = screen.what(state, decision.runbook, decision.step, None)
            screen.line(f"  {screen.local(decision.at)}  {title}: ", (answer, "bold"))
        if not summary.decisions:
            screen.line(f"  {t('handover.none')}")
        screen.open_items(state, numbered=numbered)
        not_done(screen, state)
        if summary.targets:
            screen.line((f"{t('handover.targets')}:", "bold"))
            for status in summary.targets:
                screen.line("  ", *target_parts(screen, status, now))
        if summary.notes:
            shown, total = len(summary.notes), summary.notes_total
            screen.line((f"{t('handover.notes', shown=shown, total=total)}:", "bold"))
            for note in summary.notes:
                screen.line(f"  {screen.local(note.at)} {note.by}: {note.text}")
        screen.rule()


def not_done(screen: Screen, state: WalkState) -> None:
    """Critical actions and items marked not possible: settled, but not done."""
    from draaiboek.engine.criticals import critical_not_done

    found = critical_not_done(state)
    if not found:
        return
    with screen.block():
        screen.line((f"{screen.t('overview.not-done')}:", "bold"))
        for item in found:
            label = screen.what(state, item.runbook, item.step, item.item)
            when = screen.t("open.not-done", time=screen.local(item.at), reason=item.reason)
            critical = (screen.t("open.critical"), "red")
            screen.line(f"  - {label} ", (f"({when})", "dim"), " ", critical)


def _answer(screen: Screen, state: WalkState, runbook: str, step: str, value: Any) -> str:
    """A decision's option label, or a recorded value as it is."""
    found = state.runbooks.get(runbook)
    node = found.steps.get(step) if found is not None else None
    option = node.option(str(value)) if node is not None and node.type == "decision" else None
    return option.label.get(screen.lang) if option is not None else str(value)
