"""Connecting to the national store: a libpq URL, credentials from libpq's own places, TLS
whenever the database is on another machine, and one-line errors.

psycopg is imported here, lazily: nothing needs it unless a database is configured.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

INSTALL_HINT = "install the optional extra: pip install 'draaiboek[national]'"
_LOCAL_HOSTS = frozenset({"", "localhost"})


class NationalError(Exception):
    """Cannot continue; ``str(exc)`` is one line for the user saying what to do."""


def psycopg_module() -> Any:
    """The psycopg package, or NationalError saying how to install it."""
    try:
        import psycopg
    except ImportError:
        raise NationalError(f"the national store needs psycopg: {INSTALL_HINT}") from None
    return psycopg


def check_url(url: str) -> dict[str, str]:
    """The URL's parameters; NationalError when it is not a libpq URL or holds a password.

    Passwords belong in libpq's password file (~/.pgpass, PGPASSFILE) or a service file
    (PGSERVICEFILE), never on a command line or in an environment variable that other
    processes can read.
    """
    psycopg = psycopg_module()
    if not url.strip():
        raise NationalError("no database given: use --db URL or DRAAIBOEK_DB")
    try:
        params: dict[str, str] = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise NationalError(
            f"--db is not a PostgreSQL connection URL: {_first_line(exc)}"
        ) from None
    if params.get("password"):
        raise NationalError(
            "the database URL holds a password: put it in the password file (~/.pgpass or "
            "PGPASSFILE) or a service file instead"
        )
    return params


def is_local(host: str | None) -> bool:
    """A Unix socket folder, localhost, or a loopback address: the database is on this machine."""
    if host is None or host in _LOCAL_HOSTS or host.startswith("/") or host.startswith("@"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connect(
    url: str, *, timeout: float = 10, read_only: bool = False, autocommit: bool = False
) -> psycopg.Connection[Any]:
    """An open connection, or NationalError with the reason in one line.

    `timeout` is libpq's connect_timeout in seconds (at least 1, whole seconds). A connection to
    another machine without TLS is closed again and refused. With `read_only`, every
    transaction is READ ONLY (the overview never writes, whatever the role may do).
    """
    pg = psycopg_module()
    check_url(url)
    try:
        conn: psycopg.Connection[Any] = pg.connect(
            url,
            connect_timeout=max(1, round(timeout)),
            application_name="draaiboek",
            autocommit=autocommit,
        )
    except pg.Error as exc:
        raise NationalError(f"cannot reach the database: {_first_line(exc)}") from None
    if not is_local(conn.info.host) and not conn.pgconn.ssl_in_use:
        conn.close()
        raise NationalError(
            f"the database at {conn.info.host} is on another machine and the connection is not "
            "encrypted: use sslmode=verify-full (or require) in the URL or service file"
        )
    if read_only:
        conn.read_only = True
    return conn


def describe(exc: BaseException) -> str:
    """One line for a database error (the server's message, without its context lines)."""
    return _first_line(exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def target_name(url: str) -> str:
    """Where a URL points, without credentials: host, port and database (for local records)."""
    params = check_url(url)
    host = params.get("host") or params.get("hostaddr") or "local"
    port = params.get("port") or "5432"
    name = params.get("dbname") or params.get("service") or params.get("user") or "postgres"
    return f"{host}:{port}/{name}"
