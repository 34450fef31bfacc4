"""Owner-only folders and files, checked on every open, as ssh checks its folder.

The home, ``incidents/``, ``heads/`` and every incident folder are 0700; journals, stored copies
and head records 0600. A folder another user owns or can write to is refused (someone else could
have put a forged incident there); one that others can only read (0755, as an earlier version
made the home) is tightened to 0700 with a notice. No file is opened through a symbolic link.

On Windows there are no POSIX owners and modes: only the symbolic-link and regular-file checks
apply there (the README says so).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from draaiboek.journal.errors import JournalError
from draaiboek.journal.files import fsync_dir

O_NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
O_CLOEXEC: int = getattr(os, "O_CLOEXEC", 0)
POSIX = sys.platform != "win32"


def current_user() -> int:
    """The user whose files these must be (the effective uid); -1 where there is none."""
    return os.geteuid() if POSIX else -1


def _owner_problem(info: os.stat_result) -> str:
    user = current_user()
    if user >= 0 and info.st_uid != user:
        return f"it belongs to user id {info.st_uid}, not to you (user id {user})"
    return ""


def private_folder(path: Path, *, create: bool, may_be_link: bool = False) -> str | None:
    """Make sure ``path`` is a folder only you can use; create it (0700) when ``create``.

    Returns a one-line notice when it had to take read access away from others (0755 -> 0700),
    else None. Raises JournalError naming the folder and what to do when it is missing (and not
    ``create``), not a folder, a symbolic link (unless ``may_be_link``: then its target is
    checked), owned by another user, or writable by others.
    """
    path = Path(path)
    try:
        if create and not os.path.lexists(path):
            make_folders(path)
        info = os.stat(path) if may_be_link else os.lstat(path)
    except FileNotFoundError:
        raise JournalError(f"{path} does not exist; check the path") from None
    except OSError as exc:
        raise JournalError(
            f"cannot use folder {path}: {exc.strerror or exc}; check the path and its permissions"
        ) from None
    if stat.S_ISLNK(info.st_mode):
        raise JournalError(
            f"{path} is a symbolic link; an incident folder must be a real folder, so that nobody "
            "can point it elsewhere -- replace the link by the folder itself"
        )
    if not stat.S_ISDIR(info.st_mode):
        raise JournalError(f"{path} is not a folder; check the path")
    if not POSIX:
        return None
    problem = _owner_problem(info)
    if problem:
        raise JournalError(
            f"refusing folder {path}: {problem}; incidents must be in a folder of your own"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:
        raise JournalError(
            f"refusing folder {path}: others can write to it (mode {mode:04o}), so an incident in "
            "it could have been replaced; check its contents, then make it yours only with "
            f"'chmod 700 {path}'"
        )
    if mode & 0o077:
        try:
            os.chmod(path, 0o700)
        except OSError as exc:
            raise JournalError(
                f"cannot make {path} private (mode {mode:04o}): {exc.strerror or exc}; run "
                f"'chmod 700 {path}'"
            ) from None
        return f"{path} was readable by others (mode {mode:04o}); it is now yours only (0700)"
    return None


def make_folders(path: Path) -> None:
    """Create ``path`` and its missing parents, each 0700 whatever the umask, and sync each new
    entry into its parent so that it survives a power cut. Raises OSError."""
    missing: list[Path] = []
    here = Path(path)
    while not os.path.lexists(here) and here != here.parent:
        missing.append(here)
        here = here.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue  # made by another process just now: checked by the caller like any other
        os.chmod(folder, 0o700)  # the umask may have taken bits away; 0700 is meant
        fsync_dir(folder.parent)


def check_file(fd: int, path: Path, what: str) -> None:
    """Refuse the open file ``fd`` (found at ``path``) unless it is a regular file with one link
    that belongs to you and that others cannot write; tighten a readable one to 0600.

    ``what`` names it in the message ("journal", "head record"). Raises JournalError.
    """
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise JournalError(f"refusing {what} {path}: it is not a regular file")
    if info.st_nlink != 1:
        raise JournalError(
            f"refusing {what} {path}: it has {info.st_nlink} names (hard links), so another "
            "incident could be writing the same file; keep the folder as evidence and start a new "
            "incident"
        )
    if not POSIX:
        return
    problem = _owner_problem(info)
    if problem:
        raise JournalError(f"refusing {what} {path}: {problem}")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:
        raise JournalError(
            f"refusing {what} {path}: others can write to it (mode {mode:04o}); keep the folder "
            "as evidence and start a new incident"
        )
    if mode & 0o077:
        os.fchmod(fd, 0o600)


def open_nofollow(path: Path, flags: int, what: str, mode: int = 0o600) -> int:
    """``os.open`` that never follows a symbolic link at ``path`` itself; JournalError (one
    line, naming ``what``) when ``path`` is a link. Other OSErrors propagate."""
    if not O_NOFOLLOW and os.path.islink(path):  # Windows: no O_NOFOLLOW; check first
        raise JournalError(f"refusing {what} {path}: it is a symbolic link")
    try:
        return os.open(path, flags | O_NOFOLLOW | O_CLOEXEC, mode)
    except OSError as exc:
        if os.path.islink(path):  # ELOOP (Linux) or EMLINK (FreeBSD), whatever the platform says
            raise JournalError(
                f"refusing {what} {path}: it is a symbolic link, and a journal is never written "
                "or read through one; keep the folder as evidence and start a new incident"
            ) from None
        raise exc
