"""Whether an incident can be trusted: its home is yours only, its journal verifies, its head
agrees with the head register, and the runbook copies it names are unchanged.

Two depths: `check_incident` costs the same however long the journal is (the last event's own
hash and the head register), for readers that show an incident (status, incidents); and
`verify_incident` checks everything (the whole chain, the register, every stored copy), for
`verify` and `report`.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draaiboek import journal
from draaiboek.journal import Head, HeadRegister, JournalError, VerifyResult

# Events that name a file stored beside the journal by its sha256.
COPY_EVENTS = ("opened", "called", "exercise")


class UnsafeHome(Exception):
    """The home (or its incidents folder) is not yours only; the message is one line."""


def open_home(home: Path, *, create: bool) -> list[str]:
    """Check the incident home and its ``incidents/`` folder (creating them 0700 when
    ``create``): yours only, as ssh checks its folder. Returns one-line notices for folders
    that were readable by others and are now 0700 (made by an earlier version). Raises
    UnsafeHome when a folder belongs to someone else or others can write to it."""
    notices: list[str] = []
    root = Path(home) / "incidents"
    try:
        if create or os.path.lexists(home):
            notice = journal.private_folder(home, create=create, may_be_link=True)
            notices += [notice] if notice else []
        if create or os.path.lexists(root):
            notice = journal.private_folder(root, create=create)
            notices += [notice] if notice else []
    except JournalError as exc:
        raise UnsafeHome(str(exc)) from None
    return notices


def head_register(home: Path) -> HeadRegister:
    """The head register of the incidents in ``home``: a witness outside every incident."""
    return HeadRegister(home)


@dataclass(frozen=True)
class IncidentCheck:
    """The outcome of checking an incident. ``ok`` when nothing is wrong; ``problems`` are
    one-line reasons (English, for logs and JSON); ``journal`` is the full verification when it
    was done; ``head`` is the journal's head as found; ``copies_changed`` the stored files whose
    content does not match the sha256 the journal names (or that are missing)."""

    ok: bool
    head: Head | None
    problems: list[str] = field(default_factory=list)
    journal: VerifyResult | None = None
    copies_changed: list[str] = field(default_factory=list)
    cut: bool = False  # the journal is shorter than, or differs from, a head recorded before
    register_problems: list[str] = field(default_factory=list)  # the register is unreadable


def witnessed_head(home: Path | None, folder: Path) -> tuple[Head | None, list[str]]:
    """The head the register of ``home`` recorded for the incident in ``folder`` (None when
    ``home`` is None or nothing was recorded), and why it could not be read ([] if it could).
    Read it before the journal (see journal.check_head)."""
    if home is None:
        return None, []
    try:
        return head_register(home).last(folder.name), []
    except (JournalError, ValueError) as exc:
        return None, [f"the head register cannot be read: {exc}"]


def check_incident(folder: Path, home: Path | None) -> IncidentCheck:
    """The cheap check: the last event's own hash, and the head register of ``home`` (None:
    not looked at). Never raises for what it finds; JournalError only when the journal cannot
    be read at all."""
    witnessed, problems = witnessed_head(home, folder)  # before the journal: see check_head
    found = journal.check_head(folder, witnessed)
    if not found.ok:
        problems.append(found.reason)
    cut = not found.ok and found.head is not None and witnessed is not None
    return IncidentCheck(not problems, found.head, problems, cut=cut)


def verify_incident(
    folder: Path, home: Path | None, events: Iterable[Mapping[str, Any]] | None = None
) -> IncidentCheck:
    """Everything: the whole chain and the head register (journal.verify), and every stored
    copy named by an ``opened``, ``called`` or ``exercise`` event (its bytes must have the
    sha256 the event names). ``events`` are the copy-naming events when the caller has them
    already. Raises JournalError only when the journal cannot be read at all."""
    witnessed, register = witnessed_head(home, folder)
    problems = list(register)
    result = journal.verify(folder, witnessed)
    if not result.ok:
        problems.append(
            f"line {result.broken_line} (seq {result.broken_seq}): {result.reason}"
            if result.broken_line is not None
            else result.reason
        )
    named = events if events is not None else journal.of_types(folder, COPY_EVENTS)
    changed = changed_copies(folder, named)
    problems += [f"the stored copy {name} is missing or changed" for name in changed]
    return IncidentCheck(not problems, result.head, problems, result, changed, result.cut, register)


def changed_copies(folder: Path, events: Iterable[Mapping[str, Any]]) -> list[str]:
    """The names of stored copies (``<sha256>.yaml`` beside the journal) that these events name
    but that are missing, not a regular file of their own, or whose content has another sha256."""
    changed: list[str] = []
    for event in events:
        if event.get("type") not in COPY_EVENTS:
            continue
        sha256 = event.get("sha256")
        if not isinstance(sha256, str):
            continue
        name = f"{sha256}.yaml"
        if name in changed:
            continue
        if _sha256_of(folder / name) != sha256:
            changed.append(name)
    return changed


def _sha256_of(path: Path) -> str | None:
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            return None  # a link or something else where a copy belongs
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
