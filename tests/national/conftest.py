"""Fixtures for the national tests: a real PostgreSQL (started once per session) and a fresh
database with the store, two stations and a reader for each test.

Without PostgreSQL's binaries the tests are skipped, visibly; with DRAAIBOEK_REQUIRE_POSTGRES=1
(CI sets it) they fail instead, so CI cannot pass by skipping them.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from national.pgserver import PgServer, find_bindir

DATA = Path(__file__).parent / "data"
_COUNTER = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: runs against a real PostgreSQL (skipped without its binaries)"
    )


def _unavailable(reason: str) -> None:
    if os.environ.get("DRAAIBOEK_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason}, and DRAAIBOEK_REQUIRE_POSTGRES=1 requires the national tests")
    pytest.skip(f"{reason}: the national tests need PostgreSQL (see .ci/postgres.sh)")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgServer]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'draaiboek[national]')")
    bindir = find_bindir()
    if bindir is None:
        _unavailable("PostgreSQL's server binaries (initdb, pg_ctl) were not found")
    assert bindir is not None
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to run the server")
    server = PgServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@dataclass
class Store:
    """A fresh database holding the store, with stations `oost` and `west` and a reader."""

    server: PgServer
    db: str
    suffix: str

    @property
    def admin(self) -> str:
        return self.server.url("postgres", self.db)

    def station(self, name: str) -> str:
        return self.server.url(f"draaiboek_station_{name}{self.suffix}", self.db)

    def name(self, name: str) -> str:
        return f"{name}{self.suffix}"

    @property
    def reader(self) -> str:
        return self.server.url(f"reader{self.suffix.replace('-', '_')}", self.db)


@pytest.fixture
def store(postgres: PgServer) -> Iterator[Store]:
    import psycopg

    from draaiboek.services.national import migrations
    from draaiboek.services.national.connect import connect

    number = next(_COUNTER)
    db = f"store_{os.getpid()}_{number}"
    suffix = f"-t{number}"
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    found = Store(postgres, db, suffix)
    conn = connect(found.admin, autocommit=True)
    try:
        migrations.init(conn)
        for station in ("oost", "west"):
            migrations.add_station(conn, f"{station}{suffix}")
        migrations.add_reader(conn, f"reader{suffix.replace('-', '_')}")
    finally:
        conn.close()
    try:
        yield found
    finally:
        postgres.start() if _stopped(postgres) else None
        with psycopg.connect(postgres.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            for role in (
                f"draaiboek_station_oost{suffix}",
                f"draaiboek_station_west{suffix}",
                f"reader{suffix.replace('-', '_')}",
            ):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def _stopped(server: PgServer) -> bool:
    return not (server.data / "postmaster.pid").exists()
