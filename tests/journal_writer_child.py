"""Helper process for the journal tests; run as ``python journal_writer_child.py MODE FOLDER ...``.

Modes:

``append-loop FOLDER SEED``
    Open the incident (logging a recovery event if a torn tail was set aside), then append
    events forever, printing ``seq N`` on stdout only after ``append`` has returned. The parent
    kills it with SIGKILL at a random moment. Some events are large so that a kill can land in
    the middle of their write.
``one-big FOLDER SIZE``
    Open the incident, print ``ready``, wait for a line on stdin, then append one event of about
    SIZE bytes and print its seq. Lets the parent kill it while that write is in progress.
``hold FOLDER``
    Open the incident, print ``ready`` and hold the writer lock until stdin closes or sends a
    line.
``try-open FOLDER``
    Try to open the incident and print the outcome as one JSON object.
``append-once FOLDER``
    Open the incident (with the head register of the home it is in), append one event, print
    ``appended N``; or print ``locked`` when another process is the writer.
``start-loop HOME SEED``
    Start incidents ``inc-SEED-0``, ``inc-SEED-1``, ... in HOME one after another, as
    ``draaiboek start`` does (create, store a runbook copy, log ``opened``, then a few events,
    close), with the head register of HOME as witness; print ``opened ID`` once the first event
    of ``ID`` is durable. The parent kills it at a random moment, often while a folder is being
    created.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

# The tests run this file by path, so the package next to the tests directory is not importable
# unless the repository root is on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from draaiboek.journal import HeadRegister, Journal, JournalError, JournalLocked


def _holder(operator: str) -> dict[str, str]:
    return {
        "operator": operator,
        "pid": str(os.getpid()),
        "host": socket.gethostname(),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def append_loop(folder: Path, seed: int) -> None:
    rng = random.Random(seed)
    journal, recovery = Journal.open(folder, _holder("Child"))
    if recovery is not None:
        journal.append(
            "journal.recovered",
            "Child",
            datetime.now(UTC),
            {
                "torn_bytes": recovery.torn_bytes,
                "saved_as": recovery.saved_as,
                "sha256": recovery.sha256,
            },
        )
    while True:
        # Mostly small events like real ones; now and then a big one, because only a big write
        # can be cut short by SIGKILL (the kernel checks for fatal signals between pages).
        size = rng.randrange(8 * 1024, 256 * 1024) if rng.random() < 0.1 else rng.randrange(80)
        note = ("stap één € ✓ " * (size // 16 + 1))[:size]
        event = journal.append("step.done", "Child", datetime.now(UTC), {"note": note})
        _say(f"seq {event['seq']}")


def one_big(folder: Path, size: int) -> None:
    journal, _ = Journal.open(folder, _holder("Child"))
    note = ("stap één € ✓ " * (size // 16 + 1))[:size]
    _say("ready")
    sys.stdin.readline()
    event = journal.append("step.done", "Child", datetime.now(UTC), {"note": note})
    _say(f"seq {event['seq']}")
    journal.close()


def hold(folder: Path) -> None:
    journal, _ = Journal.open(folder, _holder("Child"))
    with journal:
        _say("ready")
        sys.stdin.readline()


def try_open(folder: Path) -> None:
    try:
        journal, _ = Journal.open(folder, _holder("Intruder"))
    except JournalLocked as exc:
        _say(json.dumps({"outcome": "locked", "holder": exc.holder, "message": str(exc)}))
    except JournalError as exc:
        _say(json.dumps({"outcome": "error", "message": str(exc)}))
    else:
        journal.close()
        _say(json.dumps({"outcome": "opened"}))


def append_once(folder: Path) -> None:
    try:
        journal, _ = Journal.open(
            folder, _holder("Child"), witness=HeadRegister(folder.parent.parent)
        )
    except JournalLocked:
        _say("locked")
        return
    with journal:
        event = journal.append("note", "Child", datetime.now(UTC), {"text": "tegelijk"})
    _say(f"appended {event['seq']}")


def start_loop(home: Path, seed: int) -> None:
    rng = random.Random(seed)
    number = 0
    while True:
        folder = home / "incidents" / f"inc-{seed}-{number}"
        journal = Journal.create(folder, _holder("Child"), witness=HeadRegister(home))
        journal.store_file(f"id: runbook-{number}\n".encode() * rng.randrange(1, 200))
        journal.append("opened", "Child", datetime.now(UTC), {"incident": folder.name})
        _say(f"opened {folder.name}")
        for _ in range(rng.randrange(4)):
            journal.append("note", "Child", datetime.now(UTC), {"text": "nog steeds"})
        journal.close()
        number += 1


def main(argv: list[str]) -> int:
    mode, folder = argv[0], Path(argv[1])
    if mode == "append-loop":
        append_loop(folder, int(argv[2]))
    elif mode == "one-big":
        one_big(folder, int(argv[2]))
    elif mode == "hold":
        hold(folder)
    elif mode == "try-open":
        try_open(folder)
    elif mode == "append-once":
        append_once(folder)
    elif mode == "start-loop":
        start_loop(folder, int(argv[2]))
    else:
        sys.stderr.write(f"unknown mode {mode!r}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
