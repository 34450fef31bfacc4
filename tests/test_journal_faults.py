"""Crash test: a writer killed with SIGKILL at random moments never loses a confirmed event."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from draaiboek.journal import Journal, read, verify
from draaiboek.journal.files import JOURNAL_NAME

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL and fork/exec")

REPO = Path(__file__).resolve().parent.parent
CHILD = Path(__file__).resolve().parent / "journal_writer_child.py"
HOLDER = {
    "operator": "Parent",
    "pid": str(os.getpid()),
    "host": socket.gethostname(),
    "since": "2026-11-23T14:00:00+00:00",
}
KILLS = 15


def env_for_child() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def confirmed_seqs(stdout: bytes) -> set[int]:
    """The seqs the child reported after append returned (only whole lines count)."""
    lines = stdout.split(b"\n")[:-1]
    seqs = set()
    for line in lines:
        word, number = line.split()
        assert word == b"seq", line
        seqs.add(int(number))
    return seqs


def test_sigkilled_writer_never_loses_a_confirmed_event(tmp_path: Path) -> None:
    folder = tmp_path / "incident"
    with Journal.create(folder, HOLDER) as journal:
        journal.append("incident.opened", "Parent", datetime.now(UTC), {"title": "crash test"})

    env = env_for_child()
    rng = random.Random(20261123)
    confirmed: set[int] = set()
    recoveries = 0

    for round_ in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), "append-loop", str(folder), str(rng.randrange(2**32))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        # From "still starting up" through "deep in the loop", including during its own recovery.
        time.sleep(rng.uniform(0.02, 0.35))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=60)
        assert child.returncode == -signal.SIGKILL, err.decode(errors="replace")
        confirmed |= confirmed_seqs(out)

        journal, recovery = Journal.open(folder, HOLDER)
        with journal:
            if recovery is not None:
                recoveries += 1
                saved = (folder / recovery.saved_as).read_bytes()
                assert len(saved) == recovery.torn_bytes > 0
                assert hashlib.sha256(saved).hexdigest() == recovery.sha256
            seqs = [event["seq"] for event in read(folder)]
            assert seqs == list(range(len(seqs)))
            missing = confirmed - set(seqs)
            assert not missing, f"round {round_}: confirmed events lost: {sorted(missing)}"
            journal.append("parent.checked", "Parent", datetime.now(UTC), {"round": round_})
        result = verify(folder / JOURNAL_NAME)
        assert result.ok, result.reason

    # The run is only meaningful if the children got to write; torn tails depend on timing and
    # are covered deterministically in test_journal.py, so they are not required here.
    assert len(confirmed) >= KILLS, f"children confirmed only {len(confirmed)} events"
    print(f"{len(confirmed)} confirmed events, {recoveries} torn tails recovered")


def test_kill_in_the_middle_of_a_write_is_recovered(tmp_path: Path) -> None:
    """Deterministic version of the above: SIGKILL lands while one big write is under way."""
    folder = tmp_path / "incident"
    with Journal.create(folder, HOLDER) as journal:
        journal.append("incident.opened", "Parent", datetime.now(UTC), {"title": "torn write"})
    path = folder / JOURNAL_NAME
    before = path.read_bytes()

    child = subprocess.Popen(
        [sys.executable, str(CHILD), "one-big", str(folder), str(24 * 1024 * 1024)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env_for_child(),
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert child.stdout.readline() == b"ready\n"
        child.stdin.write(b"go\n")
        child.stdin.flush()
        # The kernel grows the file page by page during one write(); the first growth means the
        # write has started, and a fatal signal stops it at the next page.
        deadline = time.monotonic() + 30
        while path.stat().st_size == len(before) and time.monotonic() < deadline:
            pass
        child.send_signal(signal.SIGKILL)
    finally:
        out, err = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, err.decode(errors="replace")
    assert out == b"", "the write finished before the kill; the test proves nothing"

    torn = path.read_bytes()[len(before) :]
    assert torn and not torn.endswith(b"\n")
    assert verify(path).torn_tail
    journal, recovery = Journal.open(folder, HOLDER)
    with journal:
        assert recovery is not None and recovery.torn_bytes == len(torn)
        assert (folder / recovery.saved_as).read_bytes() == torn
        assert path.read_bytes() == before
        journal.append("journal.recovered", "Parent", datetime.now(UTC), {"bytes": len(torn)})
    assert verify(path).ok
