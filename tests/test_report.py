"""The incident report: every event described, escaping, JSON keys, exercise banner, tampering."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cli_run import runner  # settings from the developer's shell cleared

import draaiboek.cli.report  # noqa: F401  (registers the command)
from draaiboek.cli.app import app
from draaiboek.engine.decide import Draft, open_events, respond
from draaiboek.engine.fold import apply, initial_state
from draaiboek.engine.inputs import Act, Answer, Back, Choose, Confirm, ItemAnswer, Note, Value
from draaiboek.journal import Journal
from draaiboek.load.library import load_library
from draaiboek.services import report
from draaiboek.services.report_render import render

CORPUS = Path(__file__).parent / "corpus" / "valid"
T0 = datetime(2025, 6, 24, 13, 34, tzinfo=UTC)  # 15:34 in Amsterdam (summer time)
HOSTILE = "<script>alert(1)</script> **vet** | [x](http://e) # &amp;"


class Incident:
    """A journal written the way a walk writes it, with a clock that only moves when told."""

    def __init__(self, home: Path, incident: str = "inc-1", mode: str = "live") -> None:
        library = load_library([CORPUS], today=date(2025, 6, 24))
        self.runbooks = {k: library.runbooks[k] for k in ("every-step-type", "sub-procedure")}
        self.folder = home / "incidents" / incident
        self.journal = Journal.create(self.folder, {"operator": "Jan"})
        for runbook in self.runbooks.values():
            self.journal.store_file(Path(runbook.file).read_bytes())
        self.state = initial_state(self.runbooks)
        self.now = T0
        self.log(
            open_events(
                self.runbooks["every-step-type"],
                incident=incident,
                mode=mode,
                operator="Jan",
                tool_version="0.1.0",
                timezone="Europe/Amsterdam",
                lang="nl",
                allow_draft=False,
                runbooks=self.runbooks,
            )
        )

    def log(self, drafts: Sequence[Draft], by: str = "Jan", minutes: float = 0) -> None:
        self.now += timedelta(minutes=minutes)
        for draft in drafts:
            event = self.journal.append(draft.type, by, self.now, draft.fields)
            self.state = apply(self.state, event)

    def raw(self, event_type: str, minutes: float = 0, by: str = "Jan", **fields: object) -> None:
        self.log([Draft(event_type, fields)], by=by, minutes=minutes)

    def answer(self, *answers: Answer, minutes: float = 1, by: str = "Jan") -> None:
        for answer in answers:
            self.now += timedelta(minutes=minutes)
            self.log(respond(self.state, answer, self.now), by=by)


def margin_css(html: str, box: str) -> str:
    """The CSS of one of the printed page's margin boxes (`@top-left`, `@bottom-right`...)."""
    page = html.split("@page {", 1)[1].split("\n}", 1)[0]
    found = re.search(rf"@{box} \{{ (.*?) \}}$", page, re.M)
    assert found, box
    return found.group(1)


def margin(html: str, box: str) -> str:
    """The text of a margin box's `content`: its CSS strings, decoded."""
    css = margin_css(html, box)
    content = re.match(r'content: ((?:"(?:[^"\\]|\\[0-9a-f]{6} )*"|counter\(\w+\)|\s)+);', css)
    assert content, css
    strings = re.findall(r'"((?:[^"\\]|\\[0-9a-f]{6} )*)"', content.group(1))
    return "".join(
        re.sub(r"\\([0-9a-f]{6}) ", lambda m: chr(int(m[1], 16)), text) for text in strings
    )


def full_walk(home: Path, mode: str = "live") -> Incident:
    """Every event type at least once, ending closed."""
    walk = Incident(home, mode=mode)
    walk.answer(Note(HOSTILE))
    walk.answer(Choose("nergens"))
    walk.raw(
        "reminder",
        minutes=1,
        runbook="every-step-type",
        step="testbellen",
        kind="repeat",
        due_at=(T0 + timedelta(minutes=15)).isoformat(),
    )
    walk.answer(Act("skipped", "KPN NOC niet bereikbaar"), minutes=20)
    walk.answer(Back())
    walk.answer(Act("deferred"))
    walk.raw("paused", minutes=1, reason="interrupted")
    walk.raw("recovered", torn_bytes=17, saved_as="journal.torn-x.bin", sha256="0" * 64)
    walk.raw("resumed", minutes=2, by="Piet")
    walk.log([Draft("handover", {"from": "Jan", "to": "Piet"})], by="Piet")
    walk.raw(
        "reminder",
        runbook="every-step-type",
        step="lijst",
        item="lms",
        kind="overdue",
        due_at=(T0 + timedelta(minutes=10)).isoformat(),
    )
    walk.raw("inject", by="Piet", message={"nl": "NL-Alert ook gestoord", "en": "NL-Alert too"})
    walk.answer(ItemAnswer("lms", "done"), ItemAnswer("ncc", "deferred"), by="Piet")
    walk.answer(Value("15:31"), by="Piet")  # sub-runbook called, entered
    walk.answer(Act("done"), by="Piet")  # returns, ends: open critical -> confirm
    walk.answer(Confirm(True), by="Piet")
    assert walk.state.closed
    walk.journal.close()
    return walk


