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


# ---------------------------------------------------------------------------------------------
# The bounded campaign: kills inside the creation of an incident, power cuts at random offsets,
# two writers through a linked journal. The long form: benchmarks/fault_campaign.py.

START_KILLS = 12
POWER_CUTS = 32
CONCURRENT = 12


def test_a_start_killed_at_any_moment_leaves_no_incident_or_one_that_resumes(
    tmp_path: Path,
) -> None:
    from draaiboek.journal import HeadRegister
    from draaiboek.services.incidents import list_incidents

    home = tmp_path / "home"
    rng = random.Random(20261129)
    opened: set[str] = set()
    for round_ in range(START_KILLS):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), "start-loop", str(home), str(round_)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env_for_child(),
        )
        time.sleep(rng.uniform(0.05, 0.4))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=60)
        assert child.returncode == -signal.SIGKILL, err.decode(errors="replace")
        opened |= {line.split()[1].decode() for line in out.splitlines()}

        root = home / "incidents"
        found = sorted(root.iterdir()) if root.exists() else []  # killed before it was made
        visible = [p.name for p in found if not p.name.startswith(".")]
        assert opened <= set(visible), "an incident confirmed as opened is missing"
        for name in visible:  # every visible incident has its first event and can be resumed
            folder = root / name
            journal, _ = Journal.open(folder, HOLDER, witness=HeadRegister(home))
            with journal:
                assert journal.count >= 1, f"{name} is visible without its first event"
            assert verify(folder).ok
        assert {s.id for s in list_incidents(home)} == set(visible)  # hidden ones are not
    # A kill inside a creation leaves a hidden folder at most; the next start clears it.
    Journal.create(home / "incidents" / "na", HOLDER).close()
    assert [p.name for p in (home / "incidents").iterdir() if p.name.startswith(".")] == []
    assert len(opened) >= START_KILLS // 2, f"children opened only {len(opened)} incidents"


def test_power_cuts_at_random_offsets_lose_nothing_confirmed_and_a_cut_tail_shows(
    tmp_path: Path,
) -> None:
    """What survives a power cut is a prefix of what was written: whole fsync'd lines, maybe a
    torn one after them, and a head register that may have lost its unsynced last lines (but is
    never ahead of the journal). Cutting the journal behind the register is not a power cut: it
    must show."""
    from draaiboek.journal import HeadRegister
    from draaiboek.journal.stream import verify as verify_journal

    source = tmp_path / "source" / "incidents" / "inc"
    with Journal.create(source, HOLDER, witness=HeadRegister(tmp_path / "source")) as journal:
        for n in range(40):
            note = "stroom weg " * (n % 7)
            journal.append("note", "Jan", datetime.now(UTC), {"n": n, "text": note})
    data = (source / JOURNAL_NAME).read_bytes()
    heads = (tmp_path / "source" / "heads" / "inc.heads").read_bytes()
    ends = [i + 1 for i, byte in enumerate(data) if byte == 0x0A]  # where each event ends
    rng = random.Random(32)
    for cut in range(POWER_CUTS):
        offset = rng.randrange(len(data) + 1)
        complete = sum(1 for end in ends if end <= offset)
        home = tmp_path / f"cut{cut}"
        folder = home / "incidents" / "inc"
        folder.mkdir(mode=0o700, parents=True)
        (folder / JOURNAL_NAME).write_bytes(data[:offset])
        (folder / JOURNAL_NAME).chmod(0o600)
        (home / "heads").mkdir(mode=0o700)
        head_lines = heads.split(b"\n")[:-1]
        if rng.random() < 0.5:  # a power cut: the register lost some unsynced last lines
            kept = rng.randrange(complete + 1)
            behind = False
        else:  # not a power cut: the register saw more than the journal now has
            kept = rng.randrange(complete + 1, len(head_lines) + 1) if complete < 40 else 40
            behind = kept > complete
        (home / "heads" / "inc.heads").write_bytes(b"".join(h + b"\n" for h in head_lines[:kept]))
        (home / "heads" / "inc.heads").chmod(0o600)

        witnessed = HeadRegister(home).last("inc")
        result = verify_journal(folder, witnessed)
        if behind:
            assert not result.ok and result.cut, (cut, offset, kept, result)
            continue
        assert result.ok or (result.torn_tail and not result.damaged), (cut, result)
        assert result.events == complete
        journal, recovery = Journal.open(folder, HOLDER, witness=HeadRegister(home))
        with journal:
            assert journal.count == complete
            assert (recovery is not None) == (offset not in (0, *ends))
            journal.append("recovered", "Jan", datetime.now(UTC), {})
        assert (folder / JOURNAL_NAME).read_bytes()[: ends[complete - 1] if complete else 0] == (
            data[: ends[complete - 1] if complete else 0]
        )  # every complete event kept byte for byte
        assert verify_journal(folder, HeadRegister(home).last("inc")).ok


def test_two_writers_through_a_linked_journal_never_both_write(tmp_path: Path) -> None:
    folder = tmp_path / "incidents" / "a"
    with Journal.create(folder, HOLDER) as journal:
        journal.append("opened", "Parent", datetime.now(UTC), {})
    for how in ("symlink", "hardlink"):
        other = tmp_path / "incidents" / f"b-{how}"
        other.mkdir(mode=0o700)
        if how == "symlink":
            (other / JOURNAL_NAME).symlink_to(folder / JOURNAL_NAME)
        else:
            os.link(folder / JOURNAL_NAME, other / JOURNAL_NAME)
        holder = subprocess.Popen(
            [sys.executable, str(CHILD), "hold", str(folder if how == "symlink" else other)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env_for_child(),
        )
        assert holder.stdout is not None and holder.stdin is not None
        first = holder.stdout.readline()
        try:
            tried = subprocess.run(
                [
                    sys.executable,
                    str(CHILD),
                    "try-open",
                    str(other if how == "symlink" else folder),
                ],
                capture_output=True,
                text=True,
                env=env_for_child(),
                timeout=60,
                check=False,
            )
        finally:
            holder.communicate(b"\n", timeout=60)
        if how == "symlink":
            assert first == b"ready\n"
            assert '"outcome": "error"' in tried.stdout and "symbolic link" in tried.stdout
        else:  # with two names neither path may be written: refused before any lock is taken
            assert first != b"ready\n"
            assert '"outcome": "error"' in tried.stdout and "2 names" in tried.stdout
        (other / JOURNAL_NAME).unlink()
    assert verify(folder).ok


def test_many_takeovers_at_once_give_one_writer_at_a_time(tmp_path: Path) -> None:
    from draaiboek.journal import HeadRegister

    home = tmp_path / "home"
    folder = home / "incidents" / "samen"
    with Journal.create(folder, HOLDER, witness=HeadRegister(home)) as journal:
        journal.append("opened", "Parent", datetime.now(UTC), {})
    children = [
        subprocess.Popen(
            [sys.executable, str(CHILD), "append-once", str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env_for_child(),
        )
        for _ in range(CONCURRENT)
    ]
    outcomes = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode(errors="replace")
        outcomes.append(out.decode().split())
    appended = sorted(int(words[1]) for words in outcomes if words[0] == "appended")
    assert appended == list(range(1, len(appended) + 1)), outcomes  # each got the next seq
    assert all(words == ["locked"] for words in outcomes if words[0] != "appended")
    result = verify(folder, HeadRegister(home).last("samen"))
    assert result.ok and result.events == 1 + len(appended)
