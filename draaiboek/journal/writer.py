"""The one writer of an incident's journal: create or open it (under the writer lock), append
events durably, keep copies of the runbook files it used.

Layout of an incident folder::

    journal.jsonl          one event per line, hash-chained (see canonical.py); the writer
                           holds an OS lock on this file itself
    writer.json            who holds that lock (information for a refused process)
    <sha256hex>.yaml       byte-exact copies of the runbook files the incident used
    journal.torn-*.bin     bytes of a torn last line set aside by a recovery (rare)

A new incident is built under a hidden temporary name (``.<id>.new-<pid>-<random>``) and renamed
to its id only once its first event is durable, so a start that is killed leaves either no
incident or one that can be resumed. Appending is one write of one whole line, then fsync; an
event is returned (and so may be shown as logged) only after its fsync, and only then is its
head given to the witness (the head register).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from draaiboek.journal import lock
from draaiboek.journal.canonical import (
    CURRENT_RULE,
    RESERVED_FIELDS,
    RULE_FIELD,
    Event,
    seal,
)
from draaiboek.journal.errors import JournalDamaged, JournalError, JournalStorageError
from draaiboek.journal.files import (
    JOURNAL_NAME,
    O_BINARY,
    O_NONBLOCK,
    fsync_dir,
    write_all,
    write_new_file,
)
from draaiboek.journal.heads import Head, Witness
from draaiboek.journal.leftovers import clear_remains as _clear_remains
from draaiboek.journal.leftovers import remove_tree as _remove_tree
from draaiboek.journal.leftovers import sweep as _sweep
from draaiboek.journal.recovery import Recovery, set_aside
from draaiboek.journal.safety import check_file, open_nofollow, private_folder
from draaiboek.journal.stream import EventStream

T = TypeVar("T")


def _skip(events: Iterator[Event]) -> None:
    for _ in events:
        pass


class Journal:
    """The one writer of one incident's journal (holds an OS lock on the journal file).

    Use :meth:`create`, :meth:`open` or :meth:`open_folding`, never the constructor. The lock
    dies with the process, so a killed writer never blocks the next one. Events are not kept in
    memory: read them with :func:`draaiboek.journal.read`.
    """

    folder: Path
    path: Path

    def __init__(
        self,
        _folder: Path,
        _fd: int,
        _count: int,
        _last_hash: str | None,
        _last_at: str | None,
        _size: int,
        _rule: str,
        _witness: Witness | None,
        _publish_as: Path | None = None,
    ) -> None:
        self.folder = _folder
        self.path = _folder / JOURNAL_NAME
        self._fd: int | None = _fd
        self._count = _count
        self._last_hash = _last_hash
        self._last_at = _last_at
        self._size = _size
        self._rule = _rule
        self._witness = _witness
        self._publish_as = _publish_as  # the final folder, while the incident is being built
        self._failed: JournalStorageError | None = None
        self.witness_error: str | None = None  # why the last head could not be recorded

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def create(
        cls, folder: Path, holder: Mapping[str, str], *, witness: Witness | None = None
    ) -> Journal:
        """Start a new incident that will be ``folder`` (which must not exist yet).

        The incidents folder (``folder``'s parent) is created 0700 if missing and must be yours
        only (see safety.py). The incident is built under a hidden temporary name; it becomes
        ``folder`` when its first event is durable (:meth:`append`). Until then :attr:`folder`
        is the temporary one, and closing without an event removes it. The folder is 0700, the
        journal 0600, and the lock is taken (recording ``holder``).

        A folder left by a start that was cut off before its first event (no journal, or an
        empty one, and nobody writing it) is cleared first. Raises JournalError when ``folder``
        exists otherwise, or when ``witness`` has a head for this id already (an id is never
        used twice), JournalStorageError when the disk refuses.
        """
        folder = Path(folder)
        parent = folder.parent
        private_folder(parent, create=True)
        _sweep(parent)
        if os.path.lexists(folder) and not _clear_remains(folder):
            raise JournalError(
                f"{folder} already exists; use 'draaiboek resume' to continue that incident or "
                "choose another id"
            )
        if witness is not None and witness.last(folder.name) is not None:
            raise JournalError(
                f"incident id {folder.name!r} was used before (its head was recorded); choose "
                "another id"
            )
        temp = parent / f".{folder.name}.new-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(temp, 0o700)
            os.chmod(temp, 0o700)  # the umask may have taken bits away; 0700 is what we promise
            fd = open_nofollow(
                temp / JOURNAL_NAME,
                os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_APPEND | O_BINARY,
                "journal",
            )
        except OSError as exc:
            _remove_tree(temp)
            raise JournalStorageError.of(
                exc, f"creating incident folder {temp}", "check the disk and permissions"
            ) from None
        try:
            if hasattr(os, "fchmod"):  # the umask may have taken bits away; 0600 is meant
                os.fchmod(fd, 0o600)
            lock.lock(fd, temp, holder)
            os.fsync(fd)
            fsync_dir(temp)
        except OSError as exc:
            os.close(fd)
            _remove_tree(temp)
            raise JournalStorageError.of(
                exc, f"creating journal in {temp}", "check the disk and permissions"
            ) from None
        except BaseException:
            os.close(fd)
            _remove_tree(temp)
            raise
        return cls(temp, fd, 0, None, None, 0, CURRENT_RULE, witness, folder)

    @classmethod
    def open(
        cls, folder: Path, holder: Mapping[str, str], *, witness: Witness | None = None
    ) -> tuple[Journal, Recovery | None]:
        """Continue an existing incident: :meth:`open_folding` without looking at the events."""
        journal, recovery, _ = cls.open_folding(folder, holder, _skip, witness=witness)
        return journal, recovery

    @classmethod
    def open_folding(
        cls,
        folder: Path,
        holder: Mapping[str, str],
        fold: Callable[[Iterator[Event]], T],
        *,
        witness: Witness | None = None,
    ) -> tuple[Journal, Recovery | None, T]:
        """Continue an existing incident, reading its journal once, as a stream.

        The folder and its parent must be yours only, the journal a regular file of yours with
        one name, never reached through a symbolic link (JournalError otherwise). Takes the
        lock on the journal (:class:`JournalLocked` naming the holder if another process has
        it), then hands ``fold`` an iterator over the events, each checked (hash and chain)
        before it is given; what ``fold`` returns is returned. Events ``fold`` leaves unread are
        checked too. :class:`JournalDamaged` if a complete line is bad, the chain is broken, or
        the journal is shorter than (or differs from) the head ``witness`` recorded: nothing is
        changed then. A torn last line is copied byte for byte to ``journal.torn-*.bin``
        (synced) and only then cut off the journal; the returned :class:`Recovery` says so and
        the caller logs a recovery event. Complete events are never rewritten. An exception
        from ``fold`` releases the lock and propagates.
        """
        folder = Path(folder)
        path = folder / JOURNAL_NAME
        if not folder.is_dir():
            raise JournalError(f"no incident folder at {folder}; check the path")
        private_folder(folder.parent, create=False, may_be_link=True)
        private_folder(folder, create=False)
        try:
            fd = open_nofollow(path, os.O_RDWR | os.O_APPEND | O_BINARY, "journal")
        except FileNotFoundError:
            raise JournalError(
                f"{folder} is not an incident folder (no {JOURNAL_NAME}); check the path"
            ) from None
        except OSError as exc:
            raise JournalStorageError.of(
                exc, f"opening journal {path}", "check the disk and permissions"
            ) from None
        locked = False
        try:
            check_file(fd, path, "journal")
            lock.lock(fd, folder, holder)
            locked = True
            # The witness first: an append between reading the journal and the witness must
            # not look like a cut.
            witnessed = witness.last(folder.name) if witness is not None else None
            reader = open_nofollow(path, os.O_RDONLY | O_BINARY | O_NONBLOCK, "journal")
            mine, theirs = os.fstat(fd), os.fstat(reader)
            if (mine.st_dev, mine.st_ino) != (theirs.st_dev, theirs.st_ino):
                os.close(reader)
                raise JournalError(f"journal {path} was replaced while opening it; try again")
            events = EventStream(
                os.fdopen(reader, "rb"), path, verify=True, on_damage="stop", witnessed=witnessed
            )
            last_at: list[Any] = [None]

            def checked() -> Iterator[Event]:
                for event in events:
                    last_at[0] = event["at"]
                    yield event

            stream = checked()
            folded = fold(stream)
            _skip(stream)
            result = events.result
            if result.damaged:
                where = (
                    "does not match the head recorded before"
                    if result.cut
                    else f"is damaged at line {result.broken_line} (seq {result.broken_seq})"
                )
                raise JournalDamaged(
                    f"journal {path} {where}: {result.reason}; nothing was changed -- keep the "
                    "folder as evidence and start a new incident",
                    result.broken_line or 0,
                )
            recovery = None
            if events.tail:
                try:
                    recovery = set_aside(
                        folder, path, events.tail, events.complete_size, result.events
                    )
                except OSError as exc:
                    raise JournalStorageError.of(
                        exc,
                        f"setting aside the torn last line of {path}",
                        "nothing was changed; free space or fix the disk, then resume again",
                    ) from None
        except OSError as exc:
            if locked:
                lock.clear_holder(folder)
            os.close(fd)
            raise JournalStorageError.of(
                exc, f"preparing journal {path}", "check the disk and permissions"
            ) from None
        except BaseException:
            if locked:
                lock.clear_holder(folder)
            os.close(fd)
            raise
        journal = cls(
            folder,
            fd,
            result.events,
            result.last_hash,
            last_at[0],
            events.complete_size,
            result.rule,
            witness,
        )
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

    @property
    def head(self) -> Head | None:
        """The journal's head: seq and hash of its last event (None while it is empty)."""
        return None if self._last_hash is None else Head(self._count - 1, self._last_hash)

    @property
    def last_at(self) -> datetime | None:
        """When the last event was logged (aware, UTC), None while the journal is empty."""
        return None if self._last_at is None else datetime.fromisoformat(self._last_at)

    @property
    def rule(self) -> str:
        """The hash rule this journal is written under (see canonical.py)."""
        return self._rule

    @property
    def incident(self) -> str:
        """The incident's id: the name of its folder (its final name while being built)."""
        return (self._publish_as or self.folder).name

    def _writable_fd(self) -> int:
        if self._fd is None:
            raise JournalError("journal is closed; open the incident again to continue")
        if self._failed is not None:
            failed = self._failed
            raise JournalStorageError(str(failed), failed.kind, failed.strerror)
        return self._fd

    # -- writing ------------------------------------------------------------------------------

    def append(self, type: str, by: str, at: datetime, fields: Mapping[str, Any]) -> Event:
        """Log one event durably and return it (as any reader will read it back).

        Returns only after the whole line has been written and fsynced, so the UI may confirm
        the event as logged. ``at`` must be timezone-aware; ``fields`` must be JSON values under
        string keys other than seq, at, type, by, prev, hash and hash_rule, and, under the
        current hash rule, without floats (ValueError otherwise; see canonical.plain). The first
        event also gets ``hash_rule``, and makes a new incident visible under its id.
        Raises JournalStorageError when the disk refuses the line: nothing is logged then, and
        the journal refuses further appends until it is opened again.
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
        if self._count == 0:
            event[RULE_FIELD] = self._rule
        logged, line = seal(event, self._rule)

        try:
            write_all(fd, line)
            os.fsync(fd)
        except OSError as exc:
            # A half-written line must not end up in the middle of the journal: cut it off and
            # stop writing. After a failed fsync the file's state is unknown, so reopening (which
            # re-verifies and recovers a torn tail) is the only safe way on.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, self._size)
            error = JournalStorageError.of(
                exc,
                f"writing to journal {self.path}",
                "the last event was NOT logged -- fix the disk, then use 'draaiboek resume'",
            )
            self._failed = error
            raise error from None
        self._size += len(line)
        self._count += 1
        self._last_hash = logged["hash"]
        self._last_at = logged["at"]
        if self._publish_as is not None:
            self._publish()
        if self._witness is not None:
            try:
                self._witness.record(self.incident, Head(logged["seq"], logged["hash"]))
                self.witness_error = None
            except JournalError as exc:
                # The event is durable in the journal: it was logged. A witness that missed it
                # only knows an older head, which never looks like a cut.
                self.witness_error = str(exc)
        return logged

    def _publish(self) -> None:
        """Give the incident being built its final name (its first event is durable)."""
        assert self._publish_as is not None
        final = self._publish_as
        try:
            if os.path.lexists(final):
                raise FileExistsError(final)
            os.rename(self.folder, final)
            fsync_dir(final.parent)
        except OSError as exc:
            fd, self._fd = self._fd, None
            if fd is not None:
                os.close(fd)
            _remove_tree(self.folder)
            if isinstance(exc, FileExistsError):
                raise JournalError(
                    f"{final} was created by someone else meanwhile; choose another id"
                ) from None
            raise JournalStorageError.of(
                exc, f"making incident {final} visible", "nothing was kept; start again"
            ) from None
        self.folder, self.path, self._publish_as = final, final / JOURNAL_NAME, None

    def store_file(self, content: bytes, suffix: str = ".yaml") -> str:
        """Keep a copy of a runbook file as ``<sha256><suffix>`` in the folder; returns the name.

        Content-addressed, so storing the same bytes twice costs nothing. Written to a temporary
        file, fsynced and renamed into place, so a crash never leaves a partial copy under the
        final name. Mode 0600. Raises JournalError (JournalStorageError when the disk refuses).
        """
        if "/" in suffix or "\\" in suffix or suffix in {".", ".."}:
            raise ValueError(f"bad suffix {suffix!r}")
        self._writable_fd()
        name = hashlib.sha256(content).hexdigest() + suffix
        target = self.folder / name
        try:
            fd = open_nofollow(target, os.O_RDONLY | O_BINARY, "stored copy")
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise JournalError(
                f"cannot read {target}: {exc.strerror or exc}; check the incident folder"
            ) from None
        else:
            with os.fdopen(fd, "rb") as existing:
                if existing.read() == content:
                    return name
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
            raise JournalStorageError.of(
                exc, f"storing {name} in {self.folder}", "check the disk"
            ) from None
        return name

    # -- closing ------------------------------------------------------------------------------

    def sync_witness(self) -> None:
        """Make the heads given to the witness durable (at a pause; :meth:`close` does it too).
        A witness that cannot is remembered in :attr:`witness_error`, never raised: the events
        themselves are durable."""
        if self._witness is None:
            return
        try:
            self._witness.sync()
        except JournalError as exc:
            self.witness_error = str(exc)

    def close(self) -> None:
        """Stop writing, sync the witness and release the lock. Safe to call twice. An incident
        still being built (no event logged) is removed: it never became visible."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        self.sync_witness()
        lock.clear_holder(self.folder)
        try:
            lock.unlock(fd)
        except OSError:
            pass  # closing the fd below releases the lock in any case
        finally:
            os.close(fd)
        if self._publish_as is not None:
            _remove_tree(self.folder)

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
