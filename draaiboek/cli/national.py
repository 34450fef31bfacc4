"""The national picture's commands: `db` (init, upgrade, add-station, add-reader, retention,
purge), `sync`, `overview` and `serve`. psycopg, Starlette and uvicorn are imported only here,
inside the commands (the optional extra `draaiboek[national]`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from draaiboek.cli.app import (
    EXIT_FINDINGS,
    EXIT_OK,
    HomeOption,
    LangOption,
    RunbooksOption,
    app,
    chosen_language,
    fail,
    home_folder,
    usage_error,
)
from draaiboek.cli.language import one_of, t

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="DRAAIBOEK_DB",
        show_default=False,
    ),
]
StationOption = Annotated[
    str | None,
    typer.Option(
        "--station",
        envvar="DRAAIBOEK_STATION",
        show_default=False,
    ),
]

db_app = typer.Typer(
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


def _url(db: str | None) -> str:
    """The --db URL, checked (a libpq URL without a password), before anything else is done."""
    from draaiboek.services.national.connect import NationalError, check_url

    if not db:
        usage_error(t("error.no-db"))
    try:
        check_url(db)
    except NationalError as exc:
        _failed(exc)
    return db


def _failed(exc: Exception) -> NoReturn:
    fail(str(exc))


_T = TypeVar("_T")


def _on_store(db: str | None, action: Callable[[Any], _T]) -> _T:
    """`action` on an autocommit connection to the store at --db, closed afterwards; a
    NationalError (connecting or in `action`) ends the command with its one line."""
    from draaiboek.services.national.connect import NationalError, connect

    try:
        conn = connect(_url(db), autocommit=True)
        try:
            return action(conn)
        finally:
            conn.close()
    except NationalError as exc:
        _failed(exc)


@db_app.command("init")
def db_init(db: DbOption = None) -> None:
    """Create the store: group roles, schema, row-level security (refused if it exists)."""
    from draaiboek.services.national import migrations

    applied = _on_store(db, migrations.init)
    typer.echo(f"store initialised: schema version {applied[-1].version if applied else 0}")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply the migrations this version has and the store does not."""
    from draaiboek.services.national import migrations

    applied = _on_store(db, migrations.upgrade)
    if not applied:
        typer.echo("store is up to date")
    for migration in applied:
        typer.echo(f"applied migration {migration.version:04d} {migration.name}")


@db_app.command("add-station")
def db_add_station(
    name: Annotated[str, typer.Argument()],
    db: DbOption = None,
) -> None:
    """Create a station's login role: it may insert its own station's events, nothing else."""
    from draaiboek.services.national import migrations

    role = _on_store(db, lambda conn: migrations.add_station(conn, name))
    typer.echo(
        f"station {name}: role {role} created without a password; set one with psql "
        f"(\\password {role}) and put it in the station's password file (~/.pgpass), or use "
        "certificate authentication"
    )


@db_app.command("add-reader")
def db_add_reader(
    role: Annotated[str, typer.Argument()],
    db: DbOption = None,
) -> None:
    """Create a login role that reads the whole store and writes nothing (for the overview)."""
    from draaiboek.services.national import migrations

    _on_store(db, lambda conn: migrations.add_reader(conn, role))
    typer.echo(f"reader role {role} created without a password (see add-station)")


@db_app.command("retention")
def db_retention(
    days: Annotated[int, typer.Argument()],
    db: DbOption = None,
) -> None:
    """Set how long closed incidents are kept (what `db purge` uses without --closed-before)."""
    from draaiboek.services.national import migrations

    _on_store(db, lambda conn: migrations.set_retention(conn, days))
    typer.echo(f"closed incidents are kept {days} days")


