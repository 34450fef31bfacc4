"""Reading a journal as a stream of events, checking the hash chain on the way (``verify``).

Memory does not grow with the journal: lines are read in chunks and each event is handed on
as soon as it is parsed. Readers never take the writer's lock, so all of this works while an
incident is being walked; what a reader sees of an append in progress is a torn last line.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from draaiboek.journal.canonical import (
    CURRENT_RULE,
    LEGACY_RULE,
    Event,
    line_problem,
    parse_line,
    rule_of,
)
from draaiboek.journal.errors import JournalDamaged, JournalError
from draaiboek.journal.files import O_BINARY, O_NONBLOCK, journal_file
from draaiboek.journal.heads import Head
from draaiboek.journal.safety import open_nofollow

CHUNK = 1 << 20
TORN_REASON = "torn last line (incomplete write); 'draaiboek resume' will set it aside and continue"

OnDamage = Literal["raise", "stop", "skip"]


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of checking a journal's lines and hash chain.

    ``events`` and ``last_hash`` describe the events that verified before the first problem (all
    complete events when ``ok`` or when only the tail is torn). ``broken_line`` is 1-based;
    ``broken_seq`` is the seq found on that line, or the expected seq when the line has none.
    """

    ok: bool
    events: int
    last_hash: str | None
    broken_line: int | None
    broken_seq: int | None
    reason: str
    torn_tail: bool
    rule: str = LEGACY_RULE  # the hash rule the first event names
    witnessed: Head | None = None  # the last head a witness recorded, when one was asked
    cut: bool = False  # the journal is shorter than, or differs from, the witnessed head

    @property
    def damaged(self) -> bool:
        """A complete line is bad or the journal was cut (as opposed to only the last line
        being torn)."""
        return self.broken_line is not None and self.reason != TORN_REASON

    @property
    def head(self) -> Head | None:
        """The head of the events that verified (None when none did)."""
        return None if self.last_hash is None else Head(self.events - 1, self.last_hash)