def test_every_event_type_is_described(tmp_path: Path) -> None:
    walk = full_walk(tmp_path)
    built = report.build_report(walk.folder, lang="nl", now=walk.now)
    descriptions = {e["type"]: e["description"] for e in built.data["events"]}
    assert set(descriptions) >= {
        "opened",
        "entered",
        "answered",
        "recorded",
        "action",
        "item",
        "note",
        "corrected",
        "reminder",
        "paused",
        "resumed",
        "handover",
        "inject",
        "recovered",
        "called",
        "returned",
        "confirmed",
        "closed",
    }
    text = render(built, "md")
    for expected in (
        "Incident geopend met draaiboek every-step-type 1.2.0 (live) door Jan",
        "Naar stap “Bel 112 testen”",
        "Besluit bij “Is 112 bereikbaar?”: “Vanuit geen enkel",
        "Actie “Bel 112 testen”: niet mogelijk: KPN NOC niet bereikbaar",
        "Actie “Bel 112 testen”: uitgesteld",
        "Punt “LMS geïnformeerd” (“Informeer de keten”): gedaan",
        "Punt “NCC geïnformeerd” (“Informeer de keten”): uitgesteld",
        "Vastgelegd bij “Tijd eerste melding (UU:MM)”: 15:31",
        "Correctie: terug naar “Bel 112 testen”",
        "Herinnering: “Bel 112 testen” (elke 15 min)",
        "Herinnering: termijn verstreken voor “LMS geïnformeerd” (“Informeer de keten”)",
        "Gepauzeerd (onderbroken)",
        "Hervat door Piet",
        "Overdracht van Jan aan Piet",
        "Inject: NL-Alert ook gestoord",
        "17 bytes apart gezet",
        "Subdraaiboek sub-procedure 0.1.0 gestart",
        "Terug uit subdraaiboek sub-procedure",
        "Afsluiten bevestigd, nog open: “Bel 112 testen”",
        "Afgesloten met uitkomst opgelost",
        "Notitie bij “Is 112 bereikbaar?”: &lt;script&gt;",
    ):
        assert expected in text, expected
    assert "15:35:00" in text and "T+0:01:00" in text  # local time and time since opening
    assert "Duur" in text and "afgesloten" in text and "Jan, Piet" in text
    english = render(report.build_report(walk.folder, lang="en", now=walk.now), "md")
    assert "Decision at “Can 112 be reached?”: “From no network”" in english
    assert "Inject: NL-Alert too" in english


def test_deadlines_met_missed_and_open_at_close(tmp_path: Path) -> None:
    walk = full_walk(tmp_path)
    built = report.build_report(walk.folder, lang="en", now=walk.now)
    deadlines = {(d["step"], d["item"]): d for d in built.data["deadlines"]}
    assert deadlines[("lijst", "lms")]["status"] == "missed"
    assert deadlines[("testbellen", None)]["status"] in ("missed", "overdue")
    assert set(built.data["open"]) == {"every-step-type/testbellen", "every-step-type/lijst/ncc"}
    text = render(built, "md")
    assert "## Open at close" in text and "late" in text
    assert "“NCC informed” (“Inform the chain”)" in text