@db_app.command("purge")
def db_purge(
    closed_before: Annotated[
        str | None,
        typer.Option(
            "--closed-before",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Delete closed incidents (all their events, timeline and refusals); open ones stay."""
    from draaiboek.services.national import migrations

    before = _moment(closed_before) if closed_before else None
    purged = _on_store(db, lambda conn: migrations.purge(conn, before))
    typer.echo(
        f"purged {purged.incidents} incidents ({purged.events} events) closed before "
        f"{purged.closed_before.isoformat(timespec='seconds')}"
    )


def _moment(text: str) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        usage_error(t("error.bad-moment", given=text))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command()
def sync(
    incident: Annotated[str | None, typer.Argument()] = None,
    db: DbOption = None,
    watch: Annotated[bool, typer.Option("--watch")] = False,
    station: StationOption = None,
    home: HomeOption = None,
) -> None:
    """Forward the incidents' journals to the national store (what it holds already is skipped).

    Exit 1 when the store refused an event, or a journal is shorter than what it forwarded.
    """
    import time as clock

    from draaiboek.services.incidents import IncidentError, find_incident
    from draaiboek.services.national.connect import NationalError
    from draaiboek.services.national.forward import Forwarded
    from draaiboek.services.national.sync import Syncer, incident_folders
    from draaiboek.services.national.sync import watch as watch_loop

    url = _url(db)
    home_dir = home_folder(home)
    if incident is not None:
        try:
            chosen = [find_incident(home_dir, incident)]
        except IncidentError as exc:
            usage_error(str(exc))

    def folders() -> list[Path]:
        return chosen if incident is not None else incident_folders(home_dir)

    syncer = Syncer(url, home_dir, station)

    def report(result: Forwarded | NationalError) -> None:
        if isinstance(result, NationalError):
            typer.echo(f"draaiboek: {t('error.retrying', problem=result)}", err=True)
        else:
            typer.echo(_line(result), err=result.problem is not None)

    problems = 0
    try:
        if watch:
            watch_loop(syncer, folders, report, clock.sleep)
        for result in syncer.run_once(folders()):
            typer.echo(_line(result))
            problems += result.problem is not None
    except NationalError as exc:
        _failed(exc)
    finally:
        syncer.close()
    raise typer.Exit(EXIT_FINDINGS if problems else EXIT_OK)


def _line(result: Any) -> str:
    status = t("sync.problem", problem=result.problem) if result.problem else t("sync.ok")
    return t(
        "sync.result",
        incident=result.incident,
        new=result.accepted,
        stored=result.stored,
        local=result.local,
        status=status,
    )


@app.command()
def overview(
    db: DbOption = None,
    output_format: Annotated[str, typer.Option("--format", "-f")] = "text",
    runbooks: RunbooksOption = None,
    lang: LangOption = None,
) -> None:
    """Every station's incidents, the national timeline and every published phone number."""
    import json

    from draaiboek.cli.app import runbooks_folder
    from draaiboek.services.national.connect import NationalError, connect
    from draaiboek.services.national.overview import load_contacts, read_overview
    from draaiboek.services.national.text import render

    if output_format not in ("text", "json"):
        usage_error(
            t("error.unknown-format", given=output_format, choices=one_of(("text", "json")))
        )
    language = chosen_language(lang)
    contacts = load_contacts(runbooks_folder(runbooks))
    try:
        conn = connect(_url(db), read_only=True)
        try:
            view = read_overview(conn, lang=language, contacts=contacts)
        finally:
            conn.close()
    except NationalError as exc:
        _failed(exc)
    except Exception as exc:  # a database error while reading: one line, not a traceback
        if type(exc).__module__.startswith("psycopg"):
            problem = str(exc).splitlines()[0] if str(exc) else exc
            fail(t("error.store-unreadable", problem=problem))
        raise
    if output_format == "json":
        typer.echo(json.dumps(view.as_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render(view, language), nl=False)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8716,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="DRAAIBOEK_TOKEN",
            show_default=False,
        ),
    ] = None,
    runbooks: RunbooksOption = None,
    lang: LangOption = None,
) -> None:
    """A read-only web page of the overview that updates itself (no internet resources)."""
    from draaiboek.cli.app import runbooks_folder
    from draaiboek.services.national.connect import is_local

    url = _url(db)
    if not is_local(host) and not token:
        usage_error(t("error.host-needs-token", host=host))
    if token is not None and len(token) < 16:
        usage_error(t("error.short-token"))
    try:
        from draaiboek.services.national.page import run_server
    except ImportError:
        fail(t("error.page-needs-extras"))
    from draaiboek.services.national.overview import load_contacts

    run_server(
        url,
        host=host,
        port=port,
        token=token,
        lang=chosen_language(lang),
        contacts=load_contacts(runbooks_folder(runbooks)),
    )


# --------------------------------------------------------------------------------------------
# What the walk and `verify` use (cli/walk.py calls these; they do nothing without a database)


def station_setting(given: str | None) -> str | None:
    """--station, else DRAAIBOEK_STATION, else None; a usage error for a name the store would
    refuse."""
    import os

    from draaiboek.services.national.migrations import STATION_NAME

    name = given or os.environ.get("DRAAIBOEK_STATION") or None
    if name is not None and not STATION_NAME.fullmatch(name):
        usage_error(t("error.station-name", name=name))
    return name


def attach_forwarder(session: Any, db: str | None = None) -> Any:
    """Forward `session`'s events in the background when a database is configured (--db or
    DRAAIBOEK_DB); None otherwise. A problem is said in one line and the walk goes on."""
    import os

    url = db or os.environ.get("DRAAIBOEK_DB")
    if not url:
        return None
    from draaiboek.services.national.connect import NationalError, check_url

    try:
        check_url(url)
        from draaiboek.services.national.background import Background
    except NationalError as exc:
        typer.echo(f"draaiboek: {t('error.not-forwarding', problem=exc)}", err=True)
        return None
    folder = Path(session.folder)
    forwarder = Background(
        url, folder.parent.parent, folder, station=os.environ.get("DRAAIBOEK_STATION") or None
    ).start()
    for event in list(session.logged):
        forwarder.feed(event)
    session.on_logged.append(forwarder.feed)
    return forwarder


def detach_forwarder(forwarder: Any, grace: float = 1.0) -> None:
    """Give the forwarder `grace` seconds for what is pending; the rest waits for `sync`."""
    if forwarder is None:
        return
    left = forwarder.stop(grace)
    if left:
        typer.echo(f"draaiboek: {t('error.not-yet-forwarded', count=left)}", err=True)


def verify_with_store(db: str, folder: Path) -> bool:
    """Compare the journal in `folder` with the store; print the result; True when it agrees."""
    from draaiboek.services.national.verify import compare

    found = _on_store(db, lambda conn: compare(conn, folder))
    if found.problem is None:
        typer.echo(t("verify.store-ok", stored=found.stored, station=found.station or "—"))
        return True
    if found.differs_at is not None:
        typer.echo(t("verify.store-differs", seq=found.differs_at))
    else:
        typer.echo(t("verify.store-cut", local=found.local, stored=found.stored))
    return False
