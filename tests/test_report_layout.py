"""The report as an inspection reads it: the summary first, then decisions (with who), targets,
what is still open (critical first, a critical item marked not possible with its reason), the
score and the verification; the timeline after. Every row in words, the date once per day.

What Chromium makes of it on paper (page numbers on every page) is in test_print_pdf.py."""

from __future__ import annotations

import json
import re
from datetime import UTC
from pathlib import Path

import pytest
from test_report import T0, Incident, full_walk, margin, margin_css

from draaiboek.engine.inputs import Act, Choose, Confirm, ItemAnswer, Value
from draaiboek.model.catalogue import Messages
from draaiboek.services import report, report_layout
from draaiboek.services.report_render import render
from draaiboek.services.report_words import Words, describe


def _headings(text: str, fmt: str) -> list[str]:
    if fmt == "md":
        return re.findall(r"^## (.+)$", text, re.M)
    return re.findall(r'<section id="([^"]+)"><h2>', text)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_summary_comes_first_and_the_timeline_after_the_verification(
    tmp_path: Path, fmt: str
) -> None:
    walk = full_walk(tmp_path, mode="exercise")
    built = report.build_report(walk.folder, lang="nl", now=walk.now)
    # A section added later (as the exercise score is) takes its place, not the end.
    built.add(report.Section("score", "Score", facts=[("Totaal", "35/35")]))
    keys = [section.key for section in built.sections]
    assert keys == sorted(keys, key=report_layout.rank)
    order = ["summary", "decisions", "deadlines", "open", "score", "verification", "timeline"]
    assert [key for key in keys if key in order] == order
    text = render(built, fmt)
    titles = {section.key: section.title for section in built.sections}
    wanted = [titles[key] if fmt == "md" else key for key in order]
    assert [h for h in _headings(text, fmt) if h in wanted] == wanted


def test_the_summary_says_time_zero_opening_duration_and_who(tmp_path: Path) -> None:
    walk = full_walk(tmp_path)
    built = report.build_report(walk.folder, lang="nl", now=walk.now)
    facts = dict(built.sections[0].facts)
    t = Messages("nl")
    assert built.sections[0].key == "summary"
    assert list(facts)[:3] == [t("report.outcome"), t("report.state"), t("report.time-zero")]
    assert facts[t("report.started")].startswith("2025-06-24 15:34:00 CEST (+02:00)")
    assert facts[t("report.duration")] and facts[t("report.operators")] == "Jan, Piet"
    handovers = built.sections[0].rows
    assert [row[2:] for row in handovers] == [["Jan", "Piet"]]  # from, to


def test_decisions_and_corrections_say_who(tmp_path: Path) -> None:
    walk = full_walk(tmp_path)
    built = report.build_report(walk.folder, lang="nl", now=walk.now)
    sections = {section.key: section for section in built.sections}
    decisions = list(sections["decisions"].rows)
    t = Messages("nl")
    assert sections["decisions"].columns[2] == t("report.by")
    assert [row[2:] for row in decisions] == [
        ["Jan", "“Is 112 bereikbaar?”", "“Vanuit geen enkel netwerk”"],
        ["Piet", "“Tijd eerste melding (UU:MM)”", "15:31"],
    ]
    corrections = list(sections["corrections"].rows)
    assert corrections and all(row[2] == "Jan" for row in corrections)
    actions = list(sections["actions"].rows)
    assert {row[2] for row in actions} == {"Jan", "Piet"}


def _not_possible_walk(home: Path) -> Incident:
    """The critical action and the critical item marked not possible, with reasons."""
    walk = Incident(home)
    walk.answer(Choose("nergens"))
    walk.answer(Act("skipped", "KPN NOC niet bereikbaar"), minutes=2)
    walk.answer(ItemAnswer("lms", "skipped", "LMS-lijn dood"), ItemAnswer("ncc", "deferred"))
    walk.answer(Value("15:31"))
    walk.answer(Act("done"))  # the sub-runbook's action: back, and at the end
    if not walk.state.closed:  # open critical work is confirmed before closing
        walk.answer(Confirm(True))
    assert walk.state.closed
    walk.journal.close()
    return walk


