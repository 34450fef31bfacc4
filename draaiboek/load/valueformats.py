"""The `format`s an input step's value schema may use, and the checker that enforces them.

jsonschema checks `time` and `date-time` only when optional extras are installed (without them
any text passes), and those extras would make `import jsonschema` take over a second. So the
date and time formats are checked here, to RFC 3339 as JSON Schema 2020-12 defines them:

- `date`: a full-date, `2025-06-24` (a real calendar day);
- `time`: a full-time, `15:31:00+02:00` or `13:31:00Z` (seconds and offset required, a
  fraction of a second allowed, a leap second only at 23:59:60 UTC);
- `date-time`: both, joined by `T`, `2025-06-24T15:31:00+02:00`.

`T` and `Z` may be lower case (RFC 3339 5.6, note). The other formats listed in
`CHECKED_FORMATS` are jsonschema's own checks, which need nothing extra. A value schema naming any
other format is a finding in `validate` (`unchecked_formats`): it would let any text through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema is imported only when a value is checked
    from jsonschema import FormatChecker

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME = re.compile(
    r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))"
)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
OWN_FORMATS = ("date", "time", "date-time")
# jsonschema checks these with the standard library alone, whatever extras are installed.
JSONSCHEMA_FORMATS = ("email", "idn-email", "ipv4", "ipv6", "regex", "uuid")
CHECKED_FORMATS = frozenset(OWN_FORMATS + JSONSCHEMA_FORMATS)


def is_date(text: str) -> bool:
    """RFC 3339 full-date: YYYY-MM-DD, ASCII digits, a day that exists in the Gregorian
    calendar (year 0000 included, which Python's `date` cannot hold)."""
    found = _DATE.fullmatch(text)
    if found is None:
        return False
    year, month, day = int(found[1]), int(found[2]), int(found[3])
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 1 <= day <= (29 if month == 2 and leap else _DAYS_IN_MONTH[month - 1])


def is_time(text: str) -> bool:
    """RFC 3339 full-time: HH:MM:SS[.fraction] then Z or +HH:MM / -HH:MM.

    Second 60 (a leap second) is allowed only where the time is 23:59 in UTC.
    """
    found = _TIME.fullmatch(text)
    if found is None:
        return False
    hour, minute, second = int(found[1]), int(found[2]), int(found[3])
    offset_hours, offset_minutes = int(found[5] or 0), int(found[6] or 0)
    if hour > 23 or minute > 59 or second > 60 or offset_hours > 23 or offset_minutes > 59:
        return False
    if second == 60:
        sign = -1 if found[4] == "-" else 1
        utc = (hour * 60 + minute - sign * (offset_hours * 60 + offset_minutes)) % (24 * 60)
        return utc == 23 * 60 + 59
    return True


def is_date_time(text: str) -> bool:
    """RFC 3339 date-time: a full-date, T (or t), a full-time."""
    day, separator, time = text[:10], text[10:11], text[11:]
    return separator in ("T", "t") and is_date(day) and is_time(time)


_OWN = {"date": is_date, "time": is_time, "date-time": is_date_time}


@cache
def format_checker() -> FormatChecker:
    """The format checker for value schemas: `CHECKED_FORMATS`, the same on every machine (also
    where jsonschema's optional format extras happen to be installed)."""
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    builtin = Draft202012Validator.FORMAT_CHECKER.checkers
    for name in JSONSCHEMA_FORMATS:
        checker.checkers[name] = builtin[name]
    for name, check in _OWN.items():
        # Like jsonschema's own checks, a format says nothing about a value that is no string.
        checker.checks(name)(_strings_only(check))
    return checker


def _strings_only(check: Any) -> Any:
    def conforms(instance: object) -> bool:
        return not isinstance(instance, str) or bool(check(instance))

    return conforms


def unchecked_formats(
    schema: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path within `schema`, name) of every `format` keyword naming a format that draaiboek does
    not check, at any depth of the schema (`properties`, `items`, `anyOf`, ...)."""
    if isinstance(schema, Mapping):
        name = schema.get("format")
        if isinstance(name, str) and name not in CHECKED_FORMATS:
            yield (*path, "format"), name
        for key, value in schema.items():
            if key not in ("const", "enum", "default", "examples"):  # values, not schemas
                yield from unchecked_formats(value, (*path, key))
    elif isinstance(schema, list | tuple):
        for index, value in enumerate(schema):
            yield from unchecked_formats(value, (*path, index))
