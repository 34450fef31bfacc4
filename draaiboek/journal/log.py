"""The incident journal: an append-only, hash-chained JSON Lines file, one per incident folder.

Layout of an incident folder::

    journal.jsonl          one event per line, hash-chained
    writer.lock            OS lock held by the one writer; contains who holds it (JSON)
    <sha256hex>.yaml       byte-exact copies of the runbook files the incident used
    journal.torn-*.bin     bytes of a torn last line set aside by a recovery (rare)

Every line is one event, a JSON object with ``seq`` (0, 1, 2, ...), ``at`` (UTC, ISO 8601 with
microseconds), ``type``, ``by``, the event's own fields, ``prev`` (the previous event's ``hash``,
``null`` for the first) and ``hash``. The rule, deliberately small enough to re-implement in ten
lines without this package::

    body = json.dumps(event_without_hash, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")
    hash = hashlib.sha256(body).hexdigest()
    line = json.dumps(event_with_hash, <same options>).encode("utf-8") + b"\\n"

Standard library only: the journal must stay verifiable and writable on a bare emergency laptop.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

__all__ = [
    "JOURNAL_NAME",
    "LOCK_NAME",
    "RESERVED_FIELDS",
    "Journal",
    "JournalDamaged",
    "JournalError",
    "JournalLocked",
    "Recovery",
    "VerifyResult",
    "event_hash",
    "read_events",
    "verify_file",
]

JOURNAL_NAME = "journal.jsonl"
LOCK_NAME = "writer.lock"
RESERVED_FIELDS = frozenset({"seq", "at", "type", "by", "prev", "hash"})

# One shared encoder: json.dumps() with non-default options builds a new encoder on every call,
# which would dominate the cost of verifying a long journal.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# Same output for every valid value, but refuses NaN/Infinity when writing: they are not JSON and
# would make the journal unreadable for verifiers in other languages.
_STRICT_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_DECODER = json.JSONDecoder()

_O_BINARY: int = getattr(os, "O_BINARY", 0)
# Windows locks are mandatory byte-range locks; lock a byte far past the holder text so that a
# refused process can still read who holds the lock.
_WIN_LOCK_OFFSET = 0x7FFFFFF0
_HOLDER_MAX_BYTES = 64 * 1024
_TORN_REASON = (
    "torn last line (incomplete write); 'draaiboek resume' will set it aside and continue"
)


class JournalError(Exception):
    """Cannot continue; ``str(exc)`` is a one-line message for the user saying what to do."""


class JournalLocked(JournalError):
    """Another process is the writer of this incident."""

    holder: dict[str, str]

    def __init__(self, message: str, holder: Mapping[str, str]) -> None:
        super().__init__(message)
        self.holder = dict(holder)

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle as cls(*args); keep the extra attribute across process boundaries.
        return (type(self), (str(self), self.holder))


class JournalDamaged(JournalError):
    """A complete line does not parse, or (for writers) the hash chain is broken."""

    line: int

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.line))


@dataclass(frozen=True)
class Recovery:
    """What :meth:`Journal.open` did with a torn last line."""

    torn_bytes: int
    saved_as: str
    sha256: str


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_file`.

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


def event_hash(event_without_hash: Mapping[str, Any]) -> str:
    """The hash of an event: sha256 hex of its canonical JSON without the ``hash`` field."""
    return hashlib.sha256(_ENCODER.encode(event_without_hash).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Reading and verifying


@dataclass
class _Scan:
    events: list[dict[str, Any]]
    last_hash: str | None
    broken_line: int | None
    broken_seq: int | None
    reason: str
    complete_size: int
    tail: bytes

    @property
    def damaged(self) -> bool:
        """A complete line is bad (as opposed to only the last line being torn)."""
        return self.broken_line is not None and self.reason != _TORN_REASON


def _read(journal_path: Path) -> bytes:
    try:
        return journal_path.read_bytes()
    except FileNotFoundError:
        raise JournalError(
            f"no journal at {journal_path}; check the incident folder path"
        ) from None
    except OSError as exc:
        raise JournalError(
            f"cannot read journal {journal_path}: {exc.strerror or exc}; check the path and its "
            "permissions"
        ) from None


def _parse_line(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """The event on one complete line, or None and why not."""
    try:
        obj = _DECODER.decode(raw.decode("utf-8"))
    except ValueError:  # includes UnicodeDecodeError and JSONDecodeError
        # Only looked at on failure, so good lines pay nothing for the nicer message.
        if not raw or raw.isspace():
            return None, "blank line"
        return None, "line is not valid JSON"
    if type(obj) is not dict:
        return None, "line is not a JSON object"
    return obj, ""


def _scan(data: bytes) -> _Scan:
    """Check every complete line and the chain; stop at the first problem."""
    lines = data.split(b"\n")
    tail = lines.pop()  # bytes after the last newline: b"" unless the last write was torn
    complete_size = len(data) - len(tail)
    events: list[dict[str, Any]] = []
    last_hash: str | None = None
    sha256 = hashlib.sha256
    encode = _ENCODER.encode

    for index, raw in enumerate(lines):
        obj, reason = _parse_line(raw)
        found_seq: int | None = None
        if obj is not None:
            seq = obj.get("seq")
            if type(seq) is int:
                found_seq = seq
            stored = obj.pop("hash", None)
            if type(stored) is not str:
                reason = "hash field missing or not a string"
            else:
                body = encode(obj).encode("utf-8")
                obj["hash"] = stored
                if sha256(body).hexdigest() != stored:
                    reason = "hash does not match content (event changed)"
                # The hash member sorts after "at" and "by", so in the canonical line it is always
                # preceded by a comma; removing it must give exactly the hashed body. This catches
                # hand edits that keep the meaning (spacing, key order, duplicate keys).
                elif raw.replace(b',"hash":"' + stored.encode("ascii") + b'"', b"", 1) != body:
                    reason = "line is not in canonical form (edited by hand)"
                elif not (
                    type(obj.get("at")) is str
                    and type(obj.get("type")) is str
                    and type(obj.get("by")) is str
                    and "prev" in obj
                ):
                    reason = "required field missing or of the wrong type (seq, at, type, by, prev)"
                elif found_seq is None:
                    reason = "seq missing or not an integer"
                elif found_seq != index:
                    reason = f"seq {index} expected, found {found_seq} (event removed or reordered)"
                elif obj["prev"] != last_hash:
                    reason = (
                        "first event must have prev null"
                        if index == 0
                        else "prev does not match hash of previous event"
                    )
        if reason:
            return _Scan(
                events,
                last_hash,
                index + 1,
                index if found_seq is None else found_seq,
                reason,
                complete_size,
                tail,
            )
        assert obj is not None
        events.append(obj)
        last_hash = obj["hash"]

    if tail:
        return _Scan(
            events,
            last_hash,
            len(lines) + 1,
            len(lines),
            _TORN_REASON,
            complete_size,
            tail,
        )
    return _Scan(events, last_hash, None, None, "", complete_size, tail)


def read_events(journal_path: Path) -> list[dict[str, Any]]:
    """All complete events, for readers (status, report).

    Never takes the lock, so it works while a writer is active. Ignores a torn last line (bytes
    after the last newline, which is also what a reader sees of an append in progress). Raises
    :class:`JournalDamaged` for a complete line that is not a JSON object and :class:`JournalError`
    if the file is missing. It does not check hashes or the chain: use :func:`verify_file`.
    """
    data = _read(journal_path)
    lines = data.split(b"\n")
    lines.pop()
    events: list[dict[str, Any]] = []
    for index, raw in enumerate(lines):
        obj, reason = _parse_line(raw)
        if obj is None:
            raise JournalDamaged(
                f"journal {journal_path} is damaged at line {index + 1}: {reason}; keep the folder "
                "as evidence and inspect that line",
                index + 1,
            )
        events.append(obj)
    return events


def verify_file(journal_path: Path) -> VerifyResult:
    """Check every line of a journal and the hash chain; report the first problem.

    Detects a changed event (any field, including its hash), a removed, reordered, duplicated or
    inserted event, a first event whose seq is not 0 or prev not null, a line that is not JSON or
    not in canonical form, a blank line, and a torn last line (``ok`` is False then too;
    ``draaiboek resume`` recovers it).

    A forged line that is itself consistent (right seq, prev and own hash) is reported on the
    first line after it, where the chain breaks. Removing events at the very END, or rewriting
    the whole chain from some point on, cannot be detected from the file alone: compare
    ``last_hash`` with a copy kept elsewhere (reports print it for that reason).

    Never raises for content problems; raises :class:`JournalError` if the file cannot be read.
    Never takes the lock.
    """
    scan = _scan(_read(journal_path))
    return VerifyResult(
        ok=scan.broken_line is None,
        events=len(scan.events),
        last_hash=scan.last_hash,
        broken_line=scan.broken_line,
        broken_seq=scan.broken_seq,
        reason=scan.reason,
        torn_tail=bool(scan.tail),
    )


# --------------------------------------------------------------------------------------------
# Durability helpers


def _fsync_dir(path: Path) -> None:
    # A new or renamed directory entry only survives a power cut once the directory itself is
    # synced. Windows cannot open directories for this, and NTFS journals metadata anyway.
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_new_file(path: Path, content: bytes) -> None:
    """Create ``path`` (must not exist) with mode 0600, write ``content`` and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600)
    try:
        _write_all(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------
# Locking


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _read_holder(fd: int) -> dict[str, str]:
    # The holder writes its details just after getting the lock; give it a moment if we looked
    # in between.
    for attempt in range(10):
        os.lseek(fd, 0, os.SEEK_SET)
        raw = os.read(fd, _HOLDER_MAX_BYTES)
        try:
            obj = json.loads(raw.decode("utf-8"))
        except ValueError:
            obj = None
        if isinstance(obj, dict) and obj:
            return {str(k): str(v) for k, v in obj.items()}
        if attempt < 9:
            time.sleep(0.02)
    return {}


def _locked_message(holder: Mapping[str, str]) -> str:
    if not holder:
        who = "another process (holder unknown)"
    else:
        who = (
            f"{holder.get('operator', 'someone')} (pid {holder.get('pid', '?')} on host "
            f"{holder.get('host', '?')}) since {holder.get('since', '?')}"
        )
    return (
        f"incident is being walked by {who}; only one writer at a time -- use 'draaiboek status' "
        "to look without writing"
    )


def _acquire_lock(folder: Path, holder: Mapping[str, str]) -> int:
    """Take the writer lock of ``folder`` and record ``holder`` in it; returns the lock fd."""
    lock_path = folder / LOCK_NAME
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | _O_BINARY, 0o600)
    except OSError as exc:
        raise JournalError(
            f"cannot open lock file {lock_path}: {exc.strerror or exc}; check the folder's "
            "permissions"
        ) from None
    try:
        try:
            got = _try_lock(fd)
        except OSError as exc:
            raise JournalError(
                f"cannot lock {lock_path}: {exc.strerror or exc}; the incident folder must be on a "
                "local disk"
            ) from None
        if not got:
            current = _read_holder(fd)
            raise JournalLocked(_locked_message(current), current)
        text = json.dumps(
            {str(k): str(v) for k, v in holder.items()}, ensure_ascii=False, sort_keys=True
        )
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        _write_all(fd, text.encode("utf-8"))
    except BaseException:
        os.close(fd)  # closing also drops a lock we may have taken
        raise
    return fd


