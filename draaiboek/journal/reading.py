"""Cheap reads of a journal: its last event, and the few events of some types, without decoding
every line (what resuming a long incident needs before it takes the journal over)."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from draaiboek.journal.canonical import Event, own_problem, parse_line, type_marker
from draaiboek.journal.errors import JournalDamaged
from draaiboek.journal.files import journal_file
from draaiboek.journal.heads import Head
from draaiboek.journal.stream import CHUNK, open_journal

_BACK_STEP = 64 * 1024


def last_event(folder: Path) -> Event | None:
    """The last complete event of the journal in ``folder`` (None when there is none), read
    from the end of the file: the cost does not depend on the journal's length.

    Raises JournalError when the file cannot be read, JournalDamaged when that line is not a
    JSON object. Its hash is not checked here (:func:`check_head` does).
    """
    return _last(folder)[0]


@dataclass(frozen=True)
class HeadCheck:
    """What a reader can check cheaply: the last event's own hash, and the head a witness
    recorded. ``head`` is the journal's last complete event's (None when it has none)."""

    ok: bool
    head: Head | None
    reason: str  # "" when ok


def check_head(folder: Path, witnessed: Head | None) -> HeadCheck:
    """Check the last event of the journal in ``folder`` by itself (its hash and canonical
    form) and against ``witnessed``, the last head a witness recorded (read it BEFORE calling
    this, so that an append in between cannot look like a cut): the journal must reach its seq,
    with the same hash when that is its last event. The cost does not depend on the journal's
    length; :func:`verify` checks everything. Raises JournalError when the file cannot be read.
    """
    try:
        event, raw = _last(folder)
    except JournalDamaged as exc:
        return HeadCheck(False, None, str(exc))
    head: Head | None = None
    if event is not None:
        problem = own_problem(raw, event)
        seq = event.get("seq")
        if problem or type(seq) is not int:
            return HeadCheck(False, None, f"the last event: {problem or 'seq is not an integer'}")
        head = Head(seq, str(event["hash"]))
    if witnessed is not None:
        if head is None or head.seq < witnessed.seq:
            ends = "has no events" if head is None else f"ends at seq {head.seq}"
            return HeadCheck(
                False,
                head,
                f"the journal {ends}, but seq {witnessed.seq} was recorded as its head before: "
                "events were cut off the end",
            )
        if head.seq == witnessed.seq and head.hash != witnessed.hash:
            return HeadCheck(
                False,
                head,
                f"seq {head.seq} has another hash than was recorded as its head before: the "
                "journal was rewritten",
            )
    return HeadCheck(True, head, "")


def _last(folder: Path) -> tuple[Event | None, bytes]:
    path = journal_file(folder)
    with open_journal(path) as handle:
        end = handle.seek(0, os.SEEK_END)
        data = b""
        start = end
        # Read backwards until the newline before the last complete line is in view.
        while start > 0:
            step = min(_BACK_STEP, start)
            start -= step
            handle.seek(start)
            data = handle.read(step) + data
            last_newline = data.rfind(b"\n")
            if last_newline != -1 and data.rfind(b"\n", 0, last_newline) != -1:
                break
        last_newline = data.rfind(b"\n")
        if last_newline == -1:
            return None, b""  # empty, or one torn line
        begin = data.rfind(b"\n", 0, last_newline) + 1
        raw = data[begin:last_newline]
        event, reason = parse_line(raw)
        if event is None:
            line = (data.count(b"\n", 0, begin) + 1) if start == 0 else -1
            raise JournalDamaged(
                f"journal {path} is damaged at its last line: {reason}; keep the folder as "
                "evidence and inspect that line",
                line,
            )
        return event, raw


def of_types(
    folder: Path, types: Collection[str], *, skip_damaged: bool = False
) -> Iterator[Event]:
    """The complete events of these types, in order, decoding only the lines that can be one.

    Raises JournalError (now) when the journal cannot be opened, JournalDamaged (while
    iterating) when such a line is not a JSON object (unless ``skip_damaged``: such lines are
    left out then). Hashes are not checked.
    """
    path = journal_file(folder)
    handle = open_journal(path)
    markers = [type_marker(kind) for kind in types]
    wanted = frozenset(types)

    def events() -> Iterator[Event]:
        with handle:
            rest = b""
            line_base = 0  # lines before this chunk
            while chunk := handle.read(CHUNK):
                data = rest + chunk
                end = data.rfind(b"\n") + 1
                rest = data[end:]
                starts = sorted(
                    {
                        data.rfind(b"\n", 0, found) + 1
                        for marker in markers
                        for found in _find_all(data, marker, end)
                    }
                )
                for start in starts:
                    raw = data[start : data.index(b"\n", start)]
                    event, reason = parse_line(raw)
                    if event is None and skip_damaged:
                        continue
                    if event is None:
                        line = line_base + data.count(b"\n", 0, start) + 1
                        raise JournalDamaged(
                            f"journal {path} is damaged at line {line}: {reason}; keep the "
                            "folder as evidence and inspect that line",
                            line,
                        )
                    if event.get("type") in wanted:
                        yield event
                line_base += data.count(b"\n", 0, end)

    return events()


def _find_all(data: bytes, marker: bytes, end: int) -> Iterator[int]:
    found = data.find(marker, 0, end)
    while found != -1:
        yield found
        found = data.find(marker, found + 1, end)
