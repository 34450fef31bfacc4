"""`format` in an input step's value schema is enforced: RFC 3339 `date`, `time` and `date-time`
checked by draaiboek itself (jsonschema needs extras for them and lets anything through without
them), in the walk and in `validate`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from draaiboek.engine.decide import open_events, respond
from draaiboek.engine.fold import apply, initial_state
from draaiboek.engine.inputs import Rejected, Value
from draaiboek.engine.values import coerce_value
from draaiboek.load.build import build_runbook
from draaiboek.load.documents import read_document
from draaiboek.load.valueformats import (
    CHECKED_FORMATS,
    format_checker,
    is_date,
    is_date_time,
    is_time,
    unchecked_formats,
)

BOUNDED = settings(max_examples=200, deadline=None, derandomize=True)

DATES = {
    "2025-06-24": True,
    "2024-02-29": True,  # a leap year
    "2000-02-29": True,  # divisible by 400
    "1900-02-29": False,  # divisible by 100, not by 400
    "2025-02-29": False,
    "2025-04-31": False,
    "2025-13-01": False,
    "2025-00-10": False,
    "2025-01-00": False,
    "0000-01-01": True,  # RFC 3339 allows year 0000 (Python's date does not)
    "25-06-24": False,
    "2025-6-24": False,
    "20250624": False,
    "2025-W26": False,
    "24-06-2025": False,
    "2025-06-24T15:31:00Z": False,
    " 2025-06-24": False,
    "2025-06-24\n": False,  # `$` in a regular expression would let this through
    "2025-06-2٤": False,  # an Arabic-Indic digit is a digit to `\d`, not to RFC 3339
    "٢٠25-06-24": False,
    "2025-٠6-24": False,
    "": False,
}
TIMES = {
    "15:31:00Z": True,
    "15:31:00z": True,
    "15:31:00+02:00": True,
    "15:31:00-00:00": True,  # unknown local offset (RFC 3339 4.3)
    "15:31:00.25+02:00": True,
    "23:59:60Z": True,  # a leap second, at 23:59 UTC
    "01:59:60+02:00": True,  # 23:59 UTC
    "20:29:60-03:30": True,  # 23:59 UTC
    "22:59:60Z": False,  # a leap second elsewhere
    "23:59:60+01:00": False,
    "15:31": False,  # seconds are required
    "15:31:00": False,  # so is the offset
    "99:99": False,
    "24:00:00Z": False,
    "15:60:00Z": False,
    "15:31:61Z": False,
    "15:31:00+24:00": False,
    "15:31:00+02:60": False,
    "15:31:00+0200": False,
    "15:31:00+02": False,
    "15:31:00Z+02:00": False,
    "15:31:00 CEST": False,
    "15:31:00,5Z": False,
    "5:31:00Z": False,
    "15:31:00Z\n": False,
    "1٥:31:00Z": False,
    "nu": False,
}
DATE_TIMES = {
    "2025-06-24T15:31:00+02:00": True,
    "2025-06-24t13:31:00.123456z": True,
    "2016-12-31T23:59:60Z": True,
    "2016-12-31T22:59:60Z": False,
    "2025-02-30T15:31:00Z": False,
    "2025-06-24 15:31:00Z": False,  # RFC 3339 allows a space only by agreement; JSON Schema not
    "2025-06-24T15:31:00": False,
    "2025-06-24T15:31Z": False,
    "2025-06-24": False,
    "15:31:00Z": False,
    "24-06-2025 15:31": False,
    "gisteren": False,
}


@pytest.mark.parametrize(
    ("check", "cases"), [(is_date, DATES), (is_time, TIMES), (is_date_time, DATE_TIMES)]
)
def test_rfc3339(check: Any, cases: dict[str, bool]) -> None:
    wrong = {text: expected for text, expected in cases.items() if check(text) != expected}
    assert wrong == {}


@BOUNDED
@given(st.dates())
def test_every_real_day_is_a_date_and_the_day_after_the_last_is_not(day: date) -> None:
    assert is_date(day.isoformat())
    month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if day == month_end:
        assert not is_date(f"{day.year:04d}-{day.month:02d}-{day.day + 1:02d}")


OFFSETS = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))


@BOUNDED
@given(
    st.datetimes(timezones=OFFSETS),
    st.sampled_from(["seconds", "milliseconds", "microseconds"]),
)
def test_every_moment_written_by_python_is_a_date_time(moment: datetime, timespec: str) -> None:
    text = moment.isoformat(timespec=timespec)
    assert is_date_time(text)
    assert is_time(text[11:])
    assert not is_time(text[11:19])  # without its offset a time is not RFC 3339


def test_the_checker_checks_exactly_the_formats_it_names() -> None:
    checker = format_checker()
    assert set(checker.checkers) == CHECKED_FORMATS
    for name in ("date", "time", "date-time"):
        assert not checker.conforms("garbage", name)
        assert checker.conforms(12, name)  # a format says nothing about a number
    assert not checker.conforms("geen-adres", "email")  # jsonschema's own, no extras needed


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date", "2025-06-24", "2025-02-30"),
        ("time", "15:31:00+02:00", "99:99"),
        ("date-time", "2025-06-24T15:31:00+02:00", "garbage"),
    ],
)
def test_a_value_is_checked_against_its_format(fmt: str, good: str, bad: str) -> None:
    schema = {"type": "string", "format": fmt}
    assert coerce_value(good, schema) == good
    with pytest.raises(Rejected) as refused:
        coerce_value(bad, schema)
    assert (refused.value.code, refused.value.keyword) == ("invalid-value", "format")
    nested = {"type": "string", "anyOf": [{"format": fmt}, {"const": "onbekend"}]}
    assert coerce_value("onbekend", nested) == "onbekend"
    with pytest.raises(Rejected):
        coerce_value(bad, nested)


RUNBOOK = """\
format: draaiboek/1
id: tijdstip
version: 1.0.0
status: draft
title: Tijdstip
languages: [nl]
roles: {caco: Calamiteitencoördinator}
start: begin
steps:
  begin:
    type: input
    title: Begin van de storing
    role: caco
    value: {type: string, format: date-time}
    next: einde
  einde: {type: end, title: Einde, role: caco, outcome: resolved}
