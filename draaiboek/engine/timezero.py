"""Time zero: the moment of the first signal, from what a duty officer types.

A runbook names the input step that records the first signal (`Runbook.time_zero`). Its answer
(or a later correction, `/nul HH:MM`) is read here into an aware UTC datetime, and logged as a
`time-zero` event so that a replay gets exactly the same moment. Until one is logged, the
incident's clock starts at its `opened` event (`WalkState.time_zero`).

What counts as a time: `HH:MM` or `H:MM` (its most recent occurrence at or before now in the
incident's time zone: yesterday when today's is still to come), or an ISO 8601 date-time (as
given; without an offset, local in the incident's zone). A local time that does not exist (the
hour skipped when summer time starts) is refused; one that exists twice (the hour repeated when
it ends) is `Ambiguous` when both occurrences are past, and the answer has to say which
(`fold`: 0 the first, summer time; 1 the second). A date-time after now is refused. Like the
rest of the engine, nothing here reads the clock: `now` is passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from draaiboek.engine.inputs import Rejected

_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


class Ambiguous(Rejected):
    """A local time that happened twice (the hour repeated when summer time ends): `choices`
    are both occurrences (aware, in the incident's zone), the first one first. The answer is
    asked again with `fold` 0 (the first) or 1 (the second)."""

    def __init__(self, text: str, choices: tuple[datetime, datetime]) -> None:
        super().__init__("time-zero-ambiguous", text)
        self.choices = choices


@dataclass(frozen=True)
class TimeZero:
    """A time zero read from typed text: `at` in UTC, `local` the same moment in the zone."""

    at: datetime
    local: datetime

    def fields(self) -> dict[str, Any]:
        """The `time-zero` event's time fields: UTC and local ISO 8601, with microseconds as
        every `at` in the journal."""
        return {
            "time_zero": self.at.isoformat(timespec="microseconds"),
            "local": self.local.isoformat(timespec="microseconds"),
        }


def read_time_zero(text: str, now: datetime, zone: tzinfo, fold: int | None = None) -> TimeZero:
    """The moment `text` names, seen at `now` (aware) in `zone` (see the module docstring).

    Raises Rejected: "time-zero-form" (not a time), "time-zero-gap" (a local time the zone
    skips), "time-zero-future" (after now); Ambiguous when `fold` is None and the local time
    happened twice before now.
    """
    typed = text.strip()
    clock = _CLOCK.match(typed)
    if clock is not None:
        wanted = time(int(clock.group(1)), int(clock.group(2)))
        today = now.astimezone(zone).date()
        moment = _latest_past(today, wanted, now, zone, fold, typed)
    else:
        moment = _date_time(typed, zone, fold)
        if moment > now:
            raise Rejected("time-zero-future", typed)
    return TimeZero(moment.astimezone(UTC), moment.astimezone(zone))


def _latest_past(
    today: date, wanted: time, now: datetime, zone: tzinfo, fold: int | None, typed: str
) -> datetime:
    """The latest occurrence of a wall-clock time at or before `now`: today's, else
    yesterday's (when today's is still to come)."""
    for day in (today, today - timedelta(days=1)):
        wall = datetime.combine(day, wanted)
        found = _occurrences(wall, zone)
        if not found:
            if day == today and wall.replace(tzinfo=zone).astimezone(UTC) > now:
                continue  # skipped today, and still to come anyway: yesterday's is meant
            raise Rejected("time-zero-gap", typed)
        past = [moment for moment in found if moment <= now]
        if len(past) == 2:
            if fold is None:
                raise Ambiguous(typed, (past[0], past[1]))
            return past[1 if fold else 0]
        if past:
            return past[0]
    raise Rejected("time-zero-future", typed)  # not reached: yesterday's is always past


def _date_time(typed: str, zone: tzinfo, fold: int | None) -> datetime:
    try:
        given = datetime.fromisoformat(typed)
    except ValueError:
        raise Rejected("time-zero-form", typed) from None
    if "T" not in typed.upper() and " " not in typed:
        raise Rejected("time-zero-form", typed)  # a date alone is not a moment
    if given.tzinfo is not None:
        return given
    found = _occurrences(given, zone)
    if not found:
        raise Rejected("time-zero-gap", typed)
    if len(found) == 2:
        if fold is None:
            raise Ambiguous(typed, (found[0], found[1]))
        return found[1 if fold else 0]
    return found[0]


def _occurrences(wall: datetime, zone: tzinfo) -> list[datetime]:
    """Every moment at which the clocks in `zone` showed `wall` (a naive date-time), earliest
    first: none in a skipped hour, two in a repeated one, else one."""
    found: list[datetime] = []
    for fold in (0, 1):
        moment = wall.replace(tzinfo=zone, fold=fold)
        exists = moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
        if exists and all(other.utcoffset() != moment.utcoffset() for other in found):
            found.append(moment)
    return sorted(found, key=lambda moment: moment.astimezone(UTC))


def is_summer_time(moment: datetime) -> bool:
    """Whether `moment` (aware) falls in its zone's daylight saving time."""
    offset = moment.dst()
    return bool(offset)
