"""`draaiboek exercise`: walk a runbook against a scenario's simulated clock, injects and score.

The walk is the ordinary walk (WalkLoop, typed or piped answers, --answers) in exercise mode: the
journal says so in its first event and every screen carries the OEFENING / EXERCISE banner. The
session's clock is the simulated clock, so every event's time is scenario time. Injects are
logged and shown the moment they are due, also while the trainee reads or types (a timer
thread), and at the latest before the next question (so piped runs get them deterministically).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from draaiboek.cli.app import (
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    HomeOption,
    LangOption,
    RunbooksOption,
    app,
    chosen_language,
    fail,
    home_folder,
    runbooks_folder,
    usage_error,
)
from draaiboek.cli.invocation import done_hint
from draaiboek.cli.walk import OperatorOption

if TYPE_CHECKING:
    from draaiboek.cli.render import Screen
    from draaiboek.load.documents import Document
    from draaiboek.load.scenario import Inject, Scenario
    from draaiboek.services.scoring import ScoreCard
    from draaiboek.services.session import Session
    from draaiboek.services.simclock import DueQueue, SimClock

REAL_CLOCK: Callable[[], float] = time.monotonic  # tests put a clock here that they drive
TICK = 0.2  # real seconds between the timer thread's looks at the clock

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


def _texts(lang: str) -> dict[str, str]:
    """The exercise screens' texts (catalogue keys `exercise.*`), by their short names."""
    from draaiboek.model.catalogue import catalogue

    texts = catalogue(lang)
    return {key: texts[f"exercise.{key}"] for key in _TEXT_KEYS}


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


@app.command()
def exercise(
    scenario: Annotated[
        str, typer.Argument(help="Scenario id (in <runbooks>/scenarios/) or scenario file.")
    ],
    speed: Annotated[
        float, typer.Option("--speed", help="Simulated seconds per real second (10: ten times).")
    ] = 1.0,
    operator: OperatorOption = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers", help="YAML file: step id -> answer, instead of typing.", show_default=False
        ),
    ] = None,
    lang: LangOption = None,
    runbooks: RunbooksOption = None,
    home: HomeOption = None,
) -> None:
    """Play an exercise: the scenario's runbook on a simulated clock, with injects and a score.

    Example: draaiboek exercise storing-24-juni-2019 --speed 10 --operator "J. de Vries"
    """
    import secrets

    from draaiboek.cli.render import Screen, make_console
    from draaiboek.cli.walk import LineSource, _find_runbook, _load_answers, _operator
    from draaiboek.engine.decide import Draft
    from draaiboek.load.scenario import check_scenario
    from draaiboek.model.catalogue import Messages
    from draaiboek.services.incidents import IncidentError
    from draaiboek.services.scoring import score
    from draaiboek.services.session import DEFAULT_TIMEZONE, Session
    from draaiboek.services.simclock import DueQueue, SimClock

    language = chosen_language(lang)
    if not speed > 0 or speed == float("inf"):
        usage_error(f"--speed must be a positive number, not {speed}")
    scripted = _load_answers(answers) if answers is not None else None
    folder = runbooks_folder(runbooks)
    the_scenario, document = _find_scenario(scenario, folder)
    the_runbook, library = _find_runbook(the_scenario.runbook, folder)
    problems = check_scenario(document, library.all_runbooks())
    if problems:
        first = problems[0]
        fail(f"{first.file}:{first.line}:{first.column}: {first.message} [{first.code}]")
    screen = Screen(make_console(), Messages(language), DEFAULT_TIMEZONE, library.contacts)
    source = LineSource(screen)
    name = (
        _operator(operator, source, screen)
        if scripted is None or operator
        else usage_error("--operator NAME is required with --answers")
    )
    text = _texts(language)
    _briefing(screen, text, the_scenario, the_runbook.version, speed)
    clock = SimClock(the_scenario.start, speed, REAL_CLOCK)
    incident = f"oefening-{the_scenario.id}-{datetime.now():%Y%m%d-%H%M}-{secrets.token_hex(2)}"
    try:
        session = Session.start(
            home_folder(home),
            the_runbook,
            library.all_runbooks(),
            operator=name,
            clock=clock.now,
            mode="exercise",
            incident_id=incident,
            lang=language,
        )
    except IncidentError as exc:
        fail(str(exc))
    session.journal.store_file(document.raw)
    session.log(Draft("exercise", _exercise_fields(the_scenario, speed, language)))
    timer = InjectTimer(
        session,
        screen,
        clock,
        DueQueue(clock.start_sim, the_scenario.injects),
        hint=text["open"] if source.interactive else None,
    )
    code = _play(session, screen, source, scripted, timer)
    card = score(the_scenario, session.events(), library.all_runbooks())
    session.close()
    show_score(screen, card, session, text)
    raise typer.Exit(code)