def test_still_open_lists_critical_first_with_not_possible_and_the_reason(
    tmp_path: Path,
) -> None:
    walk = _not_possible_walk(tmp_path)
    built = report.build_report(walk.folder, lang="nl", now=walk.now)
    open_section = next(s for s in built.sections if s.key == "open")
    rows = list(open_section.rows)
    t = Messages("nl")
    critical = [row for row in rows if row[1] == t("report.critical")]
    assert rows[: len(critical)] == critical  # critical first
    assert ["“Bel 112 testen”", "KRITIEK", "niet mogelijk: KPN NOC niet bereikbaar"] in rows
    assert [
        "“LMS geïnformeerd” (“Informeer de keten”)",
        "KRITIEK",
        "niet mogelijk: LMS-lijn dood",
    ] in rows
    assert rows[-1][0] == "“NCC geïnformeerd” (“Informeer de keten”)" and rows[-1][1] == ""
    data = json.loads(render(built, "json"))["open_items"]
    assert {d["state"] for d in data} == {"not-possible", "open"}
    assert [d["reason"] for d in data if d["state"] == "not-possible"] == [
        "KPN NOC niet bereikbaar",
        "LMS-lijn dood",
    ]


def test_the_date_stands_once_per_day(tmp_path: Path) -> None:
    walk = Incident(tmp_path)
    walk.answer(Choose("nergens"), minutes=1)
    walk.answer(Act("done"), minutes=60 * 10)  # past midnight in Amsterdam
    walk.journal.close()
    built = report.build_report(walk.folder, lang="nl", now=walk.now)
    text = render(built, "md")
    timeline = text.split("## Tijdlijn", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^\| \*\*(\d{4}-\d{2}-\d{2})\*\* \|", timeline, re.M) == [
        "2025-06-24",
        "2025-06-25",
    ]
    assert "| 15:34:00 | T+0:00:00 |" in timeline  # the time alone in its column
    assert "2025-06-24 15:34" not in timeline
    html = render(built, "html")
    assert html.count('<tr class="day">') >= 4  # timeline twice, decisions, actions
    assert '<col class="when">' in html and "col.when { width:" in html


def test_every_row_reads_as_words_not_json(tmp_path: Path) -> None:
    walk = full_walk(tmp_path, mode="exercise")
    walk_events = report.build_report(walk.folder, lang="nl", now=walk.now)
    w = Words("nl", {}, "every-step-type", UTC, T0)
    exercise = {
        "type": "exercise",
        "runbook": "112-onbereikbaar",
        "scenario": "storing-24-juni-2019",
        "scenario_version": "2.0.0",
        "sha256": "0" * 64,
        "speed": 1,
        "start": "2019-06-24T15:34:00+02:00",
        "title": {"nl": "Landelijke storing", "en": "National outage"},
    }
    said = describe(exercise, w)
    assert "Landelijke storing" in said and "storing-24-juni-2019 2.0.0" in said
    newer = {"type": "from-the-future", "seq": 9, "nested": {"a": 1}, "list": ["x", "y"]}
    said = describe(newer, w)
    assert said == "from-the-future: nested.a: 1; list: x, y"
    for text in (render(walk_events, "md"), render(walk_events, "html")):
        assert not re.search(r"\{\s*&?(quot;|\")", text)  # no JSON object in any row


def test_page_numbers_and_the_last_hash_on_every_printed_page(tmp_path: Path) -> None:
    walk = full_walk(tmp_path)
    built = report.build_report(walk.folder, lang="en", now=walk.now)
    html = render(built, "html")
    assert margin(html, "bottom-left") == f"Last hash: {walk.journal.last_hash}"
    pages = margin_css(html, "bottom-right")
    assert re.search(r'"Page " counter\(page\) " of " counter\(pages\)', pages)
