"""Looking at incidents without walking them: `status`, `incidents`, `verify` (read-only)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from draaiboek.cli.app import (
    EXIT_FINDINGS,
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
from draaiboek.cli.language import one_of, t

if TYPE_CHECKING:
    from collections.abc import Mapping

    from draaiboek.model.runbook import Contact
    from draaiboek.services.incidents import IncidentSummary
    from draaiboek.services.status import IncidentStatus


def incident_problem(exc: Exception) -> NoReturn:
    """How an incident that cannot be found or read ends a command: one line, exit 1; a part of
    an id that several ids hold is a usage error (exit 2) listing them."""
    from draaiboek.services.incidents import AmbiguousIncident

    if isinstance(exc, AmbiguousIncident):
        usage_error(str(exc))
    fail(str(exc))


def incident_contacts(runbooks: Path | None, examples: bool) -> Mapping[str, Contact]:
    """The contacts to show for an incident: the runbooks folder's registry (read when first
    looked at); the shipped example registry only for an incident that runs on the examples,
    never for real work when no runbooks folder is chosen (a contact then shows as unknown)."""
    from draaiboek.load.library import FolderContacts

    chosen = chosen_runbooks(runbooks)
    if chosen is None and not examples:
        return {}
    return FolderContacts(chosen or runbooks_folder(runbooks), date.today())


@app.command()
def status(
    incident: Annotated[str, typer.Argument()],
    output_format: Annotated[str, typer.Option("--format", "-f")] = "text",
    lang: LangOption = None,
    runbooks: RunbooksOption = None,
    home: HomeOption = None,
) -> None:
    """Where an incident stands: current step, open and overdue actions (read-only).

    Example: draaiboek status 20261123-1405-112-onbereikbaar-3f9a
    """
    from draaiboek.cli.render import Screen, make_console
    from draaiboek.journal import JournalError
    from draaiboek.model.catalogue import Messages
    from draaiboek.services.incidents import IncidentError
    from draaiboek.services.session import system_clock
    from draaiboek.services.status import incident_status

    if output_format not in ("text", "json"):
        usage_error(
            t("error.unknown-format", given=output_format, choices=one_of(("text", "json")))
        )
    language = chosen_language(lang)
    try:
        found = incident_status(home_folder(home), incident, store_configured=_store_configured())
    except (IncidentError, JournalError) as exc:
        incident_problem(exc)
    if output_format == "json":
        _status_json(found, language)
        return
    contacts = incident_contacts(runbooks, found.summary.examples)
    screen = Screen(make_console(), Messages(language), found.zone, contacts)
    screen.examples = found.summary.examples
    state, now = found.state, system_clock()
    with screen.block():
        if not found.check.ok:  # before anything read from it: the journal may be cut or changed
            reason = "; ".join(found.check.problems)
            screen.line(screen.t("status.unverified", reason=reason, id=found.folder.name))
        screen.header(state, now)
        screen.say(screen.t("status.state", state=screen.t(f"state.{found.summary.state}")))
        if state.closed:
            screen.say(screen.t("status.closed", outcome=screen.t(f"outcome.{state.outcome}")))
        elif state.current is not None:
            title = screen.what(state, state.current.runbook, state.current.step, None)
            screen.line(screen.t("status.current", title=title))  # a runbook's text: literal
        screen.deadlines(state, now)
        if not state.closed:  # what the next operator must know (services.handover)
            from draaiboek.cli.targetview import handover

            handover(screen, state, now, numbered=False)
        else:
            screen.open_items(state, numbered=False)
        if found.not_forwarded is not None:  # forwarded to a national store, or it is set up
            events = found.summary.events
            key = "status.not-forwarded" if found.not_forwarded else "status.forwarded"
            screen.line(screen.t(key, count=found.not_forwarded, events=events))
        if state.mode == "exercise":
            screen.banner(state)


def _status_json(found: IncidentStatus, lang: str) -> None:
    """`status --format json`: the fixed keys of services.status_data, on stdout."""
    import json

    from draaiboek.journal import JournalError
    from draaiboek.services.incidents import IncidentError, read_head
    from draaiboek.services.session import system_clock
    from draaiboek.services.status_data import status_data

    try:
        opened = read_head(found.folder).first
    except (IncidentError, JournalError) as exc:  # the folder was found: only unreadable now
        fail(str(exc))
    data = status_data(
        found.state,
        found.summary,
        opened=opened,
        verified=found.check.ok,
        lang=lang,
        now=system_clock(),
    )
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.command()
def incidents(
    output_format: Annotated[str, typer.Option("--format", "-f")] = "text",
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
        usage_error(
            t("error.unknown-format", given=output_format, choices=one_of(("text", "json")))
        )
    language = chosen_language(lang)
    messages = Messages(language)
    root_home = home_folder(home)
    found = list_incidents(root_home)
    unsent = _not_forwarded(root_home, found)
    if output_format == "json":
        listed = [{**s.as_dict(), "not_forwarded": unsent[s.id]} for s in found]
        typer.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo(messages("incidents.none", folder=incidents_root(root_home)))
        return
    for summary in found:
        mode = messages(f"mode.{summary.mode}") if summary.mode in ("live", "exercise") else "?"
        state = messages(f"state.{summary.state}")
        if summary.outcome:
            state += f" ({messages('outcome.' + summary.outcome)})"
        mark = "" if summary.verified else f"  {messages('incidents.unverified')}"
        if unsent[summary.id]:
            mark += f"  {messages('incidents.not-forwarded', count=unsent[summary.id])}"
        typer.echo(
            f"{summary.id}  {summary.runbook} {summary.version}  {mode}  {state}  "
            f"{_short(summary.started, summary.timezone)}  "
            f"{_short(summary.last_event, summary.timezone)} {summary.last_type or ''}{mark}"
        )


def _store_configured() -> bool:
    """Whether a national store is set up (DRAAIBOEK_DB): then an incident never forwarded
    counts as not forwarded too. Without one, only incidents forwarded before say anything."""
    import os

    return bool(os.environ.get("DRAAIBOEK_DB"))


def _not_forwarded(home: Path, found: list[IncidentSummary]) -> dict[str, int | None]:
    """Per incident id: events the national store has not acknowledged, or None (see
    services.national.acks.pending)."""
    from draaiboek.services.national.acks import pending

    configured = _store_configured()
    return {s.id: pending(home, s.id, s.events, configured=configured) for s in found}


def _short(moment: str | None, zone: str) -> str:
    """In the incident's own time zone, as its id and its screens show time."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not moment:
        return "-"
    try:
        tz: ZoneInfo | None = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = None
    if tz is None:
        return datetime.fromisoformat(moment).astimezone().strftime("%Y-%m-%d %H:%M")
    from draaiboek.model.wallclock import wall_time  # with CET/CEST on a day the clock changes

    return wall_time(datetime.fromisoformat(moment), tz, "%Y-%m-%d %H:%M")


