"""An exercise: a scenario's runbook walked on a simulated clock, with its injects logged.

`start_exercise` opens the incident in exercise mode on the scenario's clock, keeps the
scenario file beside the journal and logs the `exercise` event; `InjectDelivery` logs each
inject when its simulated time comes, from a timer thread while the trainee reads or types and
from the walk before each question. How an inject looks is the caller's (`shown`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from draaiboek.load.documents import Document
from draaiboek.load.scenario import Inject, Scenario
from draaiboek.model.runbook import Runbook
from draaiboek.services.session import Session
from draaiboek.services.simclock import DueQueue, SimClock, Ticker

# An inject was logged: (its message in the walk's language, the logged event, whether it
# came from the timer while a question waited).
Shown = Callable[[str, dict[str, Any], bool], None]
# A delivery is over: (how many injects it logged, whether the timer delivered them).
Delivered = Callable[[int, bool], None]


def exercise_incident_id(scenario: Scenario, local_now: datetime, tail: str) -> str:
    """`oefening-<scenario>-<YYYYmmdd-HHMM>-<tail>`: an exercise is never mistaken for a live
    incident in a list, and sorts by when it was played (`local_now`, wall-clock time)."""
    return f"oefening-{scenario.id}-{local_now:%Y%m%d-%H%M}-{tail}"


def exercise_fields(scenario: Scenario, speed: float, lang: str) -> dict[str, Any]:
    """The `exercise` event, right after `opened`: which scenario, how fast, from when; the
    scenario file is kept in the incident folder as `<sha256>.yaml` (see scenario_for_incident)."""
    return {
        "scenario": scenario.id,
        "scenario_version": scenario.version,
        "title": scenario.title.get(lang),
        "runbook": scenario.runbook,
        "speed": speed,
        "start": scenario.start.isoformat(),
        "sha256": scenario.sha256,
    }


def start_exercise(
    home: Path,
    scenario: Scenario,
    document: Document,
    runbook: Runbook,
    runbooks: Mapping[str, Runbook],
    *,
    operator: str,
    lang: str,
    speed: float,
    real: Callable[[], float],
    station: str | None = None,
) -> tuple[Session, SimClock]:
    """Open an exercise incident under the incident home `home` and its simulated clock
    (`speed` simulated seconds per second of `real`, a monotonic clock in seconds); `station`,
    when given, is recorded in `opened` (the national picture's station).

    Raises IncidentError when the incident cannot be opened (see Session.start).
    """
    import secrets

    from draaiboek.engine.decide import Draft

    clock = SimClock(scenario.start, speed, real)
    session = Session.start(
        home,
        runbook,
        runbooks,
        operator=operator,
        clock=clock.now,
        mode="exercise",
        incident_id=exercise_incident_id(scenario, datetime.now(), secrets.token_hex(2)),
        lang=lang,
        station=station,
    )
    session.journal.store_file(document.raw)
    session.log(Draft("exercise", exercise_fields(scenario, speed, lang)))
    return session, clock


class InjectDelivery:
    """Logs each inject of `queue` once when its simulated time comes, and has it shown: from
    a daemon thread (`ticker`, every `tick` real seconds) while the trainee reads or types, and
    from `deliver()` before each question (so piped runs get them deterministically). The
    caller starts and stops the ticker and raises `ticker.error` when it ended in one;
    `delivered`, when given, hears after each delivery how many injects it logged."""

    def __init__(
        self,
        session: Session,
        clock: SimClock,
        queue: DueQueue[Inject],
        lang: str,
        shown: Shown,
        tick: float,
        delivered: Delivered | None = None,
    ) -> None:
        self.session, self.clock, self.queue = session, clock, queue
        self.lang, self.shown, self.delivered = lang, shown, delivered
        self.ticker = Ticker(lambda: self.deliver(waiting=True), tick, "draaiboek-injects")

    def deliver(self, waiting: bool = False) -> int:
        """Log and show the injects that are due; how many. None once the walk is closed or
        paused, nor from the timer once it is stopped."""
        from draaiboek.engine.decide import Draft

        with self.session.lock:  # never between an answer and the step it leads to
            state = self.session.state
            if state.closed or state.paused or (waiting and self.ticker.stopped.is_set()):
                return 0
            due = self.queue.take(self.clock.now())
            for inject in due:
                message = inject.message.get(self.lang)
                event = self.session.log(Draft("inject", {"id": inject.id, "message": message}))
                self.shown(message, event, waiting)
        if self.delivered is not None:  # outside the lock: the walk may go on meanwhile
            self.delivered(len(due), waiting)
        return len(due)
