"""What the journal raises: one error class for "cannot continue", and its two special cases."""

from __future__ import annotations

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
