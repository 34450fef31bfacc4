"""Tests for the journal: format, durability rules, locking, tamper evidence, torn tails."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import signal
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from draaiboek.journal import (
    RESERVED_FIELDS,
    Event,
    Journal,
    JournalDamaged,
    JournalError,
    JournalLocked,
    event_hash,
    plain,
    read,
    verify,
)
from draaiboek.journal.files import JOURNAL_NAME

REPO = Path(__file__).resolve().parent.parent
CHILD = Path(__file__).resolve().parent / "journal_writer_child.py"
HOLDER = {
    "operator": "Jan",
    "pid": str(os.getpid()),
    "host": socket.gethostname(),
    "since": "2026-11-23T14:00:00+00:00",
}
T0 = datetime(2026, 11, 23, 14, 5, 9, 123456, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# An independent implementation of the published rule, deliberately not using the module.


def canon(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def independent_verify(path: Path) -> str | None:
    """The 'ten-line script' anyone can write; returns the last hash."""
    prev = None
    for seq, raw in enumerate(path.read_bytes().split(b"\n")[:-1]):
        event = json.loads(raw)
        claimed = event.pop("hash")
        assert hashlib.sha256(canon(event)).hexdigest() == claimed, f"line {seq + 1}"
        assert event["seq"] == seq and event["prev"] == prev, f"line {seq + 1}"
        assert raw == canon({**event, "hash": claimed}), f"line {seq + 1} not canonical"
        prev = claimed
    return prev


def forge(event: dict[str, Any]) -> bytes:
    """A line for ``event`` with a correct hash of its own (what a careful forger would write)."""
    body = {k: v for k, v in event.items() if k != "hash"}
    return canon({**body, "hash": hashlib.sha256(canon(body)).hexdigest()})


def read_events(path: Path) -> list[Event]:
    return list(read(path))


def env_for_child() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run_child(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHILD), *args],
        capture_output=True,
        text=True,
        env=env_for_child(),
        timeout=60,
        check=False,
    )


def write_events(folder: Path, count: int) -> list[dict[str, Any]]:
    with Journal.create(folder, HOLDER) as journal:
        for n in range(count):
            journal.append(
                "step.done",
                "Jan" if n % 2 else "Marieke",
                T0 + timedelta(seconds=n),
                {"step": f"s{n}", "note": f"stap {n}: één € ✓", "answer": {"ok": n % 3 == 0}},
            )
        return list(read(folder))


def lines_of(folder: Path) -> list[bytes]:
    return (folder / JOURNAL_NAME).read_bytes().split(b"\n")[:-1]


# ---------------------------------------------------------------------------------------------
# Format and round trip


def test_create_append_read_round_trip(tmp_path: Path) -> None:
    folder = tmp_path / "incidents" / "2026-11-23-stroomstoring"
    with Journal.create(folder, HOLDER) as journal:
        # Built under a hidden name: visible under its id once its first event is durable.
        assert journal.folder.parent == folder.parent and journal.folder.name.startswith(".")
        assert not folder.exists() and journal.incident == folder.name
        assert journal.count == 0 and journal.last_hash is None and journal.head is None
        first = journal.append("incident.opened", "Jan", T0, {"title": "Stroomstoring DC-2"})
        assert journal.folder == folder and journal.path == folder / JOURNAL_NAME
        assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name]
        at_cet = datetime(2026, 11, 23, 15, 6, tzinfo=timezone(timedelta(hours=1)))
        second = journal.append("step.done", "Marieke", at_cet, {"step": "bel-netbeheer"})
        assert journal.last_hash == second["hash"]
        assert list(read(folder)) == [first, second] and journal.count == 2

    assert first == {
        "seq": 0,
        "at": "2026-11-23T14:05:09.123456+00:00",
        "type": "incident.opened",
        "by": "Jan",
        "title": "Stroomstoring DC-2",
        "prev": None,
        "hash_rule": "jcs-sha256",  # the first event names the hash rule
        "hash": first["hash"],
    }
    assert second["at"] == "2026-11-23T14:06:00.000000+00:00"
    assert second["seq"] == 1 and second["prev"] == first["hash"]
    assert read_events(folder / JOURNAL_NAME) == [first, second]

    result = verify(folder / JOURNAL_NAME)
    assert result.ok and result.events == 2 and result.last_hash == second["hash"]
    assert result.broken_line is None and result.broken_seq is None
    assert result.reason == "" and not result.torn_tail

    journal2, recovery = Journal.open(folder, HOLDER)
    with journal2:
        assert recovery is None
        assert journal2.count == 2 and journal2.last_hash == second["hash"]
        third = journal2.append("step.done", "Jan", T0, {})
        assert third["seq"] == 2 and third["prev"] == second["hash"]
    assert independent_verify(folder / JOURNAL_NAME) == third["hash"]


def test_hashes_and_lines_follow_the_published_rule(tmp_path: Path) -> None:
    events = write_events(tmp_path / "inc", 6)
    raw_lines = lines_of(tmp_path / "inc")
    assert independent_verify(tmp_path / "inc" / JOURNAL_NAME) == events[-1]["hash"]
    for event, raw in zip(events, raw_lines, strict=True):
        assert raw == canon(event)  # the line is exactly the canonical JSON of the full event
        body = {k: v for k, v in event.items() if k != "hash"}
        assert event_hash(body) == hashlib.sha256(canon(body)).hexdigest() == event["hash"]
    assert "é" in raw_lines[0].decode("utf-8")  # ensure_ascii=False: text stays readable


def test_append_returns_what_readers_read(tmp_path: Path) -> None:
    with Journal.create(tmp_path / "inc", HOLDER) as journal:
        event = journal.append("x", "Jan", T0, {"pair": (1, 2), "nested": {"b": [15, None]}})
    assert event["pair"] == [1, 2]
    assert read_events(tmp_path / "inc" / JOURNAL_NAME) == [event]


def test_modes_of_folder_and_files(tmp_path: Path) -> None:
    folder = tmp_path / "inc"
    old_umask = os.umask(0o002)  # a permissive umask must not leak into the incident folder
    try:
        with Journal.create(folder, HOLDER) as journal:
            journal.append("x", "Jan", T0, {})
            stored = journal.store_file(b"title: test\n")
            holder_mode = stat.S_IMODE((folder / "writer.json").stat().st_mode)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700  # the incidents folder too
    assert stat.S_IMODE((folder / JOURNAL_NAME).stat().st_mode) == 0o600
    assert holder_mode == 0o600
    assert stat.S_IMODE((folder / stored).stat().st_mode) == 0o600


def test_append_refuses_bad_input_and_writes_nothing(tmp_path: Path) -> None:
    with Journal.create(tmp_path / "inc", HOLDER) as journal:
        journal.append("x", "Jan", T0, {})
        before = journal.path.read_bytes()
        with pytest.raises(ValueError, match="timezone-aware"):
            journal.append("x", "Jan", datetime(2026, 11, 23, 14, 0), {})
        for name in sorted(RESERVED_FIELDS):
            with pytest.raises(ValueError, match="reserved"):
                journal.append("x", "Jan", T0, {name: 1})
        with pytest.raises(ValueError, match="JSON"):
            journal.append("x", "Jan", T0, {"value": float("nan")})
        with pytest.raises(ValueError, match="JSON"):
            journal.append("x", "Jan", T0, {"value": object()})
        for unportable in (60.0, [1.5], {"a": {"b": 2**53}}, {"\U0001f600": 1}):
            with pytest.raises(ValueError, match=r"float|2\*\*53|Plane"):
                journal.append("x", "Jan", T0, {"value": unportable})
        assert journal.path.read_bytes() == before
        assert journal.count == 1
        assert journal.append("x", "Jan", T0, {})["seq"] == 1
    with pytest.raises(JournalError, match="closed"):
        journal.append("x", "Jan", T0, {})


def test_create_refuses_existing_folder_and_open_needs_an_incident(tmp_path: Path) -> None:
    write_events(tmp_path / "inc", 1)
    with pytest.raises(JournalError, match="already exists") as info:
        Journal.create(tmp_path / "inc", HOLDER)
    assert "\n" not in str(info.value)
    with pytest.raises(JournalError, match="no incident folder"):
        Journal.open(tmp_path / "missing", HOLDER)
    (tmp_path / "empty").mkdir(mode=0o700)
    with pytest.raises(JournalError, match="not an incident folder"):
        Journal.open(tmp_path / "empty", HOLDER)
    assert list((tmp_path / "empty").iterdir()) == []
    with pytest.raises(JournalError, match="no journal"):
        read_events(tmp_path / "missing" / JOURNAL_NAME)
    with pytest.raises(JournalError, match="no journal"):
        verify(tmp_path / "missing" / JOURNAL_NAME)


def test_a_new_incident_closed_before_its_first_event_leaves_nothing(tmp_path: Path) -> None:
    with Journal.create(tmp_path / "incidents" / "inc", HOLDER) as journal:
        journal.store_file(b"id: x\n")
    assert list((tmp_path / "incidents").iterdir()) == []


def test_empty_journal_verifies(tmp_path: Path) -> None:
    # What an earlier version left when a start was cut off before its first event.
    (tmp_path / "inc").mkdir(mode=0o700)
    (tmp_path / "inc" / JOURNAL_NAME).write_bytes(b"")
    result = verify(tmp_path / "inc" / JOURNAL_NAME)
    assert result.ok and result.events == 0 and result.last_hash is None
    assert read_events(tmp_path / "inc" / JOURNAL_NAME) == []


def test_store_file_dedupes_by_content(tmp_path: Path) -> None:
    folder = tmp_path / "inc"
    with Journal.create(folder, HOLDER) as journal:
        journal.append("x", "Jan", T0, {})
        a = journal.store_file(b"id: stroomstoring\n")
        again = journal.store_file(b"id: stroomstoring\n")
        b = journal.store_file(b"id: brand\n")
        c = journal.store_file(b"{}", suffix=".json")
    assert a == again == hashlib.sha256(b"id: stroomstoring\n").hexdigest() + ".yaml"
    assert b != a and c.endswith(".json")
    assert (folder / a).read_bytes() == b"id: stroomstoring\n"
    assert sorted(p.name for p in folder.iterdir()) == sorted([JOURNAL_NAME, a, b, c])


def test_exceptions_survive_pickling() -> None:
    locked = pickle.loads(pickle.dumps(JournalLocked("held", {"operator": "Jan"})))
    assert str(locked) == "held" and locked.holder == {"operator": "Jan"}
    damaged = pickle.loads(pickle.dumps(JournalDamaged("bad", 7)))
    assert str(damaged) == "bad" and damaged.line == 7


def test_failed_write_leaves_no_partial_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "inc"
    write_events(folder, 3)
    before = (folder / JOURNAL_NAME).read_bytes()
    from draaiboek.journal.files import write_all as real_write_all

    def half_then_disk_full(fd: int, data: bytes) -> None:
        real_write_all(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    journal, _ = Journal.open(folder, HOLDER)
    with journal:
        monkeypatch.setattr("draaiboek.journal.writer.write_all", half_then_disk_full)
        with pytest.raises(JournalError, match="NOT logged"):
            journal.append("x", "Jan", T0, {"note": "lost"})
        monkeypatch.undo()
        assert (folder / JOURNAL_NAME).read_bytes() == before
        with pytest.raises(JournalError, match="resume"):
            journal.append("x", "Jan", T0, {})  # refuses until reopened
    journal, recovery = Journal.open(folder, HOLDER)
    with journal:
        assert recovery is None and journal.count == 3
        journal.append("x", "Jan", T0, {})
    assert verify(folder / JOURNAL_NAME).ok


# ---------------------------------------------------------------------------------------------
# Locking


def test_second_writer_in_another_process_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "inc"
    with Journal.create(folder, HOLDER) as journal:
        journal.append("x", "Jan", T0, {})
        done = run_child("try-open", str(folder))
        assert done.returncode == 0, done.stderr
        outcome = json.loads(done.stdout)
        assert outcome["outcome"] == "locked"
        assert outcome["holder"] == HOLDER
        assert outcome["message"] == (
            f"incident is being walked by Jan (pid {os.getpid()} on host {HOLDER['host']}) "
            "since 2026-11-23T14:00:00+00:00; only one writer at a time -- use 'draaiboek "
            "status' to look without writing"
        )
    done = run_child("try-open", str(folder))
    assert json.loads(done.stdout)["outcome"] == "opened"


def start_holding_child(folder: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, str(CHILD), "hold", str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_for_child(),
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    if line != "ready\n":
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"child did not get the lock: {line!r} {err}")
    return child


def test_lock_held_by_another_process_names_it_and_readers_still_work(tmp_path: Path) -> None:
    folder = tmp_path / "inc"
    events = write_events(folder, 3)
    child = start_holding_child(folder)
    try:
        with pytest.raises(JournalLocked) as info:
            Journal.open(folder, HOLDER)
        assert info.value.holder["operator"] == "Child"
        assert info.value.holder["pid"] == str(child.pid)
        assert f"pid {child.pid}" in str(info.value) and "draaiboek status" in str(info.value)
        # Readers never take the lock.
        assert read_events(folder / JOURNAL_NAME) == events
        assert verify(folder / JOURNAL_NAME).ok
    finally:
        child.communicate("\n", timeout=30)
    assert child.returncode == 0
    journal, _ = Journal.open(folder, HOLDER)
    journal.close()


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_lock_dies_with_a_killed_writer(tmp_path: Path) -> None:
    folder = tmp_path / "inc"
    write_events(folder, 1)
    child = start_holding_child(folder)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    journal, recovery = Journal.open(folder, HOLDER)
    with journal:
        assert recovery is None
        # The dead holder's details were replaced by ours.
        assert json.loads((folder / "writer.json").read_text()) == HOLDER


def test_second_writer_in_same_process_is_refused_too(tmp_path: Path) -> None:
    folder = tmp_path / "inc"
    with Journal.create(folder, HOLDER) as journal:
        journal.append("x", "Jan", T0, {})
        with pytest.raises(JournalLocked):
            Journal.open(folder, {"operator": "Piet"})
        assert json.loads((folder / "writer.json").read_text()) == HOLDER  # still ours
    assert not (folder / "writer.json").exists()  # cleared on close


# ---------------------------------------------------------------------------------------------
# Tampering: every single change is reported at the first line where the chain breaks


def _parsed(raw: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(raw)
    return value


def change_note(lines: list[bytes]) -> None:
    event = _parsed(lines[3])
    event["note"] = "niets aan de hand"
    lines[3] = canon(event)


def change_seq(lines: list[bytes]) -> None:
    event = _parsed(lines[3])
    event["seq"] = 4
    lines[3] = canon(event)


def change_hash(lines: list[bytes]) -> None:
    event = _parsed(lines[3])
    event["hash"] = hashlib.sha256(b"forged").hexdigest()
    lines[3] = canon(event)


def change_and_rehash(lines: list[bytes]) -> None:
    event = _parsed(lines[3])
    event["by"] = "Mallory"
    lines[3] = forge(event)


def delete_middle(lines: list[bytes]) -> None:
    del lines[3]


def delete_first(lines: list[bytes]) -> None:
    del lines[0]


def swap_far(lines: list[bytes]) -> None:
    lines[2], lines[5] = lines[5], lines[2]


def swap_adjacent(lines: list[bytes]) -> None:
    lines[3], lines[4] = lines[4], lines[3]


def insert_consistent_forgery(lines: list[bytes]) -> None:
    prev = _parsed(lines[3])
    lines.insert(4, forge({**prev, "seq": 4, "prev": prev["hash"], "note": "forged"}))


def insert_forgery_with_wrong_prev(lines: list[bytes]) -> None:
    prev = _parsed(lines[3])
    lines.insert(4, forge({**prev, "seq": 4, "prev": "0" * 64, "note": "forged"}))


def duplicate_line(lines: list[bytes]) -> None:
    lines.insert(4, lines[3])


def first_prev_not_null(lines: list[bytes]) -> None:
    lines[0] = forge({**_parsed(lines[0]), "prev": "0" * 64})


def first_seq_not_zero(lines: list[bytes]) -> None:
    lines[0] = forge({**_parsed(lines[0]), "seq": 1})


def invalid_json(lines: list[bytes]) -> None:
    lines[2] = lines[2][:40]


def not_an_object(lines: list[bytes]) -> None:
    lines[1] = b"[1,2,3]"


def blank_line(lines: list[bytes]) -> None:
    lines.insert(5, b"")


def not_canonical(lines: list[bytes]) -> None:
    lines[4] = json.dumps(_parsed(lines[4]), ensure_ascii=False).encode()


def duplicate_key(lines: list[bytes]) -> None:
    # An extra "by" member in front: Python keeps the last one, so the hash still matches, but a
    # parser that keeps the first would show "Mallory".
    lines[4] = b'{"by":"Mallory",' + lines[4][1:]


def bad_utf8(lines: list[bytes]) -> None:
    lines[6] = lines[6].replace("é".encode(), b"\xe9")


TAMPERINGS: list[tuple[Callable[[list[bytes]], None], int, int, str]] = [
    # (tampering, first broken line (1-based), seq reported, words in the reason)
    (change_note, 4, 3, "hash does not match content"),
    (change_seq, 4, 4, "hash does not match content"),
    (change_hash, 4, 3, "hash does not match content"),
    (change_and_rehash, 5, 4, "prev does not match hash of previous event"),
    (delete_middle, 4, 4, "seq 3 expected, found 4 (event removed or reordered)"),
    (delete_first, 1, 1, "seq 0 expected, found 1"),
    (swap_far, 3, 5, "seq 2 expected, found 5"),
    (swap_adjacent, 4, 4, "seq 3 expected, found 4"),
    (insert_consistent_forgery, 6, 4, "seq 5 expected, found 4"),
    (insert_forgery_with_wrong_prev, 5, 4, "prev does not match"),
    (duplicate_line, 5, 3, "seq 4 expected, found 3"),
    (first_prev_not_null, 1, 0, "first event must have prev null"),
    (first_seq_not_zero, 1, 1, "seq 0 expected, found 1"),
    (invalid_json, 3, 2, "line is not valid JSON"),
    (not_an_object, 2, 1, "not a JSON object"),
    (blank_line, 6, 5, "blank line"),
    (not_canonical, 5, 4, "canonical"),
    (duplicate_key, 5, 4, "canonical"),
    (bad_utf8, 7, 6, "not valid JSON"),
]


@pytest.mark.parametrize(
    ("tamper", "line", "seq", "reason"), TAMPERINGS, ids=[t[0].__name__ for t in TAMPERINGS]
)
def test_tampering_is_reported_at_the_first_broken_line(
    tmp_path: Path, tamper: Callable[[list[bytes]], None], line: int, seq: int, reason: str
) -> None:
    folder = tmp_path / "inc"
    write_events(folder, 8)
    lines = lines_of(folder)
    tamper(lines)
    tampered = b"".join(raw + b"\n" for raw in lines)
    (folder / JOURNAL_NAME).write_bytes(tampered)

    result = verify(folder / JOURNAL_NAME)
    assert not result.ok and not result.torn_tail
    assert (result.broken_line, result.broken_seq) == (line, seq)
    assert reason in result.reason and "\n" not in result.reason
    assert result.events == line - 1
    expected_last = _parsed(lines[line - 2])["hash"] if line > 1 else None
    assert result.last_hash == expected_last

    with pytest.raises(JournalDamaged) as info:
        Journal.open(folder, HOLDER)
    assert info.value.line == line
    assert f"line {line}" in str(info.value) and "\n" not in str(info.value)
    assert (folder / JOURNAL_NAME).read_bytes() == tampered  # evidence left untouched
    assert sorted(p.name for p in folder.iterdir()) == [JOURNAL_NAME]
    with pytest.raises(JournalDamaged):  # not JournalLocked: the failed open released the lock
        Journal.open(folder, HOLDER)


@pytest.mark.parametrize(
    ("tamper", "line"),
    [(invalid_json, 3), (not_an_object, 2), (blank_line, 6), (bad_utf8, 7)],
)
def test_read_events_rejects_unparseable_complete_lines(
    tmp_path: Path, tamper: Callable[[list[bytes]], None], line: int
) -> None:
    folder = tmp_path / "inc"
    write_events(folder, 8)
    lines = lines_of(folder)
    tamper(lines)
    (folder / JOURNAL_NAME).write_bytes(b"".join(raw + b"\n" for raw in lines))
    with pytest.raises(JournalDamaged) as info:
        read_events(folder / JOURNAL_NAME)
    assert info.value.line == line


def test_removal_at_the_end_only_shows_in_the_last_hash(tmp_path: Path) -> None:
    folder = tmp_path / "inc"
    events = write_events(folder, 8)
    lines = lines_of(folder)
    (folder / JOURNAL_NAME).write_bytes(b"".join(raw + b"\n" for raw in lines[:6]))
    result = verify(folder / JOURNAL_NAME)
    assert result.ok and result.events == 6
    assert result.last_hash == events[5]["hash"] != events[-1]["hash"]


# ---------------------------------------------------------------------------------------------
# Torn last line


def test_torn_last_line_recovered_at_every_cut_point(tmp_path: Path) -> None:
    source = tmp_path / "source"
    events = write_events(source, 3)
    data = (source / JOURNAL_NAME).read_bytes()
    start = data.rindex(b"\n", 0, len(data) - 1) + 1
    prefix, last_line = data[:start], data[start:]
    assert "€".encode() in last_line  # so some cuts fall inside a multi-byte character

    for cut in range(1, len(last_line)):  # every incomplete version of the last line
        folder = tmp_path / f"cut{cut}"
        folder.mkdir(mode=0o700)
        torn = last_line[:cut]
        (folder / JOURNAL_NAME).write_bytes(prefix + torn)

        result = verify(folder / JOURNAL_NAME)
        assert not result.ok and result.torn_tail, cut
        assert (result.broken_line, result.broken_seq, result.events) == (3, 2, 2)
        assert result.last_hash == events[1]["hash"]
        assert "torn last line" in result.reason and "resume" in result.reason
        assert read_events(folder / JOURNAL_NAME) == events[:2]

        journal, recovery = Journal.open(folder, HOLDER)
        with journal:
            assert recovery is not None
            assert recovery.torn_bytes == cut
            assert recovery.sha256 == hashlib.sha256(torn).hexdigest()
            assert recovery.saved_as.startswith("journal.torn-")
            assert recovery.saved_as.endswith(".bin")
            saved = folder / recovery.saved_as
            assert saved.read_bytes() == torn
            assert stat.S_IMODE(saved.stat().st_mode) == 0o600
            assert journal.path.read_bytes() == prefix  # complete events kept byte for byte
            assert list(read(folder)) == events[:2] and journal.count == 2
            journal.append("journal.recovered", "Jan", T0, {"saved_as": recovery.saved_as})
        assert verify(folder / JOURNAL_NAME).ok, cut
        independent_verify(folder / JOURNAL_NAME)


def test_second_recovery_does_not_overwrite_the_first(tmp_path: Path) -> None:
    folder = tmp_path / "inc"
    write_events(folder, 2)
    saved = []
    for garbage in (b'{"seq":2,"at', b'{"seq":3'):
        with (folder / JOURNAL_NAME).open("ab") as handle:
            handle.write(garbage)
        journal, recovery = Journal.open(folder, HOLDER)
        with journal:
            assert recovery is not None
            saved.append(recovery.saved_as)
            journal.append("journal.recovered", "Jan", T0, {})
    assert saved[0] != saved[1]
    assert (folder / saved[0]).read_bytes() == b'{"seq":2,"at'
    assert (folder / saved[1]).read_bytes() == b'{"seq":3'
    assert verify(folder / JOURNAL_NAME).ok


def test_damage_before_a_torn_tail_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "inc"
    write_events(folder, 4)
    lines = lines_of(folder)
    change_note(lines)
    tampered = b"".join(raw + b"\n" for raw in lines) + b'{"seq":4'
    (folder / JOURNAL_NAME).write_bytes(tampered)
    result = verify(folder / JOURNAL_NAME)
    assert result.torn_tail and result.broken_line == 4 and "hash" in result.reason
    with pytest.raises(JournalDamaged):
        Journal.open(folder, HOLDER)
    assert (folder / JOURNAL_NAME).read_bytes() == tampered
    assert not any(p.name.startswith("journal.torn-") for p in folder.iterdir())


# ---------------------------------------------------------------------------------------------
# A long journal (how fast: benchmarks/)


def test_twenty_thousand_events_open_and_verify(tmp_path: Path) -> None:
    folder = tmp_path / "inc"
    folder.mkdir(mode=0o700)
    prev: str | None = None
    chunks = []
    for seq in range(20_000):
        event: dict[str, Any] = {
            "seq": seq,
            "at": "2026-11-23T14:05:09.123456+00:00",
            "type": "step.done",
            "by": "Jan",
            "step": f"stap-{seq % 40}",
            "note": "gecontroleerd; alles in orde",
            "prev": prev,
        }
        event["hash"] = prev = hashlib.sha256(canon(event)).hexdigest()
        chunks.append(canon(event) + b"\n")
    (folder / JOURNAL_NAME).write_bytes(b"".join(chunks))

    result = verify(folder / JOURNAL_NAME)
    journal, recovery = Journal.open(folder, HOLDER)
    journal.close()
    # How long this takes is measured in benchmarks/, not asserted here.
    assert result.ok and result.events == 20_000 and result.last_hash == prev
    assert recovery is None and journal.last_hash == prev and journal.count == 20_000


# ---------------------------------------------------------------------------------------------
# Property: whatever is appended verifies and reads back equal, in any language

# Object keys: their sort order is the same in every language (see canonical.py).
BMP = st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"])


def jcs(value: Any) -> str:
    """RFC 8785 written from the RFC, as a verifier in another language would: keys sorted by
    UTF-16 code units, integers as ECMAScript prints them, JCS string escapes."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        assert abs(value) <= 2**53 - 1, value  # beyond, a double cannot hold it
        return str(value)
    assert not isinstance(value, float), value  # the one thing languages print differently
    if isinstance(value, str):
        escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n"}
        escapes |= {"\r": "\\r", "\t": "\\t"}
        text = "".join(escapes.get(c, f"\\u{ord(c):04x}" if ord(c) < 0x20 else c) for c in value)
        return f'"{text}"'
    if isinstance(value, list):
        return "[" + ",".join(jcs(item) for item in value) + "]"
    items = sorted(value.items(), key=lambda item: item[0].encode("utf-16-be"))
    return "{" + ",".join(f"{jcs(key)}:{jcs(item)}" for key, item in items) + "}"


