"""One writer per incident: an OS lock on the journal file itself, and who holds it.

The lock is taken on the open journal (``flock``; on Windows a byte-range lock far past any
content), so two paths to the same file can never give two writers, and it dies with its
process, so a killed writer never blocks the next one. Who holds it is written to
``writer.json`` beside the journal (replaced by a rename, never written through a link) for a
refused process to name; that file is information only, not the lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from draaiboek.journal.errors import JournalError, JournalLocked
from draaiboek.journal.files import O_BINARY, write_all
from draaiboek.journal.safety import open_nofollow

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

HOLDER_NAME = "writer.json"
# Windows locks are mandatory byte-range locks; lock a byte far past any journal's content so
# that readers are never blocked.
_WIN_LOCK_OFFSET = 0x7FFFFFF0
_HOLDER_MAX_BYTES = 64 * 1024


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


def unlock(fd: int) -> None:
    """Drop the lock taken on ``fd`` (closing ``fd`` does too)."""
    if sys.platform == "win32":
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)


def is_locked(fd: int) -> bool:
    """Whether another open file holds the lock of this file (ours is dropped again at once)."""
    if not _try_lock(fd):
        return True
    unlock(fd)
    return False


def read_holder(folder: Path) -> dict[str, str]:
    """Who holds the lock of the journal in ``folder``, as written by :func:`lock`; {} when
    unknown (not written yet, or unreadable)."""
    try:
        fd = open_nofollow(folder / HOLDER_NAME, os.O_RDONLY | O_BINARY, "writer details")
    except (OSError, JournalError):
        return {}
    try:
        raw = os.read(fd, _HOLDER_MAX_BYTES)
    except OSError:
        return {}
    finally:
        os.close(fd)
    try:
        obj = json.loads(raw.decode("utf-8"))
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in obj.items()} if isinstance(obj, dict) else {}


def locked_message(holder: Mapping[str, str]) -> str:
    """The one line saying who walks the incident, from the holder's details."""
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


def lock(fd: int, folder: Path, holder: Mapping[str, str]) -> None:
    """Take the writer lock on the open journal ``fd`` in ``folder`` and record ``holder``.

    Raises :class:`JournalLocked` (naming the holder) when another process has it, and
    :class:`JournalError` when the lock cannot be taken at all.
    """
    try:
        got = _try_lock(fd)
    except OSError as exc:
        raise JournalError(
            f"cannot lock the journal in {folder}: {exc.strerror or exc}; the incident folder "
            "must be on a local disk"
        ) from None
    if not got:
        current = read_holder(folder)
        raise JournalLocked(locked_message(current), current)
    text = json.dumps({str(k): str(v) for k, v in holder.items()}, ensure_ascii=False)
    temp = folder / f".{HOLDER_NAME}.{os.getpid()}.tmp"
    # Information only: a failure to write it must not stop the walk.
    with contextlib.suppress(OSError, JournalError):
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()  # left over by a writer with our pid that was killed
        out = open_nofollow(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_BINARY, "writer details")
        try:
            write_all(out, text.encode("utf-8"))
        finally:
            os.close(out)
        os.replace(temp, folder / HOLDER_NAME)  # replaces a link by the file; never follows it


def clear_holder(folder: Path) -> None:
    """Remove the holder's details (while still holding the lock, so nobody reads stale ones)."""
    with contextlib.suppress(OSError):
        os.unlink(folder / HOLDER_NAME)
