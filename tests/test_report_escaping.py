"""Every fact in the HTML and Markdown report shows hostile text literally.

Whatever a person typed (operator names, reasons, values, notes, handover names) or a runbook
says (titles, labels), and whatever a foreign journal holds in any field, the report shows it as
text: no tag, link, emphasis, table cell or heading of its own. The Markdown is rendered to HTML
with markdown-it (CommonMark with tables, as rich already ships it) and read back, so the test
sees what a reader of the rendered Markdown sees, not just which characters were escaped.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt

from draaiboek.engine.decide import Draft, open_events, respond
from draaiboek.engine.fold import apply, initial_state
from draaiboek.engine.inputs import Act, Answer, Back, Choose, Confirm, ItemAnswer, Note, Value
from draaiboek.journal import RESERVED_FIELDS, Journal
from draaiboek.journal import read as read_journal
from draaiboek.load.library import load_library
from draaiboek.services import report
from draaiboek.services.page import esc, md_escape
from draaiboek.services.report_render import render

CORPUS = Path(__file__).parent / "corpus" / "valid"
T0 = datetime(2025, 6, 24, 13, 34, tzinfo=UTC)
# Tags the report's own frame and sections use; anything else came from the text.
HTML_TAGS = {
    "html", "head", "meta", "title", "style", "body", "div", "table", "thead", "tbody", "tfoot",
    "tr", "th", "td", "h1", "h2", "section", "dl", "dt", "dd", "p", "span", "strong", "br",
    "colgroup", "col",
}  # fmt: skip
MD_TAGS = {
    "h1", "h2", "p", "ul", "li", "strong", "table", "thead", "tbody", "tr", "th", "td", "hr",
    "br", "code", "blockquote",
}  # fmt: skip


def hostile(name: str) -> str:
    """Text that is markup in HTML and in Markdown, marked with `name` to find it back."""
    return (
        f"1. <b>{name}</b> <script>x</script> &amp; **{name}** | [{name}](http://e) "
        f"![i](x.png) `{name}` _{name}_ ~~{name}~~ # {name} \\ <!-- {name}"
    )


class _Html(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.tags.add("<!--")


def _as_read(built: report.Report, fmt: str) -> _Html:
    """The report as a reader sees it: HTML parsed, Markdown rendered and then parsed."""
    text = render(built, fmt)
    if fmt == "md":
        text = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    return _Html(text)


def _hostile_library(folder: Path) -> dict[str, Any]:
    """The corpus runbooks with every text (titles, labels, role names) made hostile, and an
    input step that accepts any text."""
    folder.mkdir()
    for name in ("every-step-type", "sub-procedure"):
        data = yaml.safe_load((CORPUS / f"{name}.yaml").read_text(encoding="utf-8"))

        def spoil(node: Any, where: str) -> Any:
            if isinstance(node, dict) and set(node) == {"nl", "en"}:
                return {lang: hostile(f"{where}.{lang}") for lang in node}
            if isinstance(node, dict):
                return {key: spoil(value, f"{where}.{key}") for key, value in node.items()}
            if isinstance(node, list):
                return [spoil(value, f"{where}.{i}") for i, value in enumerate(node)]
            return node

        data = spoil(data, name)
        if name == "every-step-type":
            data["steps"]["starttijd"]["value"] = {"type": "string"}
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    shutil.copy(CORPUS / "contacts.yaml", folder / "contacts.yaml")
    library = load_library([folder], today=date(2025, 6, 24))
    assert not library.findings, library.findings
    return {k: library.runbooks[k] for k in ("every-step-type", "sub-procedure")}


class _Walk:
    def __init__(self, home: Path, runbooks: dict[str, Any], *, incident: str) -> None:
        self.runbooks = runbooks
        self.folder = home / "incidents" / "inc-1"
        self.journal = Journal.create(self.folder, {"operator": "x"})
        for runbook in runbooks.values():
            self.journal.store_file(Path(runbook.file).read_bytes())
        self.state = initial_state(runbooks)
        self.now = T0
        self.by = hostile("operator")
        self.log(
            open_events(
                runbooks["every-step-type"],
                incident=incident,
                mode="live",
                operator=self.by,
                tool_version="0.1.0",
                timezone="Europe/Amsterdam",
                lang="nl",
                allow_draft=False,
                runbooks=runbooks,
            )
        )

    def log(self, drafts: list[Draft]) -> None:
        self.now += timedelta(minutes=1)
        for draft in drafts:
            self.state = apply(
                self.state, self.journal.append(draft.type, self.by, self.now, draft.fields)
            )

    def answer(self, *answers: Answer) -> None:
        for answer in answers:
            self.log(respond(self.state, answer, self.now + timedelta(minutes=1)))


def _hostile_walk(home: Path, runbooks: dict[str, Any]) -> _Walk:
    """A whole walk in which every person's text is hostile: operators, notes, reasons, a value,
    a handover, an inject; and the incident id (a foreign journal may hold anything there)."""
    walk = _Walk(home, runbooks, incident=hostile("incident"))
    walk.answer(Note(hostile("note")), Choose("nergens"))
    walk.answer(Act("skipped", hostile("reason")), Back(), Act("deferred"))
    walk.by = hostile("successor")
    walk.log([Draft("handover", {"from": hostile("operator"), "to": walk.by})])
    walk.log([Draft("inject", {"message": {"nl": hostile("inject"), "en": "x"}})])
    walk.answer(
        ItemAnswer("lms", "skipped", hostile("item-reason")),
        ItemAnswer("ncc", "deferred"),
        Value(hostile("value")),
        Act("done"),
        Confirm(True),
    )
    assert walk.state.closed
    walk.journal.close()
    return walk


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_every_fact_from_a_person_or_a_runbook_is_shown_as_text(tmp_path: Path, fmt: str) -> None:
    runbooks = _hostile_library(tmp_path / "runbooks")
    walk = _hostile_walk(tmp_path / "home", runbooks)
    built = report.build_report(walk.folder, lang="nl", now=walk.now)
    seen = _as_read(built, fmt)
    assert seen.tags <= (HTML_TAGS if fmt == "html" else MD_TAGS)
    text = "".join(seen.text)
    people = ["operator", "successor", "incident", "note", "reason", "item-reason", "value"]
    shown = [
        *people,
        "inject",
        "every-step-type.title.nl",  # the runbook's title
        "every-step-type.steps.vaststellen.title.nl",  # step titles
        "every-step-type.steps.vaststellen.options.0.label.nl",  # the chosen option
        "every-step-type.steps.lijst.items.0.label.nl",  # checklist items
        "every-step-type.steps.testbellen.title.nl",
        "sub-procedure.steps.melden.title.nl",  # a sub-runbook's step
    ]
    for name in shown:
        assert hostile(name) in text, name


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_every_field_of_a_foreign_journal_is_shown_as_text(tmp_path: Path, fmt: str) -> None:
    """`report FILE` reads any journal: every string in every event may be hostile, the event
    type too. The chain verifies (it was written so); the report says what it can."""
    home = tmp_path / "home"
    original = _hostile_walk(home, _hostile_library(tmp_path / "runbooks"))
    folder = tmp_path / "foreign"
    journal = Journal.create(folder, {"operator": "x"})
    names: list[str] = []
    for event in read_journal(original.folder):
        kind = str(event["type"])
        fields = {}
        for key, value in event.items():
            if key in RESERVED_FIELDS:  # the journal writes these itself
                continue
            names.append(f"{kind}.{key}")
            fields[key] = hostile(names[-1]) if isinstance(value, str) else value
        names.append(f"{kind}.by")
        journal.append(kind, hostile(names[-1]), T0, fields)
    journal.append(hostile("type"), hostile("type.by"), T0, {"what": hostile("type.what")})
    journal.close()
    built = report.build_report(folder, lang="en", now=T0)
    seen = _as_read(built, fmt)
    assert seen.tags <= (HTML_TAGS if fmt == "html" else MD_TAGS)
    text = "".join(seen.text)
    assert hostile("opened.incident") in text and hostile("opened.operator") in text
    assert hostile("type") in text and hostile("type.by") in text
    # Every field the report describes is shown whole (json-encoded fields of an unknown type
    # are shown as JSON, with their quotes escaped for JSON, so they are not looked for here).
    for name in ("note.text", "action.reason", "recorded.value", "handover.to", "resumed.by"):
        if name in names:
            assert hostile(name) in text, name


@pytest.mark.parametrize(
    "text",
    [
        "- item",
        "  - item",
        "+ item",
        "* item",
        "1. item",
        "12) item",
        "# heading",
        "> quote",
        "=====",
        "---",
        "    indented code",
        "\tindented code",
        "<div>block</div>",
        "| a | b |",
        "[x]: http://e",
        "```",
        "~~~",
        "a  \nb",
        "line one\n- line two\n    line three",
    ],
)
def test_markdown_escape_keeps_block_structure_out_wherever_the_text_stands(text: str) -> None:
    """md_escape's text may start a line (the incident id in the footer, a section's text): it
    is one paragraph showing every character, line breaks as <br>."""
    rendered = _Html(MarkdownIt("commonmark").enable("table").render(md_escape(text) + "\n"))
    assert rendered.tags <= {"p", "br"}, rendered.tags
    assert "".join(rendered.text).replace("\n", "") == text.replace("\n", "")


def test_html_escape_keeps_quotes_and_line_breaks() -> None:
    assert esc("a\"b'c<d>&\ne") == "a&quot;b&#x27;c&lt;d&gt;&amp;<br>e"


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("exercise", [False, True])
def test_the_renderers_escape_every_slot_of_a_report(fmt: str, exercise: bool) -> None:
    """Whatever a section holds (a later section may show a person's or a scenario's text in
    any slot), it is shown as text: every slot of a report and of its sections is hostile."""
    sections = [
        report.Section(
            "s1",
            hostile("section-title"),
            facts=[(hostile("fact-label"), hostile("fact-value"))],
            columns=[hostile("column")],
            rows=[[hostile("cell")]],
            alert=hostile("section-alert"),
        ),
        report.Section("s2", hostile("empty-title"), empty=hostile("empty")),
    ]
    built = report.Report(
        lang="nl",
        incident=hostile("incident"),
        title=hostile("title"),
        exercise=exercise,
        verified=False,
        last_hash=hostile("hash"),
        alert=hostile("alert"),
        sections=sections,
        data={},
    )
    seen = _as_read(built, fmt)
    assert seen.tags <= (HTML_TAGS if fmt == "html" else MD_TAGS)
    text = "".join(seen.text)
    for name in (
        "section-title",
        "fact-label",
        "fact-value",
        "column",
        "cell",
        "section-alert",
        "empty-title",
        "empty",
        "incident",
        "title",
        "alert",
    ):
        assert hostile(name) in text, name
    if fmt == "html":  # in Markdown the hash is a code span: shown as is, never markup
        assert hostile("hash") in text
