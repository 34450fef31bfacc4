"""The time zone an incident is shown in when nothing else says which.

An incident records its zone in its `opened` event; a journal from before that field (or one
whose first line is damaged) is shown in the default zone. Every layer asks here.
"""

from __future__ import annotations

DEFAULT_TIMEZONE = "Europe/Amsterdam"  # an IANA zone name: the Dutch services this tool is for


def zone_name(recorded: object) -> str:
    """The IANA zone name an incident recorded (the `timezone` field of its `opened` event), or
    DEFAULT_TIMEZONE when it recorded none (missing, None or empty). Not checked against the
    zone database: ZoneInfo(name) raises for an unknown one."""
    return str(recorded) if recorded else DEFAULT_TIMEZONE