def _release_lock(fd: int) -> None:
    try:
        # Clear the holder while still holding the lock, so nobody reads stale details.
        os.ftruncate(fd, 0)
        _unlock(fd)
    except OSError:
        pass  # closing the fd below releases the lock in any case
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------
# The writer


class Journal:
    """The one writer of one incident's journal (holds an OS lock on a lock file in the folder).

    Use :meth:`create` or :meth:`open`, never the constructor. The lock dies with the process, so
    a killed writer never blocks the next one.
    """

    folder: Path
    path: Path

    def __init__(
        self,
        _folder: Path,
        _lock_fd: int,
        _append_fd: int,
        _events: list[dict[str, Any]],
        _size: int,
    ) -> None:
        self.folder = _folder
        self.path = _folder / JOURNAL_NAME
        self._lock_fd: int | None = _lock_fd
        self._fd: int | None = _append_fd
        self._events = _events
        self._last_hash: str | None = _events[-1]["hash"] if _events else None
        self._size = _size
        self._failed: str | None = None

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def create(cls, folder: Path, holder: Mapping[str, str]) -> Journal:
        """Start a new incident in ``folder``, which must not exist yet (its parents may not).

        The folder gets mode 0700 and the journal 0600. Takes the lock (recording ``holder``),
        and fsyncs the new entries up to the folder's parent so they survive a power cut.
        """
        folder = Path(folder)
        created_parents: list[Path] = []
        parent = folder.parent
        while not parent.exists() and parent != parent.parent:
            created_parents.append(parent)
            parent = parent.parent
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(folder, 0o700)
        except FileExistsError:
            raise JournalError(
                f"{folder} already exists; use 'draaiboek resume' to continue that incident or "
                "choose another folder"
            ) from None
        except OSError as exc:
            raise JournalError(
                f"cannot create incident folder {folder}: {exc.strerror or exc}; check the path "
                "and permissions"
            ) from None
        os.chmod(folder, 0o700)  # the umask may have taken bits away; 0700 is what we promise

        lock_fd = _acquire_lock(folder, holder)
        try:
            path = folder / JOURNAL_NAME
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | _O_BINARY, 0o600
            )
            try:
                os.chmod(path, 0o600)
                os.fsync(fd)
                _fsync_dir(folder)
                _fsync_dir(folder.parent)
                for created in created_parents:
                    _fsync_dir(created.parent)
            except BaseException:
                os.close(fd)
                raise
        except OSError as exc:
            _release_lock(lock_fd)
            raise JournalError(
                f"cannot create journal in {folder}: {exc.strerror or exc}; check the disk"
            ) from None
        except BaseException:
            _release_lock(lock_fd)
            raise
        return cls(folder, lock_fd, fd, [], 0)

    @classmethod
    def open(cls, folder: Path, holder: Mapping[str, str]) -> tuple[Journal, Recovery | None]:
        """Continue an existing incident.

        Takes the lock (:class:`JournalLocked` naming the holder if another process has it),
        reads and checks all events (:class:`JournalDamaged` if a complete line is bad or the
        chain is broken; nothing is changed then). A torn last line is copied byte-for-byte to
        ``journal.torn-<UTC time>.bin`` (synced) and only then cut off the journal; the returned
        :class:`Recovery` says so and the caller logs a recovery event. Complete events are never
        rewritten.
        """
        folder = Path(folder)
        path = folder / JOURNAL_NAME
        if not folder.is_dir():
            raise JournalError(f"no incident folder at {folder}; check the path")
        if not path.is_file():
            raise JournalError(
                f"{folder} is not an incident folder (no {JOURNAL_NAME}); check the path"
            )
        lock_fd = _acquire_lock(folder, holder)
        try:
            scan = _scan(_read(path))
            if scan.damaged and scan.broken_line is not None:
                raise JournalDamaged(
                    f"journal {path} is damaged at line {scan.broken_line} (seq "
                    f"{scan.broken_seq}): {scan.reason}; nothing was changed -- keep the folder as "
                    "evidence and start a new incident",
                    scan.broken_line,
                )
            recovery = None
            if scan.tail:
                recovery = cls._set_aside_tail(folder, path, scan.tail, scan.complete_size)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | _O_BINARY)
        except OSError as exc:
            _release_lock(lock_fd)
            raise JournalError(
                f"cannot prepare journal {path} for writing: {exc.strerror or exc}; check the "
                "disk and permissions"
            ) from None
        except BaseException:
            _release_lock(lock_fd)
            raise
        return cls(folder, lock_fd, fd, scan.events, scan.complete_size), recovery

    @staticmethod
    def _set_aside_tail(folder: Path, path: Path, tail: bytes, complete_size: int) -> Recovery:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        counter = 0
        while True:
            name = f"journal.torn-{stamp}{'' if counter == 0 else f'-{counter}'}.bin"
            try:
                _write_new_file(folder / name, tail)
                break
            except FileExistsError:
                counter += 1
        # The copy must be durable before the only other copy of those bytes is cut away.
        _fsync_dir(folder)
        os.truncate(path, complete_size)
        fd = os.open(path, os.O_RDWR | _O_BINARY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return Recovery(
            torn_bytes=len(tail), saved_as=name, sha256=hashlib.sha256(tail).hexdigest()
        )

    # -- state --------------------------------------------------------------------------------

    @property
    def events(self) -> Sequence[dict[str, Any]]:
        """All events so far, in order (kept in memory; do not modify them)."""
        return self._events

    @property
    def last_hash(self) -> str | None:
        return self._last_hash

    def _writable_fd(self) -> int:
        if self._fd is None:
            raise JournalError("journal is closed; open the incident again to continue")
        if self._failed is not None:
            raise JournalError(self._failed)
        return self._fd

    # -- writing ------------------------------------------------------------------------------

    def append(self, type: str, by: str, at: datetime, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Log one event durably and return it (as any reader will read it back).

        Returns only after the whole line has been written and fsynced, so the UI may confirm
        the event as logged. ``at`` must be timezone-aware; ``fields`` must be JSON values under
        string keys other than seq, at, type, by, prev and hash (ValueError otherwise).
        """
        if not isinstance(type, str) or not isinstance(by, str):
            raise TypeError("type and by must be strings")
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("at must be a timezone-aware datetime")
        for key in fields:
            if not isinstance(key, str):
                raise ValueError(f"field names must be strings, got {key!r}")
            if key in RESERVED_FIELDS:
                raise ValueError(f"field name {key!r} is reserved by the journal")
        fd = self._writable_fd()

        event: dict[str, Any] = dict(fields)
        event["seq"] = len(self._events)
        event["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
        event["type"] = type
        event["by"] = by
        event["prev"] = self._last_hash
        try:
            body = _STRICT_ENCODER.encode(event).encode("utf-8")
            event["hash"] = hashlib.sha256(body).hexdigest()
            text = _STRICT_ENCODER.encode(event)
            line = text.encode("utf-8") + b"\n"
        except (TypeError, ValueError) as exc:
            raise ValueError(f"fields must be plain JSON values: {exc}") from exc
        # What a reader gets back (tuples become lists, and so on), so memory matches the file.
        logged: dict[str, Any] = _DECODER.decode(text)

        try:
            _write_all(fd, line)
            os.fsync(fd)
        except OSError as exc:
            # A half-written line must not end up in the middle of the journal: cut it off and
            # stop writing. After a failed fsync the file's state is unknown, so reopening (which
            # re-verifies and recovers a torn tail) is the only safe way on.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, self._size)
            self._failed = (
                f"writing to journal {self.path} failed ({exc.strerror or exc}); the last event "
                "was NOT logged -- fix the disk, then use 'draaiboek resume'"
            )
            raise JournalError(self._failed) from None
        self._size += len(line)
        self._events.append(logged)
        self._last_hash = logged["hash"]
        return logged

    def store_file(self, content: bytes, suffix: str = ".yaml") -> str:
        """Keep a copy of a runbook file as ``<sha256><suffix>`` in the folder; returns the name.

        Content-addressed, so storing the same bytes twice costs nothing. Written to a temporary
        file, fsynced and renamed into place, so a crash never leaves a partial copy under the
        final name. Mode 0600.
        """
        if "/" in suffix or "\\" in suffix or suffix in {".", ".."}:
            raise ValueError(f"bad suffix {suffix!r}")
        self._writable_fd()
        name = hashlib.sha256(content).hexdigest() + suffix
        target = self.folder / name
        try:
            if target.read_bytes() == content:
                return name
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise JournalError(
                f"cannot read {target}: {exc.strerror or exc}; check the incident folder"
            ) from None
        temp = self.folder / f".{name}.{os.getpid()}.tmp"
        try:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()  # left over by a writer with our pid that was killed
            _write_new_file(temp, content)
            os.replace(temp, target)
            _fsync_dir(self.folder)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise JournalError(
                f"cannot store {name} in {self.folder}: {exc.strerror or exc}; check the disk"
            ) from None
        return name

    # -- closing ------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop writing and release the lock. Safe to call twice."""
        fd, self._fd = self._fd, None
        lock_fd, self._lock_fd = self._lock_fd, None
        try:
            if fd is not None:
                os.close(fd)
        finally:
            if lock_fd is not None:
                _release_lock(lock_fd)

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
