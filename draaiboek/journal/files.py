"""Where an incident's files are and how they are written durably (fsync, whole writes)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

JOURNAL_NAME = "journal.jsonl"

O_BINARY: int = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
O_NONBLOCK: int = getattr(os, "O_NONBLOCK", 0)  # POSIX: opening a FIFO for reading never waits


def journal_file(folder: Path) -> Path:
    """The journal file of the incident folder ``folder``."""
    return Path(folder) / JOURNAL_NAME


def folder_of(path: Path) -> Path | None:
    """The incident folder that ``path`` names: the folder itself when it holds a journal, the
    folder of a journal file, or None. Raises OSError only for an unusable path (too long...)."""
    path = Path(path)
    if path.name == JOURNAL_NAME and path.is_file():
        return path.parent
    if path.is_dir() and (path / JOURNAL_NAME).is_file():
        return path
    return None


def is_incident(folder: Path) -> bool:
    """Whether ``folder`` holds a journal (it may still be empty or damaged)."""
    return journal_file(folder).is_file()


def fsync_dir(path: Path) -> None:
    """Make the entries of folder ``path`` durable (a new or renamed file survives a power cut
    only once its folder is synced). A no-op on Windows, where NTFS journals metadata anyway and
    folders cannot be opened for this."""
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` (os.write may write less than asked); raises OSError."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_new_file(path: Path, content: bytes) -> None:
    """Create ``path`` (must not exist: FileExistsError) with mode 0600, write ``content`` and
    fsync it. The folder entry is not synced: call :func:`fsync_dir` for that."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_BINARY, 0o600)
    try:
        write_all(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