def open_journal(path: Path) -> BinaryIO:
    """The journal file at ``path``, opened for reading (never through a symbolic link, and only
    a regular file); JournalError with a one-line reason."""
    try:
        # O_NONBLOCK: opening a FIFO put where the journal belongs must not hang the reader.
        fd = open_nofollow(path, os.O_RDONLY | O_BINARY | O_NONBLOCK, "journal")
    except FileNotFoundError:
        raise JournalError(f"no journal at {path}; check the incident folder path") from None
    except OSError as exc:
        raise JournalError(
            f"cannot read journal {path}: {exc.strerror or exc}; check the path and its permissions"
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise JournalError(f"refusing journal {path}: it is not a regular file")
    return os.fdopen(fd, "rb")


class EventStream:
    """The events of one journal, read once from start to end (iterate over it once).

    With ``verify``, every line is checked (its hash, canonical form, seq and prev) until the
    first problem; :attr:`result` says what was found once the stream is exhausted. What happens
    at a complete line that is bad (not JSON, or, with ``verify``, breaking the chain):

    - ``raise``: :class:`JournalDamaged` for a line that does not parse (chain problems are only
      recorded in :attr:`result`);
    - ``stop``: no more events after it (the rest is still read, to find a torn tail);
    - ``skip``: later events that parse are still given, unchecked; :attr:`bad_lines` counts
      the lines that do not parse.

    A torn last line (bytes after the last newline) is never an event; it is in :attr:`tail`.
    With ``witnessed`` (a head recorded outside the folder), a journal that is shorter than it
    or has another hash at its seq is a problem too (``result.cut``), reported after any other.
    """

    def __init__(
        self,
        handle: BinaryIO,
        path: Path,
        *,
        verify: bool,
        on_damage: OnDamage,
        witnessed: Head | None = None,
    ) -> None:
        self.path = path
        self._handle = handle
        self._verify = verify
        self._on_damage = on_damage
        self._witnessed = witnessed
        self._result: VerifyResult | None = None
        self.rule = LEGACY_RULE
        self.bad_lines = 0
        self.tail = b""
        self.complete_size = 0  # bytes of the complete lines (where a torn tail starts)

    @property
    def result(self) -> VerifyResult:
        if self._result is None:
            raise RuntimeError("the stream has not been read to its end")
        return self._result

    def __iter__(self) -> Iterator[Event]:
        try:
            yield from self._events()
        finally:
            self._handle.close()

    def _lines(self) -> Iterator[bytes]:
        read = self._handle.read
        pieces: list[bytes] = []
        while chunk := read(CHUNK):
            if b"\n" not in chunk:
                pieces.append(chunk)  # part of a long line: join once its end arrives
                continue
            if pieces:
                pieces.append(chunk)
                chunk = b"".join(pieces)
                pieces = []
            lines = chunk.split(b"\n")
            rest = lines.pop()
            if rest:
                pieces.append(rest)
            yield from lines
        self.tail = b"".join(pieces)

    def _events(self) -> Iterator[Event]:
        verify, on_damage, witnessed = self._verify, self._on_damage, self._witnessed
        check_at = witnessed.seq + 1 if witnessed is not None else -1
        verified = 0
        prev: str | None = None
        problem: tuple[int, int, str] | None = None  # line, seq, reason
        cut = False
        line_no = 0
        size = 0
        rule = LEGACY_RULE
        for raw in self._lines():
            line_no += 1
            size += len(raw) + 1
            if problem is not None and on_damage == "stop":
                continue  # only looking for the tail now
            obj, reason = parse_line(raw, rule if verify else LEGACY_RULE)
            if obj is None:
                if on_damage == "raise":
                    self.complete_size = size
                    raise JournalDamaged(
                        f"journal {self.path} is damaged at line {line_no}: {reason}; keep the "
                        "folder as evidence and inspect that line",
                        line_no,
                    )
                self.bad_lines += 1
                if problem is None:
                    problem = (line_no, verified, reason)
                continue
            if line_no == 1:
                rule = self.rule = rule_of(obj)[0]
            if verify and problem is None:
                reason = line_problem(raw, obj, verified, prev)
                if not reason and line_no == 1 and rule == CURRENT_RULE:
                    reason = parse_line(raw, rule)[1]  # read before its rule was known
                if reason:
                    seq = obj.get("seq")
                    problem = (line_no, seq if type(seq) is int else verified, reason)
                    if on_damage == "stop":
                        continue
                else:
                    prev = obj["hash"]
                    verified += 1
                    if verified == check_at and witnessed is not None and prev != witnessed.hash:
                        cut = True
                        problem = (line_no, verified - 1, _differs(witnessed, prev))
                        if on_damage == "stop":
                            continue
            yield obj
        self.complete_size = size
        if problem is None and witnessed is not None and verify and verified <= witnessed.seq:
            cut = True
            problem = (verified + 1, verified, _shorter(witnessed, verified))
        if problem is None and self.tail:
            problem = (line_no + 1, line_no, TORN_REASON)
        if not verify:
            verified = line_no - self.bad_lines
        self._result = VerifyResult(
            ok=problem is None,
            events=verified,
            last_hash=prev,
            broken_line=problem[0] if problem else None,
            broken_seq=problem[1] if problem else None,
            reason=problem[2] if problem else "",
            torn_tail=bool(self.tail),
            rule=rule,
            witnessed=witnessed,
            cut=cut,
        )


def _shorter(witnessed: Head, events: int) -> str:
    return (
        f"the journal ends before seq {witnessed.seq}, whose hash {witnessed.hash[:12]}... was "
        f"recorded as its head before ({events} events left): events were cut off the end"
    )


def _differs(witnessed: Head, found: str) -> str:
    return (
        f"seq {witnessed.seq} has hash {found[:12]}..., but {witnessed.hash[:12]}... was recorded "
        "as its head before: the journal was rewritten"
    )


def stream(
    target: Path, *, verify: bool, on_damage: OnDamage, witnessed: Head | None = None
) -> EventStream:
    """An :class:`EventStream` of the journal of incident folder ``target`` (or of the journal
    file ``target``); the file is opened now, so a missing one raises JournalError here."""
    target = Path(target)
    path = journal_file(target) if target.is_dir() else target
    return EventStream(
        open_journal(path), path, verify=verify, on_damage=on_damage, witnessed=witnessed
    )


def read(target: Path) -> EventStream:
    """Every complete event of a journal, in order, as a stream, for readers (status, report).

    ``target`` is an incident folder (or its journal file). Never takes the lock. Ignores a torn
    last line. Raises :class:`JournalDamaged` (while iterating) for a complete line that is not a
    JSON object, :class:`JournalError` (now) if the file cannot be opened. Does not check hashes
    or the chain: use :func:`verify`, or :func:`stream` with ``verify=True``.
    """
    return stream(target, verify=False, on_damage="raise")


def verify(target: Path, witnessed: Head | None = None) -> VerifyResult:
    """Check every line of a journal and the hash chain; report the first problem.

    ``target`` is an incident folder or a journal file. Detects a changed event (any field,
    including its hash), a removed, reordered, duplicated or inserted event, a first event whose
    seq is not 0 or prev not null, a line that is not JSON or not in canonical form, a blank
    line, and a torn last line (``ok`` is False then too; ``draaiboek resume`` recovers it).

    A forged line that is itself consistent (right seq, prev and own hash) is reported on the
    first line after it, where the chain breaks. Removing events at the very END, or rewriting
    the whole chain from some point on, cannot be detected from the file alone: ``witnessed``,
    a head recorded elsewhere before (the head register, see heads.py), catches both when the
    journal is shorter than it or differs from it (``cut``). Reports print ``last_hash`` for the
    same reason.

    Never raises for content problems; raises :class:`JournalError` if the file cannot be read.
    Never takes the lock. Memory does not grow with the journal.
    """
    events = stream(target, verify=True, on_damage="stop", witnessed=witnessed)
    for _ in events:
        pass
    return events.result