def test_json_has_fixed_keys(tmp_path: Path) -> None:
    walk = full_walk(tmp_path)
    result = runner.invoke(app, ["report", "inc-1", "--home", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {
        "incident",
        "runbook",
        "version",
        "sha256",
        "mode",
        "exercise",
        "state",
        "outcome",
        "started",
        "ended",
        "duration_seconds",
        "timezone",
        "operators",
        "handovers",
        "events",
        "deadlines",
        "open",
        "verification",
        "remarks",
    } <= set(data)
    assert data["verification"]["ok"] is True
    assert data["verification"]["last_hash"] == walk.journal.last_hash
    assert data["state"] == "closed" and data["outcome"] == "resolved"
    assert len(data["events"]) == walk.journal.count
    assert {"seq", "at", "local", "elapsed", "type", "by", "description", "event"} <= set(
        data["events"][0]
    )


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def test_html_escapes_hostile_notes_and_is_self_contained(tmp_path: Path) -> None:
    walk = full_walk(tmp_path)
    target = tmp_path / "verslag.html"
    result = runner.invoke(app, ["report", str(walk.folder), "--format", "html", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    parser = _Text()
    parser.feed(text)
    assert "script" not in parser.tags and "<script>" not in text
    assert HOSTILE in "".join(parser.data)
    assert "src=" not in text and "href=" not in text and "url(" not in text
    assert "@page { size: A4;" in text
    assert str(walk.journal.last_hash) in margin(text, "bottom-left")  # every page's foot
    assert "inc-1" in margin(text, "top-left")


def test_markdown_escapes_hostile_notes(tmp_path: Path) -> None:
    walk = full_walk(tmp_path)
    text = render(report.build_report(walk.folder, lang="nl", now=walk.now), "md")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert r"\*\*vet\*\*" in text and r"\|" in text and r"\[x\](http://e)" in text


def test_an_exercise_is_marked_on_every_page(tmp_path: Path) -> None:
    walk = full_walk(tmp_path, mode="exercise")
    built = report.build_report(walk.folder, lang="nl", now=walk.now)
    lines = render(built, "md").strip().splitlines()
    assert report.EXERCISE_BANNER in lines[0] and report.EXERCISE_BANNER in lines[-1]
    html = render(built, "html")
    assert report.EXERCISE_BANNER in margin(html, "top-right")  # every printed page
    # On screen the banner shows once, above the title (issue 15: it showed twice).
    assert html.count(f'class="banner screen-only">{report.EXERCISE_BANNER}<') == 1
    assert "counter(page)" in margin_css(html, "bottom-right")
    assert json.loads(render(built, "json"))["exercise"] is True
    live = report.build_report(full_walk(tmp_path / "live").folder, lang="nl", now=walk.now)
    assert report.EXERCISE_BANNER not in render(live, "md") + render(live, "html")


def test_a_tampered_journal_is_reported_as_such(tmp_path: Path) -> None:
    walk = full_walk(tmp_path)
    journal = walk.folder / "journal.jsonl"
    lines = journal.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b'"nergens"', b'"overal"')
    journal.write_bytes(b"\n".join(lines))
    for fmt in ("md", "html"):
        result = runner.invoke(app, ["report", "inc-1", "--home", str(tmp_path), "-f", fmt])
        assert result.exit_code == 1
        assert "VERIFICATIE MISLUKT" in result.stdout and "regel 4 (seq 3)" in result.stdout
        assert "Tijdlijn" in result.stdout  # still shows what it can
        assert "klopt niet" in result.stderr  # the error line in the report's language
    html = runner.invoke(app, ["report", "inc-1", "--home", str(tmp_path), "-f", "html"]).stdout
    assert "VERIFICATIE MISLUKT" in margin(html, "top-right")  # on every printed page
    result = runner.invoke(
        app, ["report", "inc-1", "--home", str(tmp_path), "-f", "json", "--lang", "en"]
    )
    verification = json.loads(result.stdout)["verification"]
    assert verification["ok"] is False and verification["broken_line"] == 4
    lines[5] = b"{not json"
    journal.write_bytes(b"\n".join(lines))
    result = runner.invoke(app, ["report", "inc-1", "--home", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1 and "VERIFICATION FAILED" in result.stdout
    assert "does not verify" in result.stderr
    assert "1 line(s) of the journal cannot be read" in result.stdout


def test_missing_runbook_copies_still_give_a_report(tmp_path: Path) -> None:
    walk = full_walk(tmp_path)
    for copy in walk.folder.glob("*.yaml"):
        copy.unlink()
    text = render(report.build_report(walk.folder, lang="en", now=walk.now), "md")
    assert "stored runbooks cannot be read" in text and "Decision at vaststellen: nergens" in text


def test_an_open_incident_can_be_reported(tmp_path: Path) -> None:
    walk = Incident(tmp_path)
    walk.answer(Choose("nergens"))
    later = walk.now + timedelta(minutes=30)
    built = report.build_report(walk.folder, lang="en", now=later)
    text = render(built, "md")
    assert "(still running)" in text and "## Still open now" in text
    statuses = {d["step"]: d["status"] for d in built.data["deadlines"]}
    assert statuses["testbellen"] == "overdue"
    assert built.data["state"] == "open" and built.data["ended"] is None
    walk.journal.close()


def test_cli_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "nope", "--home", str(tmp_path)])
    assert result.exit_code == 2 and "nope" in result.stderr
    assert runner.invoke(app, ["report", "x", "--format", "pdf"]).exit_code == 2
    assert runner.invoke(app, ["report", "../x", "--home", str(tmp_path)]).exit_code == 2


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_the_score_hook_renders_generically(tmp_path: Path, fmt: str) -> None:
    walk = full_walk(tmp_path)
    built = report.build_report(walk.folder, lang="nl", now=walk.now)
    built.add(
        report.Section(
            "score",
            "Score",
            facts=[("Punten", "7 / 10")],
            columns=["Verwachting", "Punten"],
            rows=[["<op tijd>", "2"]],
        ),
        data={"points": 7, "max": 10},
    )
    text = render(built, fmt)
    assert ("7 / 10" in text) if fmt != "json" else json.loads(text)["score"]["points"] == 7
    if fmt == "html":
        assert "&lt;op tijd&gt;" in text
