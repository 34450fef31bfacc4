"""Local times that cannot be misread: with their zone where a day has a clock change.

In the autumn night the hour 02:00-03:00 happens twice: "02:50" then "02:10" is ambiguous
without saying which of the two it was. Wherever a local day contains a DST change, times of
that day carry the zone's abbreviation (CEST, CET); a report's header always does, with the
offset. Pure functions: the moment and the zone are passed in.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

_DATE_TIME = "%Y-%m-%d %H:%M:%S"


@lru_cache(maxsize=256)
def _changes(day: date, zone: tzinfo) -> bool:
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.utcoffset() != end.utcoffset()


def clock_changes(moment: datetime, zone: tzinfo) -> bool:
    """Whether the local day (in ``zone``) of the aware ``moment`` has a DST change."""
    return _changes(moment.astimezone(zone).date(), zone)


def wall_time(moment: datetime, zone: tzinfo, fmt: str = "%H:%M:%S") -> str:
    """The aware ``moment`` in ``zone`` as ``fmt``, followed by the zone's abbreviation
    ("02:10:00 CET") when its day has a DST change."""
    local = moment.astimezone(zone)
    if fmt == _DATE_TIME and local.year >= 1000:  # a report's every row: isoformat is quicker
        text = local.isoformat(" ", "seconds")[:19]
    else:
        text = local.strftime(fmt)
    return f"{text} {local.strftime('%Z')}" if _changes(local.date(), zone) else text


def wall_time_with_offset(moment: datetime, zone: tzinfo, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """The aware ``moment`` in ``zone`` as ``fmt`` with abbreviation and UTC offset, always
    ("2025-10-26 02:10:00 CET (+01:00)"): for a report's header."""
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local.strftime(fmt)} {local.strftime('%Z')} ({offset[:3]}:{offset[3:]})"
