"""One writer per incident: an OS lock that dies with its process, and who holds it."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from draaiboek.journal.errors import JournalError, JournalLocked
from draaiboek.journal.files import LOCK_NAME, O_BINARY, write_all

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

# Windows locks are mandatory byte-range locks; lock a byte far past the holder text so that a
# refused process can still read who holds the lock.
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


def acquire(folder: Path, holder: Mapping[str, str]) -> int:
    """Take the writer lock of ``folder`` and record ``holder`` in it; returns the lock fd.

    Raises :class:`JournalLocked` (naming the holder) when another process has it, and
    :class:`JournalError` when the lock cannot be taken at all.
    """
    lock_path = folder / LOCK_NAME
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | O_BINARY, 0o600)
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
            raise JournalLocked(locked_message(current), current)
        text = json.dumps(
            {str(k): str(v) for k, v in holder.items()}, ensure_ascii=False, sort_keys=True
        )
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        write_all(fd, text.encode("utf-8"))
    except BaseException:
        os.close(fd)  # closing also drops a lock we may have taken
        raise
    return fd


def release(fd: int) -> None:
    """Clear the holder's details and drop the lock (closing ``fd``)."""
    try:
        # Clear the holder while still holding the lock, so nobody reads stale details.
        os.ftruncate(fd, 0)
        _unlock(fd)
    except OSError:
        pass  # closing the fd below releases the lock in any case
    finally:
        os.close(fd)
