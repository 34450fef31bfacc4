"""The store's schema and roles: versioned migrations, stations, readers, retention and purge.

Migrations are the files ``sql/NNNN_name.sql`` shipped in this package, applied in order, each
in the same transaction as its row in ``draaiboek.migrations``; a transaction-level advisory lock
keeps two administrators from applying them at once. Run as the database's owner (or a
superuser): creating roles needs CREATEROLE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from draaiboek.services.national.connect import NationalError, describe, psycopg_module

if TYPE_CHECKING:
    import psycopg

GROUP_ROLES = ("draaiboek_station", "draaiboek_reader")
STATION_ROLE_PREFIX = "draaiboek_station_"
STATION_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,62}$")
_LOCK = 0x64726169  # "drai": any constant, the same for every administrator
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every shipped migration, in version order."""
    found = []
    for entry in resources.files("draaiboek.services.national").joinpath("sql").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(
                Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8"))
            )
    return sorted(found, key=lambda m: m.version)


def current_version(conn: psycopg.Connection[Any]) -> int | None:
    """The last applied migration, or None when the store was never initialised."""
    row = conn.execute("SELECT to_regclass('draaiboek.migrations') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return None
    found = conn.execute("SELECT max(version) FROM draaiboek.migrations").fetchone()
    return int(found[0]) if found and found[0] is not None else 0


def init(conn: psycopg.Connection[Any]) -> list[Migration]:
    """Create the group roles (if missing) and the schema; NationalError if it exists."""
    with _admin(conn):
        version = current_version(conn)
        if version is not None:
            raise NationalError(
                f"the store is already initialised (schema version {version}): use "
                "'draaiboek db upgrade'"
            )
        for role in GROUP_ROLES:
            if not _role_exists(conn, role):
                conn.execute(_sql("CREATE ROLE {} NOLOGIN", role))
        return _apply(conn, 0)


def upgrade(conn: psycopg.Connection[Any]) -> list[Migration]:
    """Apply the migrations not yet applied (none: an empty list)."""
    with _admin(conn):
        version = current_version(conn)
        if version is None:
            raise NationalError("the store is not initialised: use 'draaiboek db init'")
        return _apply(conn, version)


def add_station(conn: psycopg.Connection[Any], name: str) -> str:
    """Create the login role of station `name` and register it; returns the role's name.

    The role has no password: set one with psql's \\password (the station keeps it in its
    password file), or use certificate or peer authentication.
    """
    if not STATION_NAME.fullmatch(name):
        raise NationalError(
            f"station name {name!r} is not valid: 1-40 characters, lower case letters, digits "
            "and '-', starting with a letter or digit"
        )
    role = STATION_ROLE_PREFIX + name
    with _admin(conn):
        _require_schema(conn)
        if _role_exists(conn, role):
            raise NationalError(f"role {role} exists already: station {name!r} was added before")
        conn.execute(_sql("CREATE ROLE {} LOGIN IN ROLE draaiboek_station", role))
        conn.execute("INSERT INTO draaiboek.stations (name, role) VALUES (%s, %s)", (name, role))
    return role


def add_reader(conn: psycopg.Connection[Any], role: str) -> str:
    """Create a login role that may read the whole store and write nothing (the overview's)."""
    if not ROLE_NAME.fullmatch(role):
        raise NationalError(
            f"role name {role!r} is not valid: lower case letters, digits, '_' and '-'"
        )
    with _admin(conn):
        _require_schema(conn)
        if _role_exists(conn, role):
            raise NationalError(f"role {role} exists already")
        conn.execute(_sql("CREATE ROLE {} LOGIN IN ROLE draaiboek_reader", role))
    return role


def set_retention(conn: psycopg.Connection[Any], days: int) -> None:
    """Keep closed incidents `days` days after closing (what `purge` uses by default)."""
    if days < 1:
        raise NationalError("the retention must be at least 1 day")
    with _admin(conn):
        _require_schema(conn)
        conn.execute(
            "INSERT INTO draaiboek.settings (key, value) VALUES ('retention_days', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (str(days),),
        )


@dataclass(frozen=True)
class Purged:
    incidents: int
    events: int
    closed_before: datetime


def purge(conn: psycopg.Connection[Any], closed_before: datetime | None) -> Purged:
    """Delete every incident closed before `closed_before` (timezone-aware), or before now minus
    the retention setting when None; open incidents are never purged."""
    with _admin(conn):
        _require_schema(conn)
        if closed_before is None:
            row = conn.execute(
                "SELECT now() - make_interval(days => value::integer) FROM draaiboek.settings "
                "WHERE key = 'retention_days'"
            ).fetchone()
            if row is None:
                raise NationalError(
                    "no retention is set: give --closed-before DATE or set one with "
                    "'draaiboek db retention DAYS'"
                )
            closed_before = row[0]
        assert closed_before is not None
        conn.execute(
            "CREATE TEMP TABLE purged ON COMMIT DROP AS SELECT station, incident "
            "FROM draaiboek.summaries WHERE closed_at < %s",
            (closed_before,),
        )
        events = conn.execute(
            "DELETE FROM draaiboek.events e USING purged p "
            "WHERE e.station = p.station AND e.incident = p.incident"
        ).rowcount
        for table in ("timeline", "refused", "forks", "incident_runbooks", "summaries"):
            conn.execute(
                _sql(
                    "DELETE FROM draaiboek.{} t USING purged p "
                    "WHERE t.station = p.station AND t.incident = p.incident",
                    table,
                )
            )
        incidents = conn.execute("SELECT count(*) FROM purged").fetchone()
        conn.execute(
            "DELETE FROM draaiboek.runbook_marks m WHERE NOT EXISTS (SELECT 1 FROM "
            "draaiboek.incident_runbooks r WHERE r.sha256 = m.sha256)"
        )
        conn.execute(
            "DELETE FROM draaiboek.runbook_copies c WHERE NOT EXISTS (SELECT 1 FROM "
            "draaiboek.incident_runbooks r WHERE r.sha256 = c.sha256)"
        )
    return Purged(int(incidents[0]) if incidents else 0, events, closed_before)


# --------------------------------------------------------------------------------------------


class _admin:
    """One transaction holding the administrators' advisory lock; database errors become
    NationalError with the server's one-line message."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.tx: Any = None

    def __enter__(self) -> None:
        self.tx = self.conn.transaction()
        self.tx.__enter__()
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        psycopg = psycopg_module()
        try:
            self.tx.__exit__(exc_type, exc, tb)
        except psycopg.Error as error:
            raise NationalError(f"the database refused: {describe(error)}") from None
        if isinstance(exc, psycopg.errors.InsufficientPrivilege):
            raise NationalError(
                f"not allowed: {describe(exc)} (run this as the database's owner)"
            ) from None
        if isinstance(exc, psycopg.Error):
            raise NationalError(f"the database refused: {describe(exc)}") from None


def _apply(conn: psycopg.Connection[Any], after: int) -> list[Migration]:
    applied = []
    for migration in migrations():
        if migration.version <= after:
            continue
        conn.execute(migration.sql.encode("utf-8"))
        conn.execute(
            "INSERT INTO draaiboek.migrations (version, name) VALUES (%s, %s)",
            (migration.version, migration.name),
        )
        applied.append(migration)
    return applied


def _require_schema(conn: psycopg.Connection[Any]) -> None:
    if current_version(conn) is None:
        raise NationalError("the store is not initialised: use 'draaiboek db init'")


def _role_exists(conn: psycopg.Connection[Any], role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


def _sql(template: str, name: str) -> Any:
    sql = psycopg_module().sql
    return sql.SQL(template).format(sql.Identifier(name))
