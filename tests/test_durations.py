"""The one duration formatter (model/durations.py) and the one default time zone."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from draaiboek.model.durations import format_clock, format_minutes
from draaiboek.model.timezone import DEFAULT_TIMEZONE, zone_name

PACKAGE = Path(__file__).resolve().parent.parent / "draaiboek"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(0), "0:00:00"),
        (timedelta(minutes=15), "0:15:00"),
        (timedelta(hours=26, minutes=3, seconds=9), "26:03:09"),  # hours are not days
        (timedelta(seconds=59, milliseconds=900), "0:00:59"),  # fractions are dropped
        (timedelta(seconds=-5), "0:00:00"),  # a clock that stepped back
        (timedelta(days=-1, hours=23), "0:00:00"),
    ],
)
def test_format_clock(value: timedelta, expected: str) -> None:
    assert format_clock(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(minutes=15), "15"),
        (timedelta(hours=1, minutes=30), "90"),
        (timedelta(minutes=7, seconds=30), "7.5"),
        (timedelta(seconds=20), "0.3"),
        (timedelta(0), "0"),
    ],
)
def test_format_minutes(value: timedelta, expected: str) -> None:
    assert format_minutes(value) == expected


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        (None, DEFAULT_TIMEZONE),
        ("", DEFAULT_TIMEZONE),
        ("UTC", "UTC"),
        ("America/Curacao", "America/Curacao"),
    ],
)
def test_zone_name(recorded: object, expected: str) -> None:
    assert zone_name(recorded) == expected


def test_the_default_zone_exists() -> None:
    assert ZoneInfo(DEFAULT_TIMEZONE).key == "Europe/Amsterdam"


def test_the_default_zone_is_named_in_one_module() -> None:
    spelled = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if DEFAULT_TIMEZONE in path.read_text(encoding="utf-8")
    ]
    assert spelled == ["model/timezone.py"]


# `H:MM:SS` built by hand: seconds split into hours and minutes with 3600 and 60.
_HAND_MADE_CLOCK = re.compile(r"(//|divmod\(.*,)\s*3600\b")


def test_durations_are_formatted_in_one_module() -> None:
    found = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if _HAND_MADE_CLOCK.search(path.read_text(encoding="utf-8"))
    ]
    assert found == ["model/durations.py"]
