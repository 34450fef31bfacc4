"""Forwarding beside a walk: a thread fed each event once it is durable, that never delays or
fails a step.

`feed` only appends to a list and wakes the thread; everything that can block (connecting,
sending, waiting out an outage) happens in the thread. When the store cannot be reached the
events wait in memory and the thread retries with a growing pause; what is still waiting when
the walk ends is forwarded by the next walk or `draaiboek sync` (the journal has it all).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from draaiboek.services.national import acks, ingest
from draaiboek.services.national.chain import body_of
from draaiboek.services.national.connect import NationalError, connect, target_name
from draaiboek.services.national.forward import forward_incident

# Events after which the whole incident is forwarded from its journal rather than from memory:
# they name a runbook copy the store may not have yet.
_CATCH_UP_TYPES = frozenset({"opened", "called", "recovered"})


class Background:
    """One incident's forwarder thread. Start with `start()`, feed with `feed(event)` after each
    durable append, end with `stop(grace)` (seconds to wait for what is pending)."""

    def __init__(
        self,
        url: str,
        home: Path,
        folder: Path,
        *,
        station: str | None = None,
        timeout: float = 3,
        first_pause: float = 1.0,
        max_pause: float = 30.0,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.url, self.home, self.folder, self.station = url, Path(home), Path(folder), station
        self.timeout, self.first_pause, self.max_pause = timeout, first_pause, max_pause
        self.on_error = on_error
        self.pending: list[dict[str, Any]] = []
        self.stored = 0  # events the store acknowledged (as far as this thread knows)
        self.last_error: str | None = None
        self._wake = threading.Condition()
        self._stopping = False
        self._caught_up = False
        self._conn: Any = None
        self._role: str | None = None
        self._thread = threading.Thread(target=self._run, name="draaiboek-forward", daemon=True)

    def start(self) -> Background:
        self._thread.start()
        return self

    def feed(self, event: dict[str, Any]) -> None:
        """Queue a durable event. Never blocks on the network and never raises."""
        with self._wake:
            self.pending.append(event)
            if event.get("type") in _CATCH_UP_TYPES:
                self._caught_up = False
            self._wake.notify()

    def stop(self, grace: float = 1.0) -> int:
        """Ask the thread to finish; wait at most `grace` seconds. Returns how many events are
        still not forwarded (the next `sync` sends them)."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(grace)
        with self._wake:
            return len(self.pending)

    def idle(self) -> bool:
        with self._wake:
            return not self.pending

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        # Here, not in start(): a file written (and fsync'd) is no delay the walk may feel.
        with contextlib.suppress(OSError, NationalError):
            acks.mark_forwarding(self.home, self.folder.name, target_name(self.url))
        pause = self.first_pause
        while True:
            with self._wake:
                while not self.pending and not self._stopping:
                    self._wake.wait()
                if not self.pending:
                    break  # stopping, nothing left
                batch = list(self.pending)
            try:
                self._send(batch)
                pause = self.first_pause
                self.last_error = None
            except Exception as exc:  # any failure: keep the events, try again later
                self._close()
                self.last_error = str(exc) if isinstance(exc, NationalError) else repr(exc)
                if self.on_error is not None:
                    self.on_error(self.last_error)
                with self._wake:
                    if self._stopping:
                        break
                    self._wake.wait(pause)
                pause = min(self.max_pause, pause * 2)
        self._close()

    def _send(self, batch: list[dict[str, Any]]) -> None:
        if self._conn is None:
            self._conn = connect(self.url, timeout=self.timeout, autocommit=True)
            self._role = ingest.station_of(self._conn)
            if self.station is not None and self.station != self._role:
                raise NationalError(f"the database role forwards for {self._role!r}")
        with self._wake:
            caught_up = self._caught_up
        if not caught_up:
            result = forward_incident(
                self._conn,
                self.folder,
                station=str(self._role),
                home=self.home,
                target=target_name(self.url),
            )
            self._done(result.stored)
            with self._wake:
                self._caught_up = result.problem is None
            if result.problem is not None:
                raise NationalError(result.problem)
            return
        rows = []
        for event in batch:
            event_hash, body = body_of(event)
            rows.append(ingest.Row(self.folder.name, int(event["seq"]), event_hash, body))
        outcomes = ingest.send(self._conn, rows)
        stored = max((o.stored_seq for o in outcomes if o.stored_seq is not None), default=-1)
        self._done(stored + 1)
        problem = next((o.problem for o in outcomes if o.problem), None)
        if problem is not None:
            with self._wake:
                self._caught_up = False  # a gap: send from the journal next time
            raise NationalError(problem)
        last = batch[-1]
        if stored == last["seq"]:
            acks.write_ack(
                self.home, self.folder.name, acks.Ack(stored, last["hash"], target_name(self.url))
            )

    def _done(self, stored: int) -> None:
        with self._wake:
            self.stored = max(self.stored, stored)
            self.pending = [e for e in self.pending if int(e["seq"]) >= self.stored]

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                self._conn.close()
        self._conn = None