def jcs_verify(path: Path) -> str | None:
    prev = None
    for raw in path.read_bytes().split(b"\n")[:-1]:
        event = json.loads(raw)
        claimed = event.pop("hash")
        assert hashlib.sha256(jcs(event).encode()).hexdigest() == claimed
        assert event["prev"] == prev
        prev = claimed
    return prev


# What a caller may hand in: floats and big integers too (the session makes them plain first).
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(BMP, max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = st.dictionaries(
    st.text(BMP, max_size=8).filter(lambda key: key not in RESERVED_FIELDS),
    JSON_VALUES,
    max_size=4,
)
AWARE_TIMES = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(2200, 1, 1),
    timezones=st.builds(
        timezone,
        st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23)),
    ),
)
EVENTS = st.lists(
    st.tuples(st.text(min_size=1, max_size=12), st.text(max_size=12), AWARE_TIMES, FIELDS),
    max_size=10,
)


def expected_event(
    seq: int, prev: str | None, type_: str, by: str, at: datetime, fields: dict[str, Any]
) -> dict[str, Any]:
    at_text = at.astimezone(UTC).isoformat(timespec="microseconds")
    return {**fields, "seq": seq, "at": at_text, "type": type_, "by": by, "prev": prev}


@settings(max_examples=50, deadline=None, database=None)
@given(EVENTS)
def test_appended_events_always_verify_and_read_back_equal(
    appended: list[tuple[str, str, datetime, dict[str, Any]]],
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "inc"
        with Journal.create(folder, HOLDER) as journal:
            in_memory = [
                journal.append(type_, by, at, plain(fields)) for type_, by, at, fields in appended
            ]
        if not appended:
            assert not folder.exists()  # never visible without a first event
            return

        prev: str | None = None
        for seq, ((type_, by, at, fields), event) in enumerate(
            zip(appended, in_memory, strict=True)
        ):
            expected = expected_event(seq, prev, type_, by, at, plain(fields))
            if seq == 0:
                expected["hash_rule"] = "jcs-sha256"
            assert {k: v for k, v in event.items() if k != "hash"} == expected
            prev = event["hash"]

        path = folder / JOURNAL_NAME
        assert read_events(path) == in_memory
        result = verify(path)
        assert result.ok and result.events == len(appended) and result.last_hash == prev
        assert independent_verify(path) == prev
        assert jcs_verify(path) == prev  # another language's canonical JSON agrees
        reopened, recovery = Journal.open(folder, HOLDER)
        with reopened:
            assert recovery is None and reopened.count == len(in_memory)
            assert reopened.last_hash == prev