def _exercise_fields(scenario: Scenario, speed: float, lang: str) -> dict[str, Any]:
    """The `exercise` event, right after `opened`: which scenario, how fast, from when; the
    scenario file is kept in the incident folder as `<sha256>.yaml` (see scenario_for_incident)."""
    return {
        "scenario": scenario.id,
        "scenario_version": scenario.version,
        "title": scenario.title.get(lang),
        "runbook": scenario.runbook,
        "speed": speed,
        "start": scenario.start.isoformat(),
        "sha256": scenario.sha256,
    }


def _find_scenario(given: str, folder: Path) -> tuple[Scenario, Document]:
    from draaiboek.load.documents import collect_files
    from draaiboek.load.scenario import load_scenario

    as_path = Path(given)
    if as_path.suffix in (".yaml", ".yml") or as_path.is_file():
        if not as_path.is_file():
            usage_error(f"{given} does not exist: give a scenario id or file")
        return _read_scenario(as_path)
    shelf = folder / "scenarios"
    if (shelf / f"{given}.yaml").is_file():
        found, document = _read_scenario(shelf / f"{given}.yaml")
        if found.id == given:
            return found, document
    known = []
    for path in collect_files([shelf]) if shelf.is_dir() else []:
        other, its_document, _ = load_scenario(path)
        if other is not None and its_document is not None:
            if other.id == given:
                return other, its_document
            known.append(other.id)
    fail(f"no scenario {given!r} in {shelf} (available: {', '.join(sorted(known)) or 'none'})")


def _read_scenario(path: Path) -> tuple[Scenario, Document]:
    from draaiboek.load.scenario import load_scenario

    found, document, findings = load_scenario(path)
    if found is None or document is None:
        first = findings[0]
        fail(
            f"{first.file}:{first.line}:{first.column}: {first.message} [{first.code}]; "
            "'draaiboek validate' shows every problem"
        )
    return found, document


def _briefing(
    screen: Screen, text: dict[str, str], scenario: Scenario, version: str, speed: float
) -> None:
    from rich.markup import escape
    from rich.panel import Panel

    screen.console.print(
        f"[bold white on red] *** {escape(screen.t('exercise.banner'))} *** [/]", justify="center"
    )
    screen.console.print(
        escape(
            text["scenario"].format(
                title=scenario.title.get(screen.lang),
                version=scenario.version,
                runbook=scenario.runbook,
                rb_version=version,
            )
        )
    )
    start = scenario.start.astimezone(screen.zone).strftime("%Y-%m-%d %H:%M")
    screen.console.print(escape(text["clock"].format(start=start, speed=f"{speed:g}")))
    screen.console.print(
        Panel(
            escape(scenario.briefing.get(screen.lang)), title=text["briefing"], title_align="left"
        )
    )


