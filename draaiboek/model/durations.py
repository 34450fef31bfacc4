"""Durations as runbooks write them (ISO 8601) and as people read them (T+ clocks, minutes).

The one home of every duration text: the walk, the report, the printout, the score and `diff`
use these, so that `PT15M`, `0:15:00`, `15 min` and "elk kwartier" always mean the same span.
Words come from the message catalogue (`duration.…` keys); nothing else is needed.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from draaiboek.model.catalogue import Messages

_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration in days, hours, minutes and seconds (`PT15M`, `P1DT2H`): the units
    the runbook schema allows. Raises ValueError for anything else (`P`, `PT`, `P1Y`, `15m`)."""
    match = _ISO.match(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The inverse of `parse_duration`, in whole seconds (`PT1H30M`, `P1D`, `PT0S`): how a
    duration is shown to authors and compared by `diff`."""
    seconds = int(value.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = "P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    clock += f"{seconds}S" if seconds else ""
    if clock or not days:
        text += "T" + (clock or "0S")
    return text


def format_clock(value: timedelta) -> str:
    """A span as hours, minutes and whole seconds, `H:MM:SS` (`0:15:00`, `26:03:09`): the T+ of
    the walk, the report and the score. Hours are not wrapped into days; a negative span (a
    clock that stepped back) shows as `0:00:00`, fractions of a second are dropped."""
    # Whole seconds from the parts (int(total_seconds()) without the float; same result).
    seconds = max(0, value.days * 86400 + value.seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, rest = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}"


def format_minutes(value: timedelta) -> str:
    """A span in minutes for paper (`15`, `90`, `7.5`): whole minutes without a fraction, else
    one decimal."""
    total = value.total_seconds() / 60
    return str(int(total)) if total == int(total) else f"{total:.1f}"


# Intervals with a word of their own ("elk kwartier", "every hour"): catalogue key suffixes.
_NAMED_INTERVALS = {900: "quarter", 1800: "half-hour", 3600: "hour", 60: "minute"}


def span_words(value: timedelta, messages: Messages) -> str:
    """A span in words in the messages' language, largest unit first and zero parts left out:
    "15 minuten" / "15 minutes", "1 uur en 30 minuten" / "1 hour 30 minutes", "2 dagen" /
    "2 days". Whole seconds; a span under a second (or negative) reads as "0 seconden"."""
    seconds = max(0, int(value.total_seconds()))
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    parts = [
        messages(f"duration.{unit}.{'one' if count == 1 else 'many'}", n=count)
        for unit, count in (
            ("day", days),
            ("hour", hours),
            ("minute", minutes),
            ("second", seconds),
        )
        if count
    ] or [messages("duration.second.many", n=0)]
    if len(parts) == 1:
        return parts[0]
    return messages("duration.and", first=", ".join(parts[:-1]), last=parts[-1])


def every_words(value: timedelta, messages: Messages) -> str:
    """A repeat interval in words: "elk kwartier" / "every 15 minutes", "elk uur" / "every
    hour", else "elke 10 minuten" / "every 10 minutes" (see `span_words`)."""
    named = _NAMED_INTERVALS.get(int(value.total_seconds()))
    if named is not None and value == timedelta(seconds=int(value.total_seconds())):
        return messages(f"duration.every.{named}")
    return messages("duration.every", span=span_words(value, messages))


def within_words(value: timedelta, messages: Messages) -> str:
    """A deadline span in words: "binnen 15 minuten" / "within 15 minutes"."""
    return messages("duration.within", span=span_words(value, messages))
