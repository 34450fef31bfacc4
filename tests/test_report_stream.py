"""The report of a long incident is made as a stream: its tables are read from the journal as
they are shown, and the output is written in pieces that add up to the same text."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from draaiboek.engine.inputs import Act, Choose, Note
from draaiboek.load.library import load_library
from draaiboek.services.page import md_escape
from draaiboek.services.report import build_report
from draaiboek.services.report_events import JournalRows
from draaiboek.services.report_render import (
    _json_chunks,
    _md_cell,
    _md_cells,
    render,
    render_chunks,
)
from draaiboek.services.session import Session

CORPUS = Path(__file__).resolve().parent / "corpus" / "valid"
T0 = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)


@settings(max_examples=400, deadline=None, database=None)
@given(
    st.text(st.sampled_from(list("ab 1.)-+=\t\n\\`*_[]|#~<>&\x1b\x85é“9:T\u2028\x0c")), max_size=8)
)
def test_the_quick_markdown_cell_is_md_escape(text: str) -> None:
    assert _md_cell(text) == md_escape(text)


_CELL = st.text(st.sampled_from(list("ab 1.)-+=\t\n\\`*_[]|#~<>&\x00\x1b\x85é“9:T")), max_size=6)


@settings(max_examples=400, deadline=None, database=None)
@given(
    st.lists(_CELL | st.sampled_from(["12", "T+0:05:00", "2026-01-05 08:00:40", ""]), max_size=5)
)
def test_a_quick_markdown_row_is_md_escape_of_each_cell(row: list[str]) -> None:
    assert _md_cells(row) == " | ".join(md_escape(cell) for cell in row)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        ),
        max_leaves=10,
    )
)
def test_json_in_pieces_is_json_dumps(value: object) -> None:
    data = {"a": value, "b": [1, {"c": value}], "d": {}}
    expected = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    assert "".join(_json_chunks(data)) == expected


def walked(home: Path, notes: int) -> Path:
    runbooks = load_library([CORPUS], today=date(2026, 11, 23)).all_runbooks()
    moment = [T0]

    def clock() -> datetime:
        moment[0] += timedelta(seconds=30)
        return moment[0]

    session = Session.start(
        home, runbooks["every-step-type"], runbooks, operator="Jan", clock=clock, incident_id="x"
    )
    session.submit(Choose("nergens"))
    session.submit(Act("done"))
    for n in range(notes):
        session.submit(Note(f"notitie {n} | met *tekens* die <escaped> moeten"))
    session.pause("user")
    session.close()
    return session.folder


def test_tables_are_read_from_the_journal_and_add_up(tmp_path: Path) -> None:
    folder = walked(tmp_path / "home", 40)
    report = build_report(folder, lang="nl", now=T0 + timedelta(hours=1))
    timeline = next(s for s in report.sections if s.key == "timeline")
    assert isinstance(timeline.rows, JournalRows)  # not held in memory: read when shown
    assert len(timeline.rows) == len(list(timeline.rows)) == 47
    assert list(timeline.rows) == list(timeline.rows)  # read again, the same
    events = report.data["events"]
    assert isinstance(events, JournalRows) and events[0]["type"] == "opened"
    for fmt in ("md", "html", "json"):
        pieces = list(render_chunks(report, fmt))
        assert len(pieces) > 3 and "".join(pieces) == render(report, fmt)
    data = json.loads(render(report, "json"))
    assert [e["seq"] for e in data["events"]] == list(range(47))
    assert data["verification"]["ok"] and data["verification"]["hash_rule"] == "jcs-sha256"
    md = render(report, "md")
    assert md.count("notitie") == 2 * 40  # in the timeline and in the notes
    assert r"\*tekens\*" in md and "&lt;escaped&gt;" in md


def test_a_report_is_of_the_journal_as_it_was_read(tmp_path: Path) -> None:
    """Events appended while the report is being written do not slip into its tables."""
    folder = walked(tmp_path / "home", 2)
    report = build_report(folder, lang="nl", now=T0 + timedelta(hours=1))
    before = render(report, "md")
    again = Session.resume(folder, operator="Piet", clock=lambda: T0 + timedelta(hours=2))
    again.close()
    assert render(report, "md") == before


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(["entered", "answered", "action", "item", "recorded"]),
                "runbook": st.sampled_from(["top", "sub", None]),
                "step": st.sampled_from(["a", "b"]),
            },
            optional={
                "option": st.sampled_from(["ja", "nee", 1, True, None, ["ja"]]),
                "item": st.sampled_from(["x", "y"]),
                "result": st.sampled_from(["done", "deferred", "not-possible"]),
                "reason": st.sampled_from(["", "kapot", None]),
                "late": st.booleans(),
                "value": st.sampled_from([12, "12", [1]]),
            },
        ),
        max_size=12,
    )
)
def test_remembered_words_are_the_words_of_each_event(events: list[dict[str, Any]]) -> None:
    """`describe` remembers the words of repeated visits and answers: never another event's."""
    from draaiboek.services.report_words import Words, _describe, describe

    remembering = Words("nl", {}, "top", UTC, T0)
    for event in [*events, *events]:
        assert describe(event, remembering) == _describe(event, Words("nl", {}, "top", UTC, T0))


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    )
)
def test_a_report_time_reads_as_strftime_writes_it(moment: datetime) -> None:
    """The report's date-and-time column (wall_time's quick path) is strftime's text."""
    from zoneinfo import ZoneInfo

    from draaiboek.model.wallclock import wall_time

    zone = ZoneInfo("Europe/Amsterdam")
    local = moment.astimezone(zone)
    expected = local.strftime("%Y-%m-%d %H:%M:%S")
    shown = wall_time(moment, zone, "%Y-%m-%d %H:%M:%S")
    assert shown in (expected, f"{expected} {local.strftime('%Z')}")
