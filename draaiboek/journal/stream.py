"""Reading a journal as a stream of events, checking the hash chain on the way (``verify``).

Memory does not grow with the journal: lines are read in chunks and each event is handed on
as soon as it is parsed. Readers never take the writer's lock, so all of this works while an
incident is being walked; what a reader sees of an append in progress is a torn last line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from draaiboek.journal.canonical import Event, line_problem, parse_line
from draaiboek.journal.errors import JournalDamaged, JournalError
from draaiboek.journal.files import journal_file

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

    @property
    def damaged(self) -> bool:
        """A complete line is bad (as opposed to only the last line being torn)."""
        return self.broken_line is not None and self.reason != TORN_REASON


def open_journal(path: Path) -> BinaryIO:
    """The journal file at ``path``, opened for reading; JournalError with a one-line reason."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise JournalError(f"no journal at {path}; check the incident folder path") from None
    except OSError as exc:
        raise JournalError(
            f"cannot read journal {path}: {exc.strerror or exc}; check the path and its permissions"
        ) from None


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
    """

    def __init__(self, handle: BinaryIO, path: Path, *, verify: bool, on_damage: OnDamage) -> None:
        self.path = path
        self._handle = handle
        self._verify = verify
        self._on_damage = on_damage
        self._result: VerifyResult | None = None
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
        verify, on_damage = self._verify, self._on_damage
        verified = 0
        prev: str | None = None
        problem: tuple[int, int, str] | None = None  # line, seq, reason
        line_no = 0
        size = 0
        for raw in self._lines():
            line_no += 1
            size += len(raw) + 1
            if problem is not None and on_damage == "stop":
                continue  # only looking for the tail now
            obj, reason = parse_line(raw)
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
            if verify and problem is None:
                reason = line_problem(raw, obj, verified, prev)
                if reason:
                    seq = obj.get("seq")
                    problem = (line_no, seq if type(seq) is int else verified, reason)
                    if on_damage == "stop":
                        continue
                else:
                    prev = obj["hash"]
                    verified += 1
            yield obj
        self.complete_size = size
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
        )


def stream(target: Path, *, verify: bool, on_damage: OnDamage) -> EventStream:
    """An :class:`EventStream` of the journal of incident folder ``target`` (or of the journal
    file ``target``); the file is opened now, so a missing one raises JournalError here."""
    target = Path(target)
    path = journal_file(target) if target.is_dir() else target
    return EventStream(open_journal(path), path, verify=verify, on_damage=on_damage)


def read(target: Path) -> EventStream:
    """Every complete event of a journal, in order, as a stream, for readers (status, report).

    ``target`` is an incident folder (or its journal file). Never takes the lock. Ignores a torn
    last line. Raises :class:`JournalDamaged` (while iterating) for a complete line that is not a
    JSON object, :class:`JournalError` (now) if the file cannot be opened. Does not check hashes
    or the chain: use :func:`verify`, or :func:`stream` with ``verify=True``.
    """
    return stream(target, verify=False, on_damage="raise")


def verify(target: Path) -> VerifyResult:
    """Check every line of a journal and the hash chain; report the first problem.

    ``target`` is an incident folder or a journal file. Detects a changed event (any field,
    including its hash), a removed, reordered, duplicated or inserted event, a first event whose
    seq is not 0 or prev not null, a line that is not JSON or not in canonical form, a blank
    line, and a torn last line (``ok`` is False then too; ``draaiboek resume`` recovers it).

    A forged line that is itself consistent (right seq, prev and own hash) is reported on the
    first line after it, where the chain breaks. Removing events at the very END, or rewriting
    the whole chain from some point on, cannot be detected from the file alone: compare
    ``last_hash`` with a copy kept elsewhere (reports print it for that reason).

    Never raises for content problems; raises :class:`JournalError` if the file cannot be read.
    Never takes the lock. Memory does not grow with the journal.
    """
    events = stream(target, verify=True, on_damage="stop")
    for _ in events:
        pass
    return events.result
