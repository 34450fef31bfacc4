"""What the journal raises: one error class for "cannot continue", and its two special cases."""

from __future__ import annotations

import errno
from collections.abc import Mapping
from typing import Any


class JournalError(Exception):
    """Cannot continue; ``str(exc)`` is a one-line message for the user saying what to do."""


class JournalLocked(JournalError):
    """Another process is the writer of this incident; ``holder`` says who (may be empty)."""

    holder: dict[str, str]

    def __init__(self, message: str, holder: Mapping[str, str]) -> None:
        super().__init__(message)
        self.holder = dict(holder)

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle as cls(*args); keep the extra attribute across process boundaries.
        return (type(self), (str(self), self.holder))


class JournalDamaged(JournalError):
    """A complete line does not parse, or (for writers) the hash chain is broken at ``line``
    (1-based)."""

    line: int

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.line))


_KINDS = {
    errno.ENOSPC: "full",
    getattr(errno, "EDQUOT", -1): "full",  # not on Windows
    errno.EFBIG: "full",
    errno.EROFS: "read-only",
    errno.EIO: "io",
    errno.EACCES: "permission",
    errno.EPERM: "permission",
}


class JournalStorageError(JournalError):
    """The disk refused to store something: ``kind`` is "full" (no space, quota, file too big),
    "read-only", "io" (an I/O error), "permission" or "other"; ``strerror`` is the system's
    words. Nothing half-written is left in the journal."""

    kind: str
    strerror: str

    def __init__(self, message: str, kind: str, strerror: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.strerror = strerror

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.kind, self.strerror))

    @classmethod
    def of(cls, exc: OSError, doing: str, advice: str) -> JournalStorageError:
        """From the OSError of ``doing`` (e.g. "writing to journal X"), with ``advice``."""
        kind = _KINDS.get(exc.errno or 0, "other")
        words = exc.strerror or str(exc)
        return cls(f"{doing} failed ({words}); {advice}", kind, words)
