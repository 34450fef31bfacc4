"""What an exercise shows besides the walk: the briefing, each inject, the score and timeline."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.panel import Panel

from draaiboek.model.durations import format_clock
from draaiboek.model.text import visible

if TYPE_CHECKING:
    from draaiboek.cli.render import Screen
    from draaiboek.load.scenario import Scenario
    from draaiboek.services.scoring import ScoreCard
    from draaiboek.services.session import Session

_TEXT_KEYS = (
    "scenario",
    "clock",
    "briefing",
    "open",
    "paused",
    "score",
    "expectation",
    "target",
    "result",
    "points",
    "within",
    "total",
    "timeline",
    "met",
    "late",
    "missed",
    "visited",
)

# The short timeline: what came in, what was decided, noted, skipped or left for later.
_TIMELINE = (
    "inject",
    "answered",
    "recorded",
    "note",
    "corrected",
    "called",
    "returned",
    "paused",
    "closed",
)


def _text(text: str) -> str:
    """A scenario's or runbook's text as console markup that shows it literally: markup escaped,
    control characters written out (model.text.visible)."""
    return escape(visible(text))


def texts(lang: str) -> dict[str, str]:
    """The exercise screens' texts (catalogue keys `exercise.*`), by their short names."""
    from draaiboek.model.catalogue import catalogue

    found = catalogue(lang)
    return {key: found[f"exercise.{key}"] for key in _TEXT_KEYS}


def show_briefing(
    screen: Screen, text: dict[str, str], scenario: Scenario, version: str, speed: float
) -> None:
    """The banner, which scenario on which runbook version, its clock and its briefing."""
    screen.console.print(
        f"[bold white on red] *** {_text(screen.t('exercise.banner'))} *** [/]", justify="center"
    )
    screen.console.print(
        _text(
            text["scenario"].format(
                title=scenario.title.get(screen.lang),
                version=scenario.version,
                runbook=scenario.runbook,
                rb_version=version,
            )
        )
    )
    start = scenario.start.astimezone(screen.zone).strftime("%Y-%m-%d %H:%M")
    screen.console.print(_text(text["clock"].format(start=start, speed=f"{speed:g}")))
    screen.console.print(
        Panel(_text(scenario.briefing.get(screen.lang)), title=text["briefing"], title_align="left")
    )


def show_inject(screen: Screen, message: str, event: dict[str, Any], start: datetime) -> None:
    """One inject in a panel, with its time and T+ from the scenario's `start`."""
    at = datetime.fromisoformat(str(event["at"]))
    title = f"[bold]INJECT[/] {screen.local(at)} (T+{format_clock(at - start)})"
    screen.console.print(
        Panel(_text(message), title=title, title_align="left", border_style="bold magenta")
    )


def show_score(screen: Screen, card: ScoreCard, session: Session, text: dict[str, str]) -> None:
    """The score as a table, then a short timeline, both in T+ of the scenario clock."""
    from rich.table import Table

    screen.banner(session.state)
    table = Table(title=text["score"], title_justify="left", show_lines=False)
    for column in ("", text["expectation"], text["target"], text["result"], text["points"]):
        table.add_column(column, overflow="fold")
    for outcome in card.outcomes:
        x = outcome.expectation
        target = x.target + (
            f" ({text['within'].format(time=format_clock(x.within))})" if x.within else ""
        )
        result = text[outcome.status]
        if outcome.offset is not None:
            result += f" T+{format_clock(outcome.offset)}"
        mark = "[green]✓[/]" if outcome.status == "met" else "[red]✗[/]"
        table.add_row(
            mark,
            _text(x.title.get(screen.lang)),
            _text(target),
            _text(result),
            f"{outcome.points}/{x.points}",
        )
    screen.console.print(table)
    total = text["total"].format(
        earned=card.earned, possible=card.possible, percent=f"{card.percent:g}"
    )
    screen.console.print(f"[bold]{_text(total)}[/]")
    screen.console.print(f"[bold]{_text(text['timeline'])}:[/]")
    for event in session.events():
        settled = event.get("type") in ("action", "item") and event.get("result") != "done"
        if event.get("type") not in _TIMELINE and not settled:
            continue
        at = datetime.fromisoformat(str(event["at"]))
        screen.console.print(
            f"  T+{format_clock(at - card.start)}  {screen.local(at)}  "
            f"{_text(screen.describe(session.state, event))}"
        )
