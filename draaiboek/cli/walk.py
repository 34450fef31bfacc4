"""Walking an incident in a terminal: `start`, `resume`, `status`, `incidents`, `verify`."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from types import FrameType
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
from draaiboek.cli.invocation import done_hint, paused_hint

if TYPE_CHECKING:
    from draaiboek.cli.render import Screen
    from draaiboek.load.library import Library
    from draaiboek.model.runbook import Contact, Runbook
    from draaiboek.services.session import Session

OperatorOption = Annotated[
    str | None,
    typer.Option(
        "--operator",
        envvar="DRAAIBOEK_OPERATOR",
        help="Your name, as it goes into the journal [default: asked once].",
        show_default=False,
    ),
]


class Interrupted(Exception):
    """Ctrl-C, SIGTERM or a closed terminal: pause, log it, exit 130."""


@contextmanager
def interruptible(session: Session) -> Iterator[None]:
    """Turn signals into Interrupted, but never in the middle of writing a journal line."""
    pending: list[int] = []
    raised: list[int] = []  # once stopping, further signals must not cut the pause short

    def interrupt(signum: int) -> None:
        raised.append(signum)
        raise Interrupted(signum)

    def handler(signum: int, _frame: FrameType | None) -> None:
        if raised:
            return
        if session.appending:
            pending.append(signum)
            return
        interrupt(signum)

    def after_append() -> None:
        if pending and not raised:
            interrupt(pending[0])

    wanted = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGHUP"):
        wanted.append(signal.SIGHUP)
    previous = {sig: signal.signal(sig, handler) for sig in wanted}
    session.after_append = after_append
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        session.after_append = None


class LineSource:
    """Answers typed at a terminal, or one per line from a pipe."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.interactive = sys.stdin.isatty()

    def read(self, hint: str) -> str | None:
        if self.interactive:
            try:
                return self.screen.console.input(f"[bold]{hint}[/] > ")
            except EOFError:
                return None
        line = sys.stdin.readline()
        if not line:
            return None
        text = line.rstrip("\r\n")
        self.screen.say(f"[dim]{hint}[/] > {text}")
        return text


def _find_runbook(given: str, folder: Path) -> tuple[Runbook, Library]:
    from datetime import date

    from draaiboek.load.library import load_for_walk, load_library

    as_path = Path(given)
    if as_path.suffix in (".yaml", ".yml") or as_path.is_file():
        if not as_path.is_file():
            usage_error(f"{given} does not exist: give a runbook id or file")
        # Sub-runbooks and contacts may sit beside the file as well as in the runbooks folder.
        library = load_library([as_path], today=date.today(), context=[as_path.parent, folder])
        runbook = next(iter(library.runbooks.values()), None)
    else:
        library = load_for_walk(folder, given, today=date.today())
        runbook = library.all_runbooks().get(given)
        if runbook is None:
            known = ", ".join(sorted(library.runbooks)) or "none"
            fail(f"no runbook {given!r} in {folder} (available: {known})")
    errors = [f for f in library.errors if runbook is None or f.file == runbook.file]
    if runbook is None or errors:
        first = errors[0] if errors else None
        where = f"{first.file}:{first.line}:{first.column}: {first.message}" if first else given
        fail(
            f"the runbook has errors, it cannot be walked ({where}); "
            "run 'draaiboek validate' for all of them"
        )
    return runbook, library


def _operator(given: str | None, source: LineSource, screen: Screen) -> str:
    if given and given.strip():
        return given.strip()
    if not source.interactive:
        usage_error("--operator NAME is required when answers are not typed at a terminal")
    while True:
        name = source.read(screen.t("prompt.operator"))
        if name is None:
            usage_error("no operator name given")
        if name.strip():
            return name.strip()


