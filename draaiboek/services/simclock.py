"""A simulated clock for exercises: the scenario's start time, running at a chosen speed.

The real time source is passed in (`time.monotonic` by default), so a test drives the clock by
hand and an exercise of three hours can be played in ten minutes. `now` is what a Session takes
as its clock: every journal event of an exercise carries simulated time.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Generic, Protocol, TypeVar


class SimClock:
    """`now()` = start_sim + (real() - real0) * speed, as an aware UTC datetime."""

    def __init__(
        self,
        start_sim: datetime,
        speed: float = 1.0,
        real: Callable[[], float] = time.monotonic,
    ) -> None:
        if start_sim.tzinfo is None or start_sim.utcoffset() is None:
            raise ValueError("the simulated start must carry its UTC offset")
        if not math.isfinite(speed) or speed <= 0:
            raise ValueError(f"speed must be a positive number, not {speed!r}")
        self.start_sim = start_sim.astimezone(UTC)
        self.speed = float(speed)
        self.real = real
        self.real0 = real()

    def elapsed(self) -> timedelta:
        """Simulated time since the start (never negative, even if `real` steps back)."""
        seconds = max(0.0, (self.real() - self.real0) * self.speed)
        return timedelta(seconds=seconds)

    def now(self) -> datetime:
        return self.start_sim + self.elapsed()

    def real_seconds_until(self, moment: datetime) -> float:
        """Real seconds until the simulated clock shows `moment` (0 when it already has)."""
        ahead = (moment - self.now()).total_seconds()
        return max(0.0, ahead / self.speed)


class Timed(Protocol):
    @property
    def at(self) -> timedelta: ...


T = TypeVar("T", bound=Timed)


class DueQueue(Generic[T]):
    """Hands out each item once, when the clock has reached start + item.at. Thread-safe: an
    exercise's timer thread and its prompt loop both ask for the injects that are due."""

    def __init__(self, start: datetime, items: Iterable[T]) -> None:
        self.start = start
        self._lock = threading.Lock()
        self._pending = sorted(items, key=lambda item: item.at)

    def take(self, now: datetime) -> list[T]:
        with self._lock:
            due = [item for item in self._pending if self.start + item.at <= now]
            self._pending = self._pending[len(due) :]
            return due

    def next_at(self) -> datetime | None:
        with self._lock:
            return self.start + self._pending[0].at if self._pending else None


class Ticker:
    """Calls `tick` every `interval` real seconds on a daemon thread until stopped; the first
    exception ends the thread and is kept in `error` for the caller to raise."""

    def __init__(self, tick: Callable[[], object], interval: float, name: str = "ticker") -> None:
        self.tick = tick
        self.interval = interval
        self.stopped = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.tick()
            except Exception as exc:
                self.error = exc
                return

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=10)
