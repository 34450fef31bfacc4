"""Witnesses of an incident's head: where its last (seq, hash) is also recorded, outside the
incident folder, so that a tail cut off later (or a journal rewritten from some event on) shows.

A witness has three operations: :meth:`Witness.record` a head, :meth:`Witness.sync` what was
recorded (make it durable), and say the :meth:`Witness.last` head recorded. The one here is the
head register in the home (``<home>/heads/<incident>.heads``: one small append-only file per
incident, one JSON line ``{"hash":...,"seq":...}`` per event, fsync'd at every pause and close
by the journal); a national store (#14) can be another witness with the same operations.

Why not fsync every line: a step logs two events, each fsync'd before it is shown as logged,
and a third and fourth fsync per step would double what a step costs on a slow disk. A head
written but not yet synced survives anything but a power cut, and a register that lost its
last lines only knows an older head, which never looks like a cut; after a pause or a close,
when a cut would go unnoticed longest, it is synced.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from draaiboek.journal.errors import JournalError
from draaiboek.journal.files import O_BINARY, fsync_dir, write_all
from draaiboek.journal.safety import check_file, open_nofollow, private_folder

HEADS_FOLDER = "heads"
_SUFFIX = ".heads"
_BACK_STEP = 4096


@dataclass(frozen=True)
class Head:
    """An incident's head: the seq of its last event and that event's hash (sha256 hex)."""

    seq: int
    hash: str

    @property
    def short(self) -> str:
        """The first six hex digits: the "zegel" printed at every pause and close."""
        return self.hash[:6]


class Witness(Protocol):
    """Something outside the incident folder that remembers the heads it was shown."""

    def record(self, incident: str, head: Head) -> None:
        """Remember ``head`` as the incident's head now. Raises JournalError when it cannot."""

    def sync(self) -> None:
        """Make every head recorded so far durable. Raises JournalError when it cannot."""

    def last(self, incident: str) -> Head | None:
        """The last head recorded for the incident, or None. Raises JournalError when the
        record cannot be read."""


class HeadRegister:
    """The head register in an incident home: ``<home>/heads/<incident>.heads`` (folder 0700,
    files 0600, opened without following links). Recording costs one small write (the file
    stays open), syncing an fsync; reading the last head reads only the end of the file."""

    def __init__(self, home: Path) -> None:
        self.folder = Path(home) / HEADS_FOLDER
        self._open: dict[str, int] = {}  # incident -> fd appending to its record
        self._synced: set[str] = set()  # records whose folder entry was synced

    def path(self, incident: str) -> Path:
        if not incident or "/" in incident or "\\" in incident or incident.startswith("."):
            raise ValueError(f"not an incident id: {incident!r}")
        return self.folder / f"{incident}{_SUFFIX}"

    def record(self, incident: str, head: Head) -> None:
        path = self.path(incident)
        line = json.dumps({"hash": head.hash, "seq": head.seq}, sort_keys=True).encode() + b"\n"
        try:
            fd = self._open.get(incident)
            if fd is None:
                private_folder(self.folder, create=True)
                fd = open_nofollow(
                    path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | O_BINARY, "head record"
                )
                try:
                    check_file(fd, path, "head record")
                except BaseException:
                    os.close(fd)
                    raise
                self._open[incident] = fd
            write_all(fd, line)
        except OSError as exc:
            raise JournalError(
                f"cannot record the head in {path}: {exc.strerror or exc}; check the disk"
            ) from None

    def sync(self) -> None:
        """fsync every record written to since the last sync, and close it."""
        problems = []
        for incident, fd in list(self._open.items()):
            try:
                os.fsync(fd)
                new = incident not in self._synced
                if new:  # a new record's name must survive a power cut too
                    fsync_dir(self.folder)
                    self._synced.add(incident)
            except OSError as exc:
                problems.append(f"{self.path(incident)}: {exc.strerror or exc}")
            finally:
                os.close(fd)
                del self._open[incident]
        if problems:
            raise JournalError(f"cannot sync the head register ({'; '.join(problems)})")

    def last(self, incident: str) -> Head | None:
        path = self.path(incident)
        try:
            fd = open_nofollow(path, os.O_RDONLY | O_BINARY, "head record")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise JournalError(
                f"cannot read the head record {path}: {exc.strerror or exc}"
            ) from None
        try:
            check_file(fd, path, "head record")
            end = os.lseek(fd, 0, os.SEEK_END)
            data = b""
            start = end
            while start > 0 and data.count(b"\n") < 2:
                step = min(_BACK_STEP, start)
                start -= step
                os.lseek(fd, start, os.SEEK_SET)
                data = os.read(fd, step) + data
        finally:
            os.close(fd)
        # The last complete line: a power cut may have torn the one after it.
        lines = data.split(b"\n")[:-1]
        for raw in reversed(lines if start == 0 else lines[1:]):
            try:
                obj = json.loads(raw)
                return Head(int(obj["seq"]), str(obj["hash"]))
            except (ValueError, KeyError, TypeError):
                continue  # a damaged record line: an earlier one still says something
        return None

    def exists(self, incident: str) -> bool:
        """Whether heads were ever recorded for this id (an id once used is not used again)."""
        return os.path.lexists(self.path(incident))