@app.command()
def start(
    runbook: Annotated[str, typer.Argument(help="Runbook id (see 'draaiboek runbooks') or file.")],
    operator: OperatorOption = None,
    exercise: Annotated[
        bool,
        typer.Option(
            "--exercise",
            help="Exercise mode: the journal and every screen say OEFENING / EXERCISE.",
        ),
    ] = False,
    incident: Annotated[
        str | None,
        typer.Option(
            "--incident",
            help="Incident id (a plain name) [default: date-time-runbook-random].",
            show_default=False,
        ),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers", help="YAML file: step id -> answer, instead of typing.", show_default=False
        ),
    ] = None,
    allow_draft: Annotated[
        bool,
        typer.Option("--allow-draft", help="Allow a draft or retired runbook in a live incident."),
    ] = False,
    lang: LangOption = None,
    runbooks: RunbooksOption = None,
    home: HomeOption = None,
) -> None:
    """Start an incident and walk the runbook one step at a time.

    Example: draaiboek start 112-onbereikbaar --operator "J. de Vries"
    """
    from draaiboek.cli.render import Screen, make_console
    from draaiboek.model.catalogue import Messages
    from draaiboek.services.incidents import IncidentError, check_incident_id
    from draaiboek.services.session import DEFAULT_TIMEZONE, Session, system_clock

    language = chosen_language(lang)
    if incident is not None:
        try:
            check_incident_id(incident)
        except IncidentError as exc:
            usage_error(str(exc))
    scripted = _load_answers(answers) if answers is not None else None
    the_runbook, library = _find_runbook(runbook, runbooks_folder(runbooks))
    screen = Screen(make_console(), Messages(language), DEFAULT_TIMEZONE, library.contacts)
    source = LineSource(screen)
    name = (
        _operator(operator, source, screen)
        if scripted is None or operator
        else (operator or usage_error("--operator NAME is required with --answers"))
    )
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
        )
    except IncidentError as exc:
        fail(str(exc))
    if allow_draft and the_runbook.status != "approved":
        screen.console.print(
            f"[bold yellow]{screen.t('allow-draft', status=the_runbook.status)}[/]"
        )
    _walk_and_exit(session, screen, source, scripted)