class InjectTimer:
    """Logs and shows each inject when its simulated time comes: from a daemon thread while the
    trainee reads or types, and from the walk's `before_prompt`; each inject once."""

    def __init__(
        self,
        session: Session,
        screen: Screen,
        clock: SimClock,
        queue: DueQueue[Inject],
        hint: str | None = None,
    ) -> None:
        from draaiboek.services.simclock import Ticker

        self.session, self.screen, self.clock, self.queue = session, screen, clock, queue
        self.hint = hint  # shown after an inject that arrives while a question waits
        self.ticker = Ticker(lambda: self.deliver(waiting=True), TICK, "draaiboek-injects")

    def before_prompt(self) -> None:
        self.deliver()

    def deliver(self, waiting: bool = False) -> int:
        from draaiboek.engine.decide import Draft

        with self.session.lock:  # never between an answer and the step it leads to
            state = self.session.state
            if state.closed or state.paused or (waiting and self.ticker.stopped.is_set()):
                return 0
            due = self.queue.take(self.clock.now())
            for inject in due:
                message = inject.message.get(self.screen.lang)
                event = self.session.log(
                    Draft("inject", {"id": inject.id, "message": message})
                )
                show_inject(self.screen, message, event, self.clock.start_sim)
        if due and waiting and self.hint:
            self.screen.console.print(f"[dim]{self.hint}[/]")
        return len(due)


def show_inject(screen: Screen, message: str, event: dict[str, Any], start: datetime) -> None:
    from rich.markup import escape
    from rich.panel import Panel

    from draaiboek.cli.render import elapsed

    at = datetime.fromisoformat(str(event["at"]))
    title = f"[bold]INJECT[/] {screen.local(at)} (T+{elapsed(at - start)})"
    screen.console.print(
        Panel(escape(message), title=title, title_align="left", border_style="bold magenta")
    )


def _play(
    session: Session,
    screen: Screen,
    source: Any,
    scripted: dict[str, Any] | None,
    timer: InjectTimer,
) -> int:
    from rich.markup import escape

    from draaiboek.cli.walk import Interrupted, interruptible
    from draaiboek.cli.walkloop import WalkLoop

    loop = WalkLoop(session, screen, source.read, scripted, before_prompt=timer.before_prompt)
    timer.ticker.start()
    try:
        with interruptible(session):
            try:
                finished = loop.run()
            except Interrupted:
                timer.ticker.stop()
                session.pause("interrupted")
                text = _texts(screen.lang)["paused"].format(id=session.incident_id)
                screen.console.print(f"\n[bold]{escape(text)}[/]")
                return EXIT_INTERRUPTED
    finally:
        timer.ticker.stop()
    if timer.ticker.error is not None:
        raise timer.ticker.error
    if finished:
        screen.console.print(done_hint(screen, session))
        return EXIT_OK
    return EXIT_FINDINGS if loop.input_ended else EXIT_OK


def show_score(screen: Screen, card: ScoreCard, session: Session, text: dict[str, str]) -> None:
    """The score as a table, then a short timeline, both in T+ of the scenario clock."""
    from rich.markup import escape
    from rich.table import Table

    from draaiboek.cli.render import elapsed

    screen.banner(session.state)
    table = Table(title=text["score"], title_justify="left", show_lines=False)
    for column in ("", text["expectation"], text["target"], text["result"], text["points"]):
        table.add_column(column, overflow="fold")
    for outcome in card.outcomes:
        x = outcome.expectation
        target = x.target + (
            f" ({text['within'].format(time=elapsed(x.within))})" if x.within else ""
        )
        result = text[outcome.status]
        if outcome.offset is not None:
            result += f" T+{elapsed(outcome.offset)}"
        mark = "[green]✓[/]" if outcome.status == "met" else "[red]✗[/]"
        table.add_row(
            mark,
            escape(x.title.get(screen.lang)),
            escape(target),
            escape(result),
            f"{outcome.points}/{x.points}",
        )
    screen.console.print(table)
    total = text["total"].format(
        earned=card.earned, possible=card.possible, percent=f"{card.percent:g}"
    )
    screen.console.print(f"[bold]{escape(total)}[/]")
    screen.console.print(f"[bold]{escape(text['timeline'])}:[/]")
    for event in session.events():
        settled = event.get("type") in ("action", "item") and event.get("result") != "done"
        if event.get("type") not in _TIMELINE and not settled:
            continue
        at = datetime.fromisoformat(str(event["at"]))
        screen.console.print(
            f"  T+{elapsed(at - card.start)}  {screen.local(at)}  "
            f"{escape(screen.describe(session.state, event))}"
        )
