"""`draaiboek exercise`: walk a runbook against a scenario's simulated clock, injects and score.

The walk is the ordinary walk (WalkLoop, typed or piped answers, --answers) in exercise mode: the
journal says so in its first event and every screen carries the OEFENING / EXERCISE banner. The
session's clock is the simulated clock, so every event's time is scenario time. Injects are
logged (services/exercise.py) and shown the moment they are due, also while the trainee reads
or types (a timer thread), and at the latest before the next question.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from draaiboek.cli.app import (
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
from draaiboek.cli.language import t
from draaiboek.cli.national import DbOption, StationOption, station_setting
from draaiboek.cli.walkinput import AnswersOption, OperatorOption

if TYPE_CHECKING:
    from pathlib import Path

    from draaiboek.cli.render import Screen
    from draaiboek.cli.walkinput import LineSource
    from draaiboek.load.documents import Document
    from draaiboek.load.scenario import Inject, Scenario
    from draaiboek.services.exercise import InjectDelivery
    from draaiboek.services.session import Session
    from draaiboek.services.simclock import DueQueue, SimClock, Ticker

REAL_CLOCK: Callable[[], float] = time.monotonic  # tests put a clock here that they drive
TICK = 0.2  # real seconds between the timer thread's looks at the clock


@app.command()
def exercise(
    scenario: Annotated[str, typer.Argument()],
    speed: Annotated[float, typer.Option("--speed")] = 1.0,
    operator: OperatorOption = None,
    answers: AnswersOption = None,
    lang: LangOption = None,
    runbooks: RunbooksOption = None,
    home: HomeOption = None,
    station: StationOption = None,
    db: DbOption = None,
) -> None:
    """Play an exercise: the scenario's runbook on a simulated clock, with injects and a score.

    Example: draaiboek exercise storing-24-juni-2019 --speed 10 --operator "J. de Vries"
    """
    from draaiboek.cli.exercise_screens import show_briefing, show_score, texts
    from draaiboek.cli.render import Screen, make_console
    from draaiboek.cli.walk import not_logged
    from draaiboek.cli.walkinput import LineSource, ask_operator, load_answers, walkable_runbook
    from draaiboek.load.scenario import check_scenario
    from draaiboek.model.catalogue import Messages
    from draaiboek.model.timezone import DEFAULT_TIMEZONE
    from draaiboek.services.exercise import start_exercise
    from draaiboek.services.incidents import IncidentError
    from draaiboek.services.scoring import score
    from draaiboek.services.session import NotLogged
    from draaiboek.services.simclock import DueQueue

    language = chosen_language(lang)
    station = station_setting(station)
    if not speed > 0 or speed == float("inf"):
        usage_error(t("error.speed", speed=speed))
    scripted = load_answers(answers) if answers is not None else None
    folder = runbooks_folder(runbooks)
    the_scenario, document = _scenario(scenario, folder)
    the_runbook, library = walkable_runbook(the_scenario.runbook, folder)
    problems = check_scenario(document, library.all_runbooks())
    if problems:
        first = problems[0]
        fail(f"{first.file}:{first.line}:{first.column}: {first.message} [{first.code}]")
    screen = Screen(make_console(), Messages(language), DEFAULT_TIMEZONE, library.contacts)
    source = LineSource(screen)
    name = ask_operator(operator, source, screen, answers_file=scripted is not None)
    text = texts(language)
    show_briefing(screen, text, the_scenario, the_runbook.version, speed)
    try:
        session, clock = start_exercise(
            home_folder(home),
            the_scenario,
            document,
            the_runbook,
            library.all_runbooks(),
            operator=name,
            lang=language,
            speed=speed,
            real=REAL_CLOCK,
            station=station,
        )
    except NotLogged as exc:  # the disk refused at the start: said as `start` says it
        not_logged(screen, None, exc, f"draaiboek exercise {scenario}")
    except IncidentError as exc:
        fail(str(exc))
    timer = InjectTimer(
        session,
        screen,
        clock,
        DueQueue(clock.start_sim, the_scenario.injects),
        hint=text["open"] if source.interactive and source.terminal is None else None,
        above=source.above,
    )
    # With a national store configured the exercise is forwarded like a walk (its `opened` says
    # exercise, so the overview keeps it apart from live incidents), never waited on.
    code = _play(session, screen, source, scripted, timer, db)
    card = score(the_scenario, session.events(), library.all_runbooks())
    show_score(screen, card, session, text)
    raise typer.Exit(code)


def _scenario(given: str, folder: Path) -> tuple[Scenario, Document]:
    """The scenario named by id or path (see `load.lookup`): a usage error when nothing has
    that name, a one-line error naming the first problem when it is not a valid scenario."""
    from draaiboek.load.lookup import NotFound, find_scenario

    try:
        found, document, findings = find_scenario(given, folder)
    except NotFound as exc:
        usage_error(str(exc))
    if found is None or document is None:
        first = findings[0]
        problem = f"{first.file}:{first.line}:{first.column}: {first.message} [{first.code}]"
        fail(t("error.scenario-invalid", problem=problem))
    return found, document


class InjectTimer:
    """Injects delivered (services/exercise.py) and shown on the screen; after ones that came
    while a question waits, `hint` (the question is still open); `before_prompt` for the walk.
    The services are imported here, not with the command tree: start-up stays light."""

    def __init__(
        self,
        session: Session,
        screen: Screen,
        clock: SimClock,
        queue: DueQueue[Inject],
        hint: str | None = None,
        above: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        """`above` draws from the timer thread without breaking a waiting prompt
        (LineSource.above); `hint` is said after injects that came while a question waits,
        where no line editor redraws the question itself."""
        from draaiboek.cli.exercise_screens import show_inject
        from draaiboek.services.exercise import InjectDelivery

        def shown(message: str, event: dict[str, Any], _waiting: bool) -> None:
            def draw() -> None:
                show_inject(screen, message, event, clock.start_sim)

            (above or _now)(draw)

        self.screen, self.hint = screen, hint
        self.delivery: InjectDelivery = InjectDelivery(
            session, clock, queue, screen.lang, shown, TICK, self._delivered
        )
        self.ticker: Ticker = self.delivery.ticker

    def before_prompt(self) -> None:
        self.deliver()

    def deliver(self, waiting: bool = False) -> int:
        """Log and show the injects that are due; how many (see InjectDelivery.deliver)."""
        return self.delivery.deliver(waiting)

    def _delivered(self, count: int, waiting: bool) -> None:
        if count and waiting and self.hint:
            self.screen.console.print(f"[dim]{self.hint}[/]")


def _now(draw: Callable[[], None]) -> None:
    draw()


def _play(
    session: Session,
    screen: Screen,
    source: LineSource,
    scripted: dict[str, Any] | None,
    timer: InjectTimer,
    db: str | None,
) -> int:
    """The ordinary walk (`walk_session`) with the injects' timer running; the exit code."""
    from rich.markup import escape

    from draaiboek.cli.exercise_screens import texts
    from draaiboek.cli.walk import walk_session

    def paused() -> None:
        text = texts(screen.lang)["paused"].format(id=session.incident_id)
        screen.console.print(f"\n[bold]{escape(text)}[/]")

    return walk_session(
        session,
        screen,
        source,
        scripted,
        db,
        before_prompt=timer.before_prompt,
        ticker=timer.ticker,
        paused=paused,
    )
