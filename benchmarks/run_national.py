"""Benchmarks of the national store, each a ratio to a baseline measured in the same run.

    .venv/bin/python benchmarks/run_national.py            full sizes, targets enforced (exit 1)
    .venv/bin/python benchmarks/run_national.py --quick    small sizes, targets not enforced (CI)

Starts its own throwaway PostgreSQL (as tests/national do; exit 0 with a note when the server
binaries are missing in quick mode). Rows (see benchmarks/README.md):
  catch-up   10 stations x 5,000 events forwarded at once  vs  the same rows COPYed, unindexed
  overview   read_overview with 1,000 incidents / 1,000,000 events  vs  1,000 / 10,000
  per-step   a step logged with a forwarder whose store never answers  vs  two fsync'd writes
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(HERE))

from national.helpers import DATA, RUNBOOK, chain, rehash, rows  # noqa: E402
from national.pgserver import PgServer, find_bindir  # noqa: E402


@dataclass(frozen=True)
class Sizes:
    stations: int
    events: int
    incidents: int
    small: int  # events per incident, overview baseline
    big: int  # events per incident, overview measured
    steps: int


FULL = Sizes(stations=10, events=5000, incidents=1000, small=10, big=1000, steps=200)
QUICK = Sizes(stations=4, events=500, incidents=50, small=10, big=100, steps=20)


@dataclass
class Row:
    title: str
    measured: str
    baseline: str
    limit: float
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.a) / statistics.median(self.b)


def _interleave(row: Row, a: Callable[[], float], b: Callable[[], float], repeats: int) -> Row:
    a(), b()  # warm-up pair, not counted
    for _ in range(repeats):
        row.a.append(a())
        row.b.append(b())
    return row


def _store(server: PgServer, db: str, stations: int) -> None:
    import psycopg

    from draaiboek.services.national import migrations
    from draaiboek.services.national.connect import connect

    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    with connect(server.url("postgres", db), autocommit=True) as conn:
        migrations.init(conn)
        for number in range(stations):
            name = f"s{number}-{db.replace('_', '-')}"
            migrations.add_station(conn, name)
        conn.execute("CREATE TABLE plain (incident text, seq integer, hash text, body text)")


def _role(number: int, db: str) -> str:
    return f"draaiboek_station_s{number}-{db.replace('_', '-')}"


def row_catch_up(server: PgServer, sizes: Sizes, repeats: int) -> Row:
    from draaiboek.services.national import ingest
    from draaiboek.services.national.connect import connect

    db = "bench_catchup"
    _store(server, db, sizes.stations)
    batches = [rows(f"inc-{n}", chain(f"inc-{n}", sizes.events)) for n in range(sizes.stations)]
    roles = [_role(n, db) for n in range(sizes.stations)]
    stations = [connect(server.url(role, db), autocommit=True) for role in roles]
    admin = connect(server.url("postgres", db), autocommit=True)

    def together(work: Callable[[int], None]) -> float:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(sizes.stations)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - start

    def forward(n: int) -> None:
        for first in range(0, sizes.events, 5000):
            ingest.send(stations[n], batches[n][first : first + 5000])

    def copy(n: int) -> None:
        with (
            stations[n].cursor() as cur,
            cur.copy("COPY plain (incident, seq, hash, body) FROM STDIN") as out,
        ):
            for row in batches[n]:
                out.write_row((row.incident, row.seq, row.hash, row.body))

    def measured() -> float:
        admin.execute(
            "TRUNCATE draaiboek.events, draaiboek.summaries, draaiboek.timeline, "
            "draaiboek.incident_runbooks, draaiboek.refused, draaiboek.forks"
        )
        return together(forward)

    def baseline() -> float:
        admin.execute("TRUNCATE plain")
        return together(copy)

    admin.execute(f"GRANT INSERT ON plain TO {', '.join(_quote(role) for role in roles)}")
    row = Row(
        "catch-up",
        f"{sizes.stations} stations x {sizes.events} events forwarded at once (ingest: set-based "
        "checks, summaries)",
        "the same rows COPYed by the same connections into an unindexed table",
        8.0,
    )
    try:
        return _interleave(row, measured, baseline, repeats)
    finally:
        for conn in [*stations, admin]:
            conn.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fill(server: PgServer, db: str, incidents: int, per: int) -> None:
    """A store holding `incidents` incidents of `per` events each, naming a real runbook."""
    from draaiboek.services.national import ingest
    from draaiboek.services.national.connect import connect

    _store(server, db, 1)
    sha = _copy_sha()
    with connect(server.url(_role(0, db), db), autocommit=True) as conn:
        ingest.send_copies(conn, _copies(sha))
        pending: list[ingest.Row] = []
        for number in range(incidents):
            incident = f"inc-{number:05d}"
            events = [rehash({**chain(incident, 1)[0], "sha256": sha})]
            for event in chain(incident, per)[1:]:
                events.append(rehash({**event, "prev": events[-1]["hash"]}))
            pending += rows(incident, events)
            if len(pending) >= 5000:
                ingest.send(conn, pending)
                pending = []
        if pending:
            ingest.send(conn, pending)


def _copy_sha() -> str:
    import hashlib

    return hashlib.sha256((DATA / f"{RUNBOOK}.yaml").read_bytes()).hexdigest()


def _copies(sha: str) -> list[Any]:
    from draaiboek.services.national import ingest

    return [ingest.RunbookCopy(sha, RUNBOOK, "1.0.0", (DATA / f"{RUNBOOK}.yaml").read_bytes(), ())]


def row_overview(server: PgServer, sizes: Sizes, repeats: int) -> Row:
    from draaiboek.services.national.connect import connect
    from draaiboek.services.national.overview import read_overview

    _fill(server, "bench_small", sizes.incidents, sizes.small)
    _fill(server, "bench_big", sizes.incidents, sizes.big)
    small = connect(server.url("postgres", "bench_small"), read_only=True)
    big = connect(server.url("postgres", "bench_big"), read_only=True)

    def timed(conn: Any) -> float:
        start = time.perf_counter()
        read_overview(conn, lang="nl", contacts={})
        return time.perf_counter() - start

    row = Row(
        "overview",
        f"read_overview: {sizes.incidents} incidents, {sizes.incidents * sizes.big} events",
        f"the same with {sizes.incidents} incidents, {sizes.incidents * sizes.small} events",
        1.5,
    )
    try:
        return _interleave(row, lambda: timed(big), lambda: timed(small), repeats)
    finally:
        small.close()
        big.close()


def row_per_step(sizes: Sizes, repeats: int) -> Row:
    import os
    import socket
    from datetime import date

    from draaiboek.engine.decide import Draft
    from draaiboek.load.library import load_library
    from draaiboek.services.national.background import Background
    from draaiboek.services.session import Session, system_clock

    library = load_library([DATA], today=date(2026, 6, 24))
    work = Path(tempfile.mkdtemp(prefix="draaiboek-bench-"))
    silent = socket.socket()  # the store: accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    url = f"postgresql://nobody@127.0.0.1:{silent.getsockname()[1]}/x"
    counter = iter(range(10**6))

    def steps() -> float:
        home = work / f"home-{next(counter)}"
        session = Session.start(
            home,
            library.runbooks[RUNBOOK],
            library.all_runbooks(),
            operator="Bench",
            clock=system_clock,
            incident_id="inc",
        )
        forwarder = Background(url, home, session.folder, timeout=2).start()
        session.on_logged.append(forwarder.feed)
        where = session.state.stack[-1]
        start = time.perf_counter()
        for number in range(sizes.steps):  # a step logs two events, as an answer and `entered`
            session.log_all(
                [
                    Draft(
                        "note",
                        {"runbook": where.runbook, "step": where.step, "text": f"stap {number}"},
                    )
                ]
                * 2
            )
        elapsed = (time.perf_counter() - start) / sizes.steps
        forwarder.stop(0)
        session.close()
        return elapsed

    def fsync_pairs() -> float:
        path = work / "fsync.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        line = b'{"seq":1,"text":"' + b"x" * 200 + b'"}\n'
        start = time.perf_counter()
        for _ in range(sizes.steps):
            for _ in range(2):
                os.write(fd, line)
                os.fsync(fd)
        os.close(fd)
        return (time.perf_counter() - start) / sizes.steps

    row = Row(
        "per step, store unreachable",
        "a step (two events through Session) with the background forwarder attached and the "
        "store never answering",
        "one iteration of: write a line + fsync, twice",
        3.0,
    )
    try:
        return _interleave(row, steps, fsync_pairs, repeats)
    finally:
        silent.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, targets not enforced")
    parser.add_argument("--repeats", type=int, help="interleaved pairs per row [5; quick: 2]")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    repeats = args.repeats or (2 if args.quick else 5)
    bindir = find_bindir()
    if bindir is None:
        print("run_national.py: no PostgreSQL server binaries (.ci/postgres.sh installs them)")
        return 0 if args.quick else 3
    server = PgServer(bindir)
    server.start()
    try:
        table = [
            row_catch_up(server, sizes, repeats),
            row_overview(server, sizes, repeats),
            row_per_step(sizes, repeats),
        ]
    finally:
        server.cleanup()
    mode = "quick (small sizes; targets NOT enforced)" if args.quick else "full"
    print(f"## draaiboek national benchmarks — {mode}\n")
    print("| row | measured | median | baseline | median | ratio | target | result |")
    print("|---|---|---|---|---|---|---|---|")
    missed = []
    for row in table:
        passed = row.ratio <= row.limit
        result = ("PASS" if passed else "FAIL") + (" (not enforced)" if args.quick else "")
        if not passed:
            missed.append(row.title)
        print(
            f"| {row.title} | {row.measured} | {statistics.median(row.a) * 1000:.2f} ms | "
            f"{row.baseline} | {statistics.median(row.b) * 1000:.2f} ms | {row.ratio:.2f} | "
            f"<= {row.limit:g} | {result} |"
        )
    if missed and not args.quick:
        print(f"\nTargets missed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