@app.command()
def resume(
    incident: Annotated[str, typer.Argument(help="Incident id (see 'draaiboek incidents').")],
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
            screen.console.print(done_hint(screen, session))
            raise typer.Exit(EXIT_OK)
        fail(
            f"incident {session.incident_id} is closed; "
            f"'draaiboek report {session.incident_id}' shows its record"
        )
    _walk_and_exit(session, screen, source, scripted)


def _take_over(
    incident: str,
    operator: str | None,
    answers: Path | None,
    lang: str | None,
    runbooks: Path | None,
    home: Path | None,
) -> tuple[Session, Screen, LineSource, dict[str, Any] | None]:
    from draaiboek.cli.render import Screen, make_console
    from draaiboek.journal import JournalError
    from draaiboek.model.catalogue import Messages
    from draaiboek.services.incidents import IncidentError, find_incident, read_head
    from draaiboek.services.session import Session, system_clock

    language = chosen_language(lang)
    scripted = _load_answers(answers) if answers is not None else None
    contacts = _FolderContacts(runbooks_folder(runbooks))
    try:
        folder = find_incident(home_folder(home), incident)
        # A damaged journal is a one-line error, not a crash. The journal is read in full
        # once, by the writer that takes it over (Session.resume): here only its first lines.
        head = read_head(folder)
    except (IncidentError, JournalError) as exc:
        fail(str(exc))
    zone = _zone_of(head.first)
    messages = Messages(language)
    screen = Screen(make_console(), messages, zone, contacts)
    source = LineSource(screen)
    name = operator.strip() if operator and operator.strip() else None
    if name is None and source.interactive and scripted is None:
        name = _operator(None, source, screen)
    try:
        session = Session.resume(folder, operator=name, clock=system_clock, head=head)
    except (IncidentError, JournalError) as exc:
        fail(str(exc))
    return session, screen, source, scripted


def _zone_of(first: Mapping[str, Any] | None) -> str:
    """The incident's time zone, from its first event."""
    from draaiboek.services.session import DEFAULT_TIMEZONE

    return str(first.get("timezone", DEFAULT_TIMEZONE)) if first else DEFAULT_TIMEZONE


def _contacts_library(folder: Path) -> Library:
    from datetime import date

    from draaiboek.load.library import load_library

    return load_library([folder], today=date.today())


class _FolderContacts(Mapping[str, "Contact"]):
    """The contacts of the runbooks folder, read when a screen first shows one: resuming or
    looking at an incident does not wait for the whole folder to be read and checked."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._contacts: Mapping[str, Contact] | None = None

    @property
    def _loaded(self) -> Mapping[str, Contact]:
        if self._contacts is None:
            self._contacts = _contacts_library(self.folder).contacts
        return self._contacts

    def __getitem__(self, key: str) -> Contact:
        return self._loaded[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded)

    def __len__(self) -> int:
        return len(self._loaded)


def _load_answers(path: Path) -> dict[str, Any]:
    from draaiboek.services.answerfile import AnswerFileError, read_answers

    try:
        return read_answers(path)
    except AnswerFileError as exc:
        usage_error(str(exc))


def _walk_and_exit(
    session: Session, screen: Screen, source: LineSource, scripted: dict[str, Any] | None
) -> None:
    from draaiboek.cli.walkloop import WalkLoop

    loop = WalkLoop(session, screen, source.read, scripted)
    try:
        with interruptible(session):
            try:
                finished = loop.run()
            except Interrupted:
                session.pause("interrupted")
                with suppress(OSError):  # a hung-up terminal (SIGHUP) can no longer be told
                    screen.console.print("\n" + paused_hint(screen, session))
                raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        session.close()
    if finished:
        screen.console.print(done_hint(screen, session))
        raise typer.Exit(EXIT_OK)
    raise typer.Exit(EXIT_FINDINGS if loop.input_ended else EXIT_OK)


@app.command()
def status(
    incident: Annotated[str, typer.Argument(help="Incident id (see 'draaiboek incidents').")],
    lang: LangOption = None,
    runbooks: RunbooksOption = None,
    home: HomeOption = None,
) -> None:
    """Where an incident stands: current step, open and overdue actions (read-only).

    Example: draaiboek status 20261123-1405-112-onbereikbaar-3f9a
    """
    from draaiboek.cli.render import Screen, make_console
    from draaiboek.engine.fold import no_cycle_collection, replay
    from draaiboek.journal import JournalError, read
    from draaiboek.model.catalogue import Messages
    from draaiboek.services.incidents import (
        IncidentError,
        find_incident,
        incident_runbooks,
        summarise,
    )
    from draaiboek.services.session import system_clock

    language = chosen_language(lang)
    try:
        with no_cycle_collection(freeze_after=True):
            folder = find_incident(home_folder(home), incident)
            events = list(read(folder))
            state = replay(incident_runbooks(folder, events), events)
    except (IncidentError, JournalError) as exc:
        fail(str(exc))
    contacts = _FolderContacts(runbooks_folder(runbooks))
    zone = _zone_of(events[0] if events else None)
    screen = Screen(make_console(), Messages(language), zone, contacts)
    now = system_clock()
    summary = summarise(folder, events)
    with screen.block():
        screen.header(state, now)
        screen.say(screen.t("status.state", state=screen.t(f"state.{summary.state}")))
        if state.closed:
            screen.say(screen.t("status.closed", outcome=screen.t(f"outcome.{state.outcome}")))
        elif state.current is not None:
            title = screen.what(state, state.current.runbook, state.current.step, None)
            screen.say(screen.t("status.current", title=title))
        screen.open_items(state, numbered=False)
        screen.deadlines(state, now)
        if state.mode == "exercise":
            screen.banner(state)


@app.command()
def incidents(
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    lang: LangOption = None,
    home: HomeOption = None,
) -> None:
    """List incidents: id, runbook, mode, state, started, last event.

    Example: draaiboek incidents --format json
    """
    import json

    from draaiboek.model.catalogue import Messages
    from draaiboek.services.incidents import incidents_root, list_incidents

    if output_format not in ("text", "json"):
        usage_error(f"unknown format {output_format!r}: choose text or json")
    language = chosen_language(lang)
    messages = Messages(language)
    root_home = home_folder(home)
    found = list_incidents(root_home)
    if output_format == "json":
        typer.echo(json.dumps([s.as_dict() for s in found], ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo(messages("incidents.none", folder=incidents_root(root_home)))
        return
    for summary in found:
        mode = messages(f"mode.{summary.mode}") if summary.mode in ("live", "exercise") else "?"
        state = messages(f"state.{summary.state}")
        if summary.outcome:
            state += f" ({messages('outcome.' + summary.outcome)})"
        typer.echo(
            f"{summary.id}  {summary.runbook} {summary.version}  {mode}  {state}  "
            f"{_short(summary.started, summary.timezone)}  "
            f"{_short(summary.last_event, summary.timezone)} {summary.last_type or ''}"
        )


def _short(moment: str | None, zone: str) -> str:
    """In the incident's own time zone, as its id and its screens show time."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not moment:
        return "-"
    try:
        tz: ZoneInfo | None = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = None
    return datetime.fromisoformat(moment).astimezone(tz).strftime("%Y-%m-%d %H:%M")


@app.command()
def verify(
    target: Annotated[str, typer.Argument(help="Incident id, incident folder or journal file.")],
    lang: LangOption = None,
    home: HomeOption = None,
) -> None:
    """Recompute the journal's hash chain: exit 0 and the last hash, or 1 and the first break.

    Example: draaiboek verify 20261123-1405-112-onbereikbaar-3f9a
    """
    from draaiboek.journal import JournalError
    from draaiboek.journal import verify as verify_journal
    from draaiboek.model.catalogue import Messages
    from draaiboek.services.incidents import IncidentError, find_incident

    messages = Messages(chosen_language(lang))
    path = Path(target)
    if not path.is_file():
        try:
            path = find_incident(home_folder(home), target)
        except IncidentError as exc:
            fail(str(exc))
    try:
        result = verify_journal(path)
    except JournalError as exc:
        fail(str(exc))
    if result.ok:
        typer.echo(messages("verify.ok", count=result.events, hash=result.last_hash))
        raise typer.Exit(EXIT_OK)
    typer.echo(
        messages(
            "verify.broken", line=result.broken_line, seq=result.broken_seq, reason=result.reason
        )
    )
    raise typer.Exit(EXIT_FINDINGS)