"""


def test_the_walk_refuses_a_value_that_is_not_of_its_format(tmp_path: Path) -> None:
    path = tmp_path / "tijdstip.yaml"
    path.write_text(RUNBOOK, encoding="utf-8")
    document, findings = read_document(path)
    assert document is not None and not findings
    runbook = build_runbook(document)
    runbooks = {runbook.id: runbook}
    now = datetime(2025, 6, 24, 13, 31, tzinfo=UTC)
    state = initial_state(runbooks)
    for seq, draft in enumerate(
        open_events(
            runbook,
            incident="i",
            mode="exercise",
            operator="Jan",
            tool_version="0",
            timezone="Europe/Amsterdam",
            lang="nl",
            allow_draft=True,
        )
    ):
        state = apply(
            state, {"seq": seq, "at": now.isoformat(), "type": draft.type, **draft.fields}
        )
    for garbage in ("gisteren", "24-06-2025 15:31", "2025-06-24T25:00:00Z", "15:31"):
        with pytest.raises(Rejected) as refused:
            respond(state, Value(garbage), now)
        assert refused.value.keyword == "format", garbage
    drafts = respond(state, Value("2025-06-24T15:31:00+02:00"), now)
    assert drafts[0].type == "recorded" and drafts[0].fields["value"] == "2025-06-24T15:31:00+02:00"


def test_unchecked_formats_are_found_at_any_depth() -> None:
    schema = {
        "type": "object",
        "format": "time",
        "properties": {
            "format": {"type": "string", "format": "uri"},  # a property called `format`
            "lijst": {"items": {"anyOf": [{"format": "hostname"}, {"format": "date"}]}},
        },
        "examples": [{"format": "not-a-schema"}],
    }
    assert list(unchecked_formats(schema)) == [
        (("properties", "format", "format"), "uri"),
        (("properties", "lijst", "items", "anyOf", 0, "format"), "hostname"),
    ]
