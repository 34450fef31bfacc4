"""Torn-tail recovery: the bytes of an incomplete last line are set aside, never dropped."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from draaiboek.journal.files import O_BINARY, fsync_dir, write_new_file


@dataclass(frozen=True)
class Recovery:
    """What opening a journal did with a torn last line: ``torn_bytes`` bytes, kept byte for
    byte in the incident folder as ``saved_as``, whose sha256 (hex) is ``sha256``."""

    torn_bytes: int
    saved_as: str
    sha256: str


def set_aside(folder: Path, journal: Path, tail: bytes, complete_size: int, seq: int) -> Recovery:
    """Copy ``tail`` to ``journal.torn-<seq>-<sha256 prefix>.bin`` (fsync'd, mode 0600), and
    only then cut it off ``journal`` at ``complete_size`` bytes. ``seq`` is the seq the torn
    line would have had (it names the copy). Raises OSError."""
    digest = hashlib.sha256(tail).hexdigest()
    counter = 0
    while True:
        name = f"journal.torn-{seq}-{digest[:12]}{'' if counter == 0 else f'-{counter}'}.bin"
        try:
            write_new_file(folder / name, tail)
            break
        except FileExistsError:
            counter += 1
    # The copy must be durable before the only other copy of those bytes is cut away.
    fsync_dir(folder)
    os.truncate(journal, complete_size)
    fd = os.open(journal, os.O_RDWR | O_BINARY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return Recovery(torn_bytes=len(tail), saved_as=name, sha256=digest)
