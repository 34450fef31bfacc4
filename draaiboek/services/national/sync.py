"""`draaiboek sync`: forward every incident of a home (or one), once or over and over.

A station's identity comes from the database role it connects as; a station name given
locally (--station / DRAAIBOEK_STATION) must be the same, so credentials for the wrong
station are noticed before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draaiboek import journal
from draaiboek.journal.files import journal_file
from draaiboek.services.national import ingest
from draaiboek.services.national.connect import NationalError, connect, target_name
from draaiboek.services.national.forward import Forwarded, forward_incident


def incident_folders(home: Path) -> list[Path]:
    """Every incident folder of the home, oldest id first."""
    root = Path(home) / "incidents"
    if not root.is_dir():
        return []
    return sorted(folder for folder in root.iterdir() if journal.is_incident(folder))


@dataclass
class Syncer:
    """Forwards a home's incidents over one connection (opened on first use, again after a
    failure). `station` is the locally configured name, or None to take the role's."""

    url: str
    home: Path
    station: str | None = None
    timeout: float = 10
    _conn: Any = None
    _role_station: str | None = None
    _seen: dict[str, tuple[int, int]] = field(default_factory=dict)

    def connection(self) -> Any:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self.url, timeout=self.timeout, autocommit=True)
            try:
                self._role_station = ingest.station_of(self._conn)
            except NationalError:
                self.close()
                raise
            if self.station is not None and self.station != self._role_station:
                role = self._role_station
                self.close()
                raise NationalError(
                    f"this is station {self.station!r}, but the database role forwards for "
                    f"{role!r}: check the credentials (service or password file)"
                )
        return self._conn

    def forward(self, folder: Path) -> Forwarded:
        """Forward one incident; NationalError (and the connection closed) when it fails."""
        conn = self.connection()
        assert self._role_station is not None
        try:
            return forward_incident(
                conn,
                folder,
                station=self._role_station,
                home=self.home,
                target=target_name(self.url),
            )
        except NationalError:
            self.close()
            raise

    def changed(self, folder: Path) -> bool:
        """Whether the journal changed since the last successful pass (size, mtime)."""
        try:
            info = journal_file(folder).stat()
        except OSError:
            return False
        return self._seen.get(folder.name) != (info.st_size, info.st_mtime_ns)

    def mark(self, folder: Path) -> None:
        try:
            info = journal_file(folder).stat()
        except OSError:
            return
        self._seen[folder.name] = (info.st_size, info.st_mtime_ns)

    def run_once(self, folders: list[Path], only_changed: bool = False) -> Iterator[Forwarded]:
        """Forward each folder (those changed since the last pass, with `only_changed`)."""
        for folder in folders:
            if only_changed and not self.changed(folder):
                continue
            result = self.forward(folder)
            if result.problem is None:
                self.mark(folder)
            yield result

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None


def watch(
    syncer: Syncer,
    folders: Callable[[], list[Path]],
    report: Callable[[Forwarded | NationalError], None],
    sleep: Callable[[float], None],
    *,
    interval: float = 2.0,
    max_backoff: float = 30.0,
    rounds: int | None = None,
) -> None:
    """Forward changed incidents every `interval` seconds, for ever (or `rounds` times).

    A failure is reported and retried after a growing pause (up to `max_backoff` seconds);
    the sleep function is passed in, so tests run it without waiting.
    """
    pause = interval
    done = 0
    while rounds is None or done < rounds:
        done += 1
        try:
            for result in syncer.run_once(folders(), only_changed=True):
                if result.sent or result.problem:
                    report(result)
            pause = interval
        except NationalError as error:
            report(error)
            pause = min(max_backoff, pause * 2)
        sleep(pause)