@app.command()
def verify(
    target: Annotated[str, typer.Argument()],
    lang: LangOption = None,
    home: HomeOption = None,
    output_format: Annotated[str, typer.Option("--format", "-f")] = "text",
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="DRAAIBOEK_DB",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Recompute the journal's hash chain: exit 0 and the last hash, or 1 and the first break.

    For an incident in an incident home, also compare its journal with the head the home's
    register recorded (a cut tail or a rewritten chain shows) and check every stored runbook
    copy against the sha256 the journal names. A file given by its path is checked alone.

    Example: draaiboek verify 20261123-1405-112-onbereikbaar-3f9a
    """
    import os

    from draaiboek.journal import JournalError
    from draaiboek.journal import verify as verify_journal
    from draaiboek.model.catalogue import Messages
    from draaiboek.services.incidents import IncidentError, find_incident
    from draaiboek.services.integrity import verify_incident

    messages = Messages(chosen_language(lang))
    if output_format not in ("text", "json"):
        usage_error(
            t("error.unknown-format", given=output_format, choices=one_of(("text", "json")))
        )
    if output_format == "json" and db:
        usage_error(t("error.verify-json-db"))
    copies: list[str] = []
    register: list[str] = []
    try:
        given = Path(target)
        alone = (os.sep in target or "/" in target) and given.is_file()
        if alone and given.name != "journal.jsonl":  # a journal under another name: by itself
            folder = given.parent
            result = verify_journal(given)
        else:
            folder = find_incident(home_folder(home), target)
            in_home = folder.parent.parent if folder.parent.name == "incidents" else None
            found = verify_incident(folder, in_home)
            assert found.journal is not None
            result, copies = found.journal, found.copies_changed
            register = found.register_problems
    except (IncidentError, JournalError) as exc:
        incident_problem(exc)
    except OSError as exc:  # a path the system will not look at (too long, ...)
        fail(f"cannot use {target[:60]!r}: {exc.strerror or exc}")
    if output_format == "json":
        import json

        document = {
            "ok": result.ok and not copies and not register,
            "events": result.events,
            "last_hash": result.last_hash,
            "broken": None
            if result.ok
            else {"line": result.broken_line, "seq": result.broken_seq, "reason": result.reason},
            "copies_changed": copies,
            "register_problems": register,
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    elif result.ok:
        typer.echo(messages("verify.ok", count=result.events, hash=result.last_hash))
    else:
        typer.echo(
            messages(
                "verify.broken",
                line=result.broken_line,
                seq=result.broken_seq,
                reason=result.reason,
            )
        )
    if copies and output_format == "text":
        typer.echo(messages("verify.copies", names=", ".join(copies)))
    for problem in register if output_format == "text" else ():
        typer.echo(messages("verify.register", problem=problem))
    if not result.ok or copies or register:
        raise typer.Exit(EXIT_FINDINGS)
    if db:
        from draaiboek.cli.national import verify_with_store

        if not verify_with_store(db, folder):
            raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK)
