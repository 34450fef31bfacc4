"""What a station knows the store holds, per incident: the last acknowledged seq and hash.

Kept in the home, outside the incident folders (``<home>/national/<incident>.json``, 0600 in a
0700 folder), written whole (temporary file, fsync, rename), so `incidents` and `status` can say
what is not yet forwarded without asking the database.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

FOLDER = "national"


@dataclass(frozen=True)
class Ack:
    """The store acknowledged events 0..seq of the incident, the last with this hash (seq -1
    and no hash: forwarding to `target` began, nothing is acknowledged yet)."""

    seq: int
    hash: str
    target: str  # which store (host:port/database), see connect.target_name

    @property
    def count(self) -> int:
        return self.seq + 1


def ack_path(home: Path, incident: str) -> Path:
    return Path(home) / FOLDER / f"{incident}.json"


def read_ack(home: Path, incident: str) -> Ack | None:
    """The last acknowledgement recorded for `incident`, or None (never forwarded, or unreadable:
    the next forward asks the store again, so nothing depends on this file being there)."""
    try:
        data = json.loads(ack_path(home, incident).read_text(encoding="utf-8"))
        return Ack(int(data["seq"]), str(data["hash"]), str(data["target"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_ack(home: Path, incident: str, ack: Ack) -> None:
    """Record `ack` for `incident` durably (an OSError is the caller's to report)."""
    folder = Path(home) / FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = ack_path(home, incident)
    temp = folder / f".{incident}.{os.getpid()}.tmp"
    text = json.dumps({"seq": ack.seq, "hash": ack.hash, "target": ack.target})
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(temp, target)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def mark_forwarding(home: Path, incident: str, target: str) -> None:
    """Record that `incident` is being forwarded to `target`, before the store acknowledged
    anything (nothing is written when an acknowledgement exists): from then on `incidents` and
    `status` count its events as not yet forwarded even if the store is never reached."""
    if read_ack(home, incident) is None:
        write_ack(home, incident, Ack(-1, "", target))


def not_forwarded(home: Path, incident: str, events: int) -> int:
    """How many of an incident's `events` the store has not acknowledged (all, if none were)."""
    ack = read_ack(home, incident)
    return max(0, events - (ack.count if ack else 0))


def pending(home: Path, incident: str, events: int, *, configured: bool = False) -> int | None:
    """What `incidents` and `status` say about forwarding: how many of the incident's `events`
    the store has not acknowledged, or None when there is nothing to say (the incident was
    never forwarded and no store is `configured`: a desk without a database sees no change)."""
    if not configured and read_ack(home, incident) is None:
        return None
    return not_forwarded(home, incident, events)
