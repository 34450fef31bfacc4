"""Walking an incident in a terminal: `start` one, `resume` one where it stopped."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

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
    chosen_runbooks,
    fail,
    home_folder,
    runbooks_folder,
    usage_error,
)
from draaiboek.cli.invocation import done_hint, hint_command, paused_hint
from draaiboek.cli.language import t
from draaiboek.cli.national import DbOption, StationOption, station_setting
from draaiboek.cli.walkinput import (
    AnswersOption,
    Interrupted,
    LineSource,
    OperatorOption,
    ask_operator,
    checked_operator,
    interruptible,
    load_answers,
    walkable_runbook,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from draaiboek.cli.render import Screen
    from draaiboek.model.runbook import Runbook
    from draaiboek.services.session import NotLogged, Session
    from draaiboek.services.simclock import Ticker


@app.command()
def start(
    runbook: Annotated[str, typer.Argument()],
    operator: OperatorOption = None,
    exercise: Annotated[
        bool,
        typer.Option(
            "--exercise",
        ),
    ] = False,
    incident: Annotated[
        str | None,
        typer.Option(
            "--incident",
            show_default=False,
        ),
    ] = None,
    answers: AnswersOption = None,
    allow_draft: Annotated[
        bool,
        typer.Option("--allow-draft"),
    ] = False,
    lang: LangOption = None,
    runbooks: RunbooksOption = None,
    home: HomeOption = None,
    station: StationOption = None,
    db: DbOption = None,
) -> None:
    """Start an incident and walk the runbook one step at a time.

    Example: draaiboek start 112-onbereikbaar --operator "J. de Vries"
    """
    from draaiboek.cli.render import Screen, make_console
    from draaiboek.model.catalogue import Messages
    from draaiboek.model.timezone import DEFAULT_TIMEZONE
    from draaiboek.services.incidents import IncidentError, check_incident_id
    from draaiboek.services.session import NotLogged, Session, system_clock

    language = chosen_language(lang)
    station = station_setting(station)
    if incident is not None:
        try:
            check_incident_id(incident)
        except IncidentError as exc:
            usage_error(str(exc))
    scripted = load_answers(answers) if answers is not None else None
    the_runbook, library = walkable_runbook(
        runbook, runbooks_folder(runbooks), folder_chosen=chosen_runbooks(runbooks) is not None
    )
    screen = Screen(make_console(), Messages(language), DEFAULT_TIMEZONE, library.contacts)
    screen.examples = _on_examples(the_runbook, library.all_runbooks())
    source = LineSource(screen)
    name = ask_operator(operator, source, screen, answers_file=scripted is not None)
    try:
        session = Session.start(
            home_folder(home),
            the_runbook,
            library.all_runbooks(),
            operator=name,
            clock=system_clock,
            mode="exercise" if exercise else "live",
            incident_id=incident,
            lang=language,
            allow_draft=allow_draft,
            station=station,
            examples=screen.examples,
        )
    except NotLogged as exc:
        not_logged(screen, None, exc, f"draaiboek start {runbook}")
    except IncidentError as exc:
        fail(str(exc))
    tell_notices(session)
    if allow_draft and the_runbook.status != "approved":
        screen.console.print(
            f"[bold yellow]{screen.t('allow-draft', status=the_runbook.status)}[/]"
        )
    _walk_and_exit(session, screen, source, scripted, db)


@app.command()
def resume(
    incident: Annotated[str, typer.Argument()],
    operator: OperatorOption = None,
    answers: AnswersOption = None,
    lang: LangOption = None,
    runbooks: RunbooksOption = None,
    home: HomeOption = None,
    db: DbOption = None,
) -> None:
    """Continue an incident where it stopped (after Ctrl-C, a crash or a shift change).

    Example: draaiboek resume 20261123-1405-112-onbereikbaar-3f9a --operator "A. Jansen"
    """
    from draaiboek.engine.fold import no_cycle_collection

    with no_cycle_collection(freeze_after=True):
        session, screen, source, scripted = _take_over(
            incident, operator, answers, lang, runbooks, home
        )
    # What taking over logged (a recovered torn line, resumed, handover) is shown, not hidden.
    taken_over = session.logged
    screen.logged_all(session.state, taken_over)
    if session.state.closed:
        session.close()
        if any(event["type"] == "closed" for event in taken_over):
            # the walk had reached its end before a crash: taking over finished it
            screen.say(done_hint(screen, session))
            raise typer.Exit(EXIT_OK)
        fail(t("error.incident-closed", id=session.incident_id))
    if any(event["type"] == "handover" for event in taken_over):
        # Another operator takes over: where things stand, before the first question.
        from draaiboek.cli.targetview import handover

        handover(screen, session.state, session.clock())
    _walk_and_exit(session, screen, source, scripted, db)


def _take_over(
    incident: str,
    operator: str | None,
    answers: Path | None,
    lang: str | None,
    runbooks: Path | None,
    home: Path | None,
) -> tuple[Session, Screen, LineSource, dict[str, Any] | None]:
    from draaiboek.cli.incidents import incident_contacts, incident_problem
    from draaiboek.cli.render import Screen, make_console
    from draaiboek.journal import JournalError
    from draaiboek.model.catalogue import Messages
    from draaiboek.model.timezone import zone_name
    from draaiboek.services.incidents import IncidentError, find_incident, read_head
    from draaiboek.services.session import NotLogged, Session, system_clock

    language = chosen_language(lang)
    scripted = load_answers(answers) if answers is not None else None
    try:
        folder = find_incident(home_folder(home), incident)
        # A damaged journal is a one-line error, not a crash. The journal is read in full
        # once, by the writer that takes it over (Session.resume): here only its first lines.
        head = read_head(folder)
    except (IncidentError, JournalError) as exc:
        incident_problem(exc)
    zone = zone_name(head.first.get("timezone")) if head.first else zone_name(None)
    language = _resumed_language(lang, head.first)
    messages = Messages(language)
    examples = bool(head.first and head.first.get("examples") is True)
    contacts = incident_contacts(runbooks, examples)
    screen = Screen(make_console(), messages, zone, contacts)
    screen.examples = examples
    source = LineSource(screen)
    name = checked_operator(operator) if operator and operator.strip() else None
    if name is None and source.interactive and scripted is None:
        name = ask_operator(None, source, screen)
    try:
        session = Session.resume(folder, operator=name, clock=system_clock, head=head)
    except NotLogged as exc:
        not_logged(screen, None, exc, f"draaiboek resume {incident}")
    except (IncidentError, JournalError) as exc:
        fail(str(exc))
    tell_notices(session)
    return session, screen, source, scripted


def _resumed_language(given: str | None, opened: Mapping[str, Any] | None) -> str:
    """--lang (or DRAAIBOEK_LANG) when given; else the language the incident was started in,
    as its `opened` event records it; else Dutch."""
    from draaiboek.cli.language import asked, use
    from draaiboek.model.catalogue import LANGUAGES

    started_in = (opened or {}).get("lang")
    if given is None and asked() is None and started_in in LANGUAGES:
        use(started_in)
        return str(started_in)
    return chosen_language(given)


def tell_notices(session: Session) -> None:
    """What the session noticed on the way (a home made private), one line each, to stderr."""
    for notice in session.notices:
        typer.echo(f"draaiboek: {notice}", err=True)


def not_logged(
    screen: Screen, session: Session | None, refused: NotLogged, command: str
) -> NoReturn:
    """One line: what the disk refused (in words, as the walk names it), why, and how to go
    on; exit 1. The journal is valid: what was shown as logged is logged."""
    draft = refused.drafts[0]
    if session is None or draft.type == "opened":
        what = screen.t("storage.start") if draft.type == "opened" else f"'{draft.type}'"
    else:
        what = screen.describe(session.state, {"type": draft.type, **draft.fields})
    why = screen.t(f"storage.{refused.kind}", error=str(refused))
    fail(screen.t("storage.not-logged", what=what, why=why, command=command))


def _on_examples(runbook: Runbook, runbooks: Mapping[str, Runbook]) -> bool:
    """Whether the walk uses a shipped example runbook (itself or one it calls)."""
    from draaiboek.load.resources import is_shipped
    from draaiboek.model.calls import MissingCall, called_runbooks

    try:
        used = called_runbooks(runbook, runbooks)
    except MissingCall:  # Session.start says what is missing
        used = {runbook.id: runbook}
    return any(is_shipped(one.file) for one in used.values())


def _walk_and_exit(
    session: Session,
    screen: Screen,
    source: LineSource,
    scripted: dict[str, Any] | None,
    db: str | None = None,
) -> NoReturn:
    raise typer.Exit(walk_session(session, screen, source, scripted, db))


def walk_session(
    session: Session,
    screen: Screen,
    source: LineSource,
    scripted: dict[str, Any] | None,
    db: str | None = None,
    *,
    before_prompt: Callable[[], None] | None = None,
    ticker: Ticker | None = None,
    paused: Callable[[], None] | None = None,
) -> int:
    """Walk `session` to its end or a pause (Ctrl-C, SIGHUP) and close it; the exit code.

    The one walk of `start`, `resume` and `exercise`: with a national store configured (`db`)
    events are forwarded in the background; a refusing disk is one line, exit 1 (`not_logged`).
    `ticker` (the exercise's injects) runs with the walk, stops before `paused` is logged, and
    an error it met is the walk's. `paused` shows the pause; by default "Paused. To continue"."""
    from draaiboek.cli.national import attach_forwarder, detach_forwarder
    from draaiboek.cli.walkloop import WalkLoop
    from draaiboek.services.session import NotLogged

    loop = WalkLoop(session, screen, source.read, scripted, before_prompt=before_prompt)
    if scripted is None:  # a deadline passing shows while the prompt waits, without a key
        source.while_waiting = loop.due_now
    # With a national store configured, events are forwarded in the background (never waited on).
    forwarder = attach_forwarder(session, db)
    if ticker is not None:
        ticker.start()
    try:
        with interruptible(session):
            try:
                finished: bool | None = loop.run()
            except Interrupted:
                finished = None
                if ticker is not None:
                    ticker.stop()
                session.pause("interrupted")
                with suppress(OSError):  # a hung-up terminal (SIGHUP) can no longer be told
                    if paused is None:
                        screen.say("\n" + paused_hint(screen, session))
                    else:
                        paused()
        if ticker is not None:
            ticker.stop()
            if ticker.error is not None:
                raise ticker.error
    except NotLogged as refused:  # disk full, read-only, failing: said plainly, exit 1
        not_logged(screen, session, refused, hint_command("resume", session))
    finally:
        if ticker is not None:
            ticker.stop()
        detach_forwarder(forwarder)
        session.close()
    if finished is None:
        return EXIT_INTERRUPTED
    if finished:
        screen.say(done_hint(screen, session))
        return EXIT_OK
    return EXIT_FINDINGS if loop.input_ended else EXIT_OK
