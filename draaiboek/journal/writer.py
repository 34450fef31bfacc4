"""The one writer of an incident's journal: create or open it (under the writer lock), append
events durably, keep copies of the runbook files it used.

Layout of an incident folder::

    journal.jsonl          one event per line, hash-chained (see canonical.py)
    writer.lock            OS lock held by the one writer; contains who holds it (JSON)
    <sha256hex>.yaml       byte-exact copies of the runbook files the incident used
    journal.torn-*.bin     bytes of a torn last line set aside by a recovery (rare)

Appending is one write of one whole line, then fsync; an event is returned (and so may be shown
as logged) only after its fsync.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from draaiboek.journal import lock
from draaiboek.journal.canonical import RESERVED_FIELDS, Event, seal
from draaiboek.journal.errors import JournalDamaged, JournalError
from draaiboek.journal.files import (
    JOURNAL_NAME,
    O_BINARY,
    fsync_dir,
    write_all,
    write_new_file,
)
from draaiboek.journal.recovery import Recovery, set_aside
from draaiboek.journal.stream import EventStream, open_journal

T = TypeVar("T")


def _skip(events: Iterator[Event]) -> None:
    for _ in events:
        pass


class Journal:
    """The one writer of one incident's journal (holds an OS lock on a lock file in the folder).

    Use :meth:`create`, :meth:`open` or :meth:`open_folding`, never the constructor. The lock
    dies with the process, so a killed writer never blocks the next one. Events are not kept in
    memory: read them with :func:`draaiboek.journal.read`.
    """

    folder: Path
    path: Path

    def __init__(
        self,
        _folder: Path,
        _lock_fd: int,
        _append_fd: int,
        _count: int,
        _last_hash: str | None,
        _size: int,
    ) -> None:
        self.folder = _folder
        self.path = _folder / JOURNAL_NAME
        self._lock_fd: int | None = _lock_fd
        self._fd: int | None = _append_fd
        self._count = _count
        self._last_hash = _last_hash
        self._size = _size
        self._failed: str | None = None

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def create(cls, folder: Path, holder: Mapping[str, str]) -> Journal:
        """Start a new incident in ``folder``, which must not exist yet (its parents may not).

        The folder gets mode 0700 and the journal 0600. Takes the lock (recording ``holder``),
        and fsyncs the new entries up to the folder's parent so they survive a power cut.
        Raises JournalError.
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

        lock_fd = lock.acquire(folder, holder)
        try:
            path = folder / JOURNAL_NAME
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | O_BINARY, 0o600)
            try:
                os.chmod(path, 0o600)
                os.fsync(fd)
                fsync_dir(folder)
                fsync_dir(folder.parent)
                for created in created_parents:
                    fsync_dir(created.parent)
            except BaseException:
                os.close(fd)
                raise
        except OSError as exc:
            lock.release(lock_fd)
            raise JournalError(
                f"cannot create journal in {folder}: {exc.strerror or exc}; check the disk"
            ) from None
        except BaseException:
            lock.release(lock_fd)
            raise
        return cls(folder, lock_fd, fd, 0, None, 0)

    @classmethod
    def open(cls, folder: Path, holder: Mapping[str, str]) -> tuple[Journal, Recovery | None]:
        """Continue an existing incident: :meth:`open_folding` without looking at the events."""
        journal, recovery, _ = cls.open_folding(folder, holder, _skip)
        return journal, recovery

    @classmethod
    def open_folding(
        cls, folder: Path, holder: Mapping[str, str], fold: Callable[[Iterator[Event]], T]
    ) -> tuple[Journal, Recovery | None, T]:
        """Continue an existing incident, reading its journal once, as a stream.

        Takes the lock (:class:`JournalLocked` naming the holder if another process has it),
        then hands ``fold`` an iterator over the events, each checked (hash and chain) before it
        is given; what ``fold`` returns is returned. Events ``fold`` leaves unread are checked
        too. :class:`JournalDamaged` if a complete line is bad or the chain is broken: nothing
        is changed then. A torn last line is copied byte for byte to ``journal.torn-*.bin``
        (synced) and only then cut off the journal; the returned :class:`Recovery` says so and
        the caller logs a recovery event. Complete events are never rewritten. An exception
        from ``fold`` releases the lock and propagates.
        """
        folder = Path(folder)
        path = folder / JOURNAL_NAME
        if not folder.is_dir():
            raise JournalError(f"no incident folder at {folder}; check the path")
        if not path.is_file():
            raise JournalError(
                f"{folder} is not an incident folder (no {JOURNAL_NAME}); check the path"
            )
        lock_fd = lock.acquire(folder, holder)
        try:
            events = EventStream(open_journal(path), path, verify=True, on_damage="stop")
            checked = iter(events)
            folded = fold(checked)
            _skip(checked)
            result = events.result
            if result.damaged:
                raise JournalDamaged(
                    f"journal {path} is damaged at line {result.broken_line} (seq "
                    f"{result.broken_seq}): {result.reason}; nothing was changed -- keep the "
                    "folder as evidence and start a new incident",
                    result.broken_line or 0,
                )
            recovery = None
            if events.tail:
                recovery = set_aside(folder, path, events.tail, events.complete_size, result.events)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | O_BINARY)
        except OSError as exc:
            lock.release(lock_fd)
            raise JournalError(
                f"cannot prepare journal {path} for writing: {exc.strerror or exc}; check the "
                "disk and permissions"
            ) from None
        except BaseException:
            lock.release(lock_fd)
            raise
        journal = cls(folder, lock_fd, fd, result.events, result.last_hash, events.complete_size)
        return journal, recovery, folded

    # -- state --------------------------------------------------------------------------------

    @property
    def count(self) -> int:
        """How many events the journal holds (the next event's seq)."""
        return self._count

    @property
    def last_hash(self) -> str | None:
        """The hash of the last event (the journal's head), None while it is empty."""
        return self._last_hash

    def _writable_fd(self) -> int:
        if self._fd is None:
            raise JournalError("journal is closed; open the incident again to continue")
        if self._failed is not None:
            raise JournalError(self._failed)
        return self._fd

    # -- writing ------------------------------------------------------------------------------

    def append(self, type: str, by: str, at: datetime, fields: Mapping[str, Any]) -> Event:
        """Log one event durably and return it (as any reader will read it back).

        Returns only after the whole line has been written and fsynced, so the UI may confirm
        the event as logged. ``at`` must be timezone-aware; ``fields`` must be JSON values under
        string keys other than seq, at, type, by, prev and hash (ValueError otherwise).
        Raises JournalError when the disk refuses the line: nothing is logged then, and the
        journal refuses further appends until it is opened again.
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

        event: Event = dict(fields)
        event["seq"] = self._count
        event["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
        event["type"] = type
        event["by"] = by
        event["prev"] = self._last_hash
        logged, line = seal(event)

        try:
            write_all(fd, line)
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
        self._count += 1
        self._last_hash = logged["hash"]
        return logged

    def store_file(self, content: bytes, suffix: str = ".yaml") -> str:
        """Keep a copy of a runbook file as ``<sha256><suffix>`` in the folder; returns the name.

        Content-addressed, so storing the same bytes twice costs nothing. Written to a temporary
        file, fsynced and renamed into place, so a crash never leaves a partial copy under the
        final name. Mode 0600. Raises JournalError.
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
            write_new_file(temp, content)
            os.replace(temp, target)
            fsync_dir(self.folder)
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
                lock.release(lock_fd)

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
