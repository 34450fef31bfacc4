"""A station cut off from the store by a real network fault: a network namespace with a veth
pair, whose link is taken down while the walk goes on and brought back up.

Needs root and iproute2 (skipped otherwise, unless DRAAIBOEK_REQUIRE_POSTGRES=1). The store is a
PostgreSQL of its own listening on the veth address with TLS (a self-signed certificate): the
database is "on another machine" for the station, so the connection must be encrypted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import psycopg
import pytest

from draaiboek import journal
from draaiboek.services.national import migrations
from draaiboek.services.national.connect import connect
from national.helpers import FIRST, walk
from national.pgserver import PgServer, find_bindir

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[2]
HOST, STATION_IP = "10.213.7.1", "10.213.7.2"  # a /30 inside our own namespace pair only


def _need(reason: str) -> None:
    if os.environ.get("DRAAIBOEK_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason}, and CI requires the network test")
    pytest.skip(reason)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@pytest.fixture
def namespace() -> Iterator[tuple[str, str]]:
    if os.geteuid() != 0:
        _need("the network test needs root (network namespaces)")
    if not shutil.which("ip") or not shutil.which("openssl"):
        _need("the network test needs iproute2 and openssl")
    tag = uuid.uuid4().hex[:6]
    name, outer, inner = f"dbk{tag}", f"dbka{tag}", f"dbkb{tag}"
    try:
        _ip("netns", "add", name)
    except subprocess.CalledProcessError as exc:
        _need(f"cannot create a network namespace here: {exc.stderr.decode().strip()}")
    try:
        _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
        _ip("link", "set", inner, "netns", name)
        _ip("addr", "add", f"{HOST}/30", "dev", outer)
        _ip("link", "set", outer, "up")
        _ip("netns", "exec", name, "ip", "addr", "add", f"{STATION_IP}/30", "dev", inner)
        _ip("netns", "exec", name, "ip", "link", "set", inner, "up")
        _ip("netns", "exec", name, "ip", "link", "set", "lo", "up")
        yield name, outer
    finally:
        subprocess.run(["ip", "link", "del", outer], capture_output=True, check=False)
        subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


@pytest.fixture
def remote_store(namespace: tuple[str, str]) -> Iterator[PgServer]:
    bindir = find_bindir()
    if bindir is None:
        _need("PostgreSQL's server binaries were not found")
    assert bindir is not None
    server = PgServer(bindir)
    key, cert = server.data / "server.key", server.data / "server.crt"
    server._run(
        [
            "openssl",
            "req",
            "-new",
            "-x509",
            "-days",
            "2",
            "-nodes",
            "-subj",
            f"/CN={HOST}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ]
    )
    server._run(["chmod", "600", str(key)])
    with (server.data / "postgresql.conf").open("a") as conf:
        conf.write("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
    with (server.data / "pg_hba.conf").open("a") as hba:
        hba.write(f"hostssl all all {STATION_IP}/32 trust\n")
    server.start(listen=f"127.0.0.1,{HOST}")
    try:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE store")
        with connect(server.url("postgres", "store"), autocommit=True) as conn:
            migrations.init(conn)
            migrations.add_station(conn, "afgesneden")
        yield server
    finally:
        server.cleanup()


def _ask(child: subprocess.Popen[str], command: str) -> dict[str, Any]:
    stdin: IO[str] | None = child.stdin
    stdout: IO[str] | None = child.stdout
    assert stdin is not None and stdout is not None
    stdin.write(command + "\n")
    stdin.flush()
    line = stdout.readline()
    assert line, f"the station process ended: {child.stderr.read() if child.stderr else ''}"
    return json.loads(line)  # type: ignore[no-any-return]


def test_a_station_cut_off_keeps_walking_and_catches_up(
    namespace: tuple[str, str], remote_store: PgServer, tmp_path: Path
) -> None:
    name, outer = namespace
    home = tmp_path / "home"
    walk(home, "inc-cut", FIRST)
    folder = home / "incidents" / "inc-cut"
    url = (
        f"postgresql://draaiboek_station_afgesneden@{HOST}:{remote_store.port}/store"
        "?sslmode=require"
    )
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'tests'}"}
    child = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            name,
            sys.executable,
            str(Path(__file__).with_name("netns_child.py")),
            str(folder),
            str(home),
            url,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert _ask(child, "note 3")["logged"] == 3
        assert _ask(child, "wait")["pending"] == 0  # connected over TLS, all forwarded
        _ip("link", "set", outer, "down")  # the cut
        during = _ask(child, "note 20")  # the walk goes on, every note durable
        assert during["logged"] == 23
        assert during["pending"] > 0  # nothing could be sent...
        _ip("link", "set", outer, "up")  # ...until the link is back
        after = _ask(child, "wait")
        assert after["pending"] == 0
        stdin = child.stdin
        assert stdin is not None
        stdin.write("quit\n")
        stdin.close()
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    local = sum(1 for _ in journal.read(folder))
    with connect(remote_store.url("postgres", "store"), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT seq), max(seq) FROM draaiboek.events"
        ).fetchone()
    assert row == (local, local, local - 1)
