"""What killed starts leave behind, and clearing it: hidden incidents being built by processes
that died before their first event, and incident folders an earlier version made before its
first event. Used by the writer when it creates an incident (see writer.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import sys
from pathlib import Path

from draaiboek.journal import lock
from draaiboek.journal.errors import JournalError
from draaiboek.journal.files import JOURNAL_NAME
from draaiboek.journal.safety import open_nofollow

_NEW = re.compile(r"^\.(?P<name>.+)\.new-(?P<pid>\d+)-[0-9a-f]+$")
# What a start cut off by an earlier version can leave in an incident folder without events.
_REMAINS = re.compile(r"^(journal\.jsonl|writer\.lock|writer\.json|[0-9a-f]{64}\.\w+|\..+\.tmp)$")


def remove_tree(folder: Path) -> None:
    """Remove a folder the writer made and nothing else refers to (a temporary one)."""
    shutil.rmtree(folder, ignore_errors=True)


def sweep(parent: Path) -> None:
    """Remove incidents being built by processes that died before their first event (hidden
    ``.<id>.new-<pid>-<random>`` folders): their journal is unlocked, or they have none and
    their process is gone. Only on POSIX, where both can be told."""
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            found = _NEW.match(entry.name)
            if found is None or not entry.is_dir(follow_symlinks=False):
                continue
            try:
                fd = open_nofollow(Path(entry.path) / JOURNAL_NAME, os.O_RDONLY, "journal")
            except FileNotFoundError:
                if not _alive(int(found["pid"])):
                    remove_tree(Path(entry.path))
                continue
            except (OSError, JournalError):
                continue
            try:
                dead = not lock.is_locked(fd)
            except OSError:
                dead = False
            finally:
                os.close(fd)
            if dead:
                remove_tree(Path(entry.path))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def clear_remains(folder: Path) -> bool:
    """Clear ``folder`` if it is what a start cut off before its first event left (an earlier
    version made the folder first): only known files, an empty or missing journal, and nobody
    writing. True when cleared (or gone meanwhile)."""
    try:
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode):
            return False
        names = os.listdir(folder)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if not all(_REMAINS.match(name) for name in names):
        return False
    if JOURNAL_NAME in names:
        try:
            fd = open_nofollow(folder / JOURNAL_NAME, os.O_RDONLY, "journal")
        except (OSError, JournalError):
            return False
        try:
            if os.fstat(fd).st_size != 0 or lock.is_locked(fd):
                return False
        finally:
            os.close(fd)
    remove_tree(folder)
    return not os.path.lexists(folder)
