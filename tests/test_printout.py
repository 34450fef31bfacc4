"""The printed runbook: a quick reference (phone list first, index, compact steps, sources once),
the `--full` variant, escaping, and the page plan that puts each step on a known page.

What Chromium makes of the HTML (pages, text per page) is tested in test_print_pdf.py."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cli_run import runner  # settings from the developer's shell cleared

import draaiboek.cli.author  # noqa: F401  (registers the commands)
from draaiboek.cli.app import app
from draaiboek.load.library import Library, load_library
from draaiboek.model.catalogue import Messages
from draaiboek.services import page, print_blocks, print_layout, printout
from draaiboek.services.graph import walking_order

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "valid"
SHIPPED = REPO / "runbooks"
EXAMPLE = CORPUS / "every-step-type.yaml"
HOSTILE = "<script>alert(1)</script> *vet* [link](http://x) | # &amp; </style>"


def corpus(folder: Path = CORPUS) -> Library:
    return load_library([folder], today=date(2026, 1, 1))


def shipped() -> Library:
    return load_library([SHIPPED], today=date(2026, 1, 1))


def hostile_copy(tmp_path: Path) -> Path:
    for name in ("sub-procedure.yaml", "contacts.yaml"):
        shutil.copy(CORPUS / name, tmp_path / name)
    text = EXAMPLE.read_text(encoding="utf-8").replace('"Bel 112 testen"', json.dumps(HOSTILE))
    text = text.replace('"Vanuit alle netwerken"', json.dumps("1. " + HOSTILE + "\n- regel"))
    target = tmp_path / "every-step-type.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def visible_text(html: str) -> str:
    """What a reader sees of an HTML page: its text, without the style sheet."""
    checker = _Checker()
    checker.feed(html)
    return " ".join(checker.data)


@pytest.mark.parametrize("fmt", printout.FORMATS)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_step_numbered_in_walking_order_without_ids(fmt: str, lang: str) -> None:
    library = corpus()
    runbook = library.runbooks["every-step-type"]
    text = printout.render(runbook, library.contacts, fmt, lang, library.all_runbooks())
    shown = visible_text(text) if fmt == "html" else text.replace("**", "")
    positions = []
    for number, step_id in enumerate(walking_order(runbook), start=1):
        title = re.escape(page.esc(runbook.steps[step_id].title.get(lang)))
        if fmt == "html":  # the step's own frame, not its line in the index
            heading = rf'id="step-{number}"><div class="sh"><span class="title">'
            heading += rf'<span class="no">{number}</span> {title}'
        else:
            heading = rf"## {Messages(lang)('print.step')} {number} · {title}"
        match = re.search(heading, text)
        assert match, (number, step_id)
        positions.append(match.start())
    assert positions == sorted(positions)
    # Internal ids stay off paper: step, option, item, role and contact ids (those that are
    # not also words of the text: "lijst", "klaar").
    ids = ["vaststellen", "testbellen", "starttijd", "nlalert", "caco", "kpn-noc"]
    ids += ["nergens", "overal"] if lang == "en" else []
    for word in ids:
        assert not re.search(rf"(?<![\w-]){word}(?![\w-])", shown), word
    t = Messages(lang)
    assert text.count(runbook.sha256) >= (2 if fmt == "md" else 1) and "1.2.0" in text
    assert f"→ {t('print.goto', n=2)}" in shown and f"→ {t('print.goto', n=3)}" in shown
    assert ("Calamiteitencoördinator" if lang == "nl" else "Emergency coordinator") in shown
    assert "Subprocedure" in shown or "Sub-procedure" in shown  # the sub-runbook's title
    assert t("print.critical") in shown


def test_deadlines_say_what_they_count_from() -> None:
    library = corpus()
    runbook = library.runbooks["every-step-type"]  # no time-zero step: counts from the start
    text = printout.render(runbook, library.contacts, "md", "nl")
    assert "T+15 min na de start van het incident" in text
    big = shipped()
    walked = big.runbooks["112-onbereikbaar"]
    assert walked.time_zero is not None
    for lang, words in (("nl", "min na het eerste signaal"), ("en", "min after the first signal")):
        text = printout.render(walked, big.contacts, "md", lang, big.all_runbooks())
        assert re.search(rf"T\+\d+ {words}", text)
        assert "na de start" not in text and "after the start" not in text
        assert Messages(lang)("print.time-base-signal") in text


def test_page_one_is_the_phone_list_with_numbers_in_their_own_column() -> None:
    big = shipped()
    runbook = big.runbooks["112-onbereikbaar"]
    paper = printout.build(runbook, big.contacts, "nl", big.all_runbooks())
    named = printout.contact_ids(runbook)
    assert [c.name for c in paper.contacts] == [big.contacts[c].name.get("nl") for c in named]
    first = print_layout.plan(paper).pages[0]
    for contact_id in named:
        for number in big.contacts[contact_id].numbers:
            # Its own cell, set so that it never wraps (see the style sheet), and flagged.
            cell = f'<td class="number">{page.esc(number.number)}</td>'
            assert cell in first, number.number
    assert "table.phones td.number" in print_layout.css(paper)
    assert re.search(r"td\.number \{[^}]*white-space: nowrap", print_layout.css(paper))
    assert first.count('class="flag"') == sum(
        1 for c in paper.contacts for w in c.ways if w.example
    )
    assert "step-1" not in first  # the steps start after the index


def test_steps_name_their_contacts_and_the_numbers_stay_on_the_phone_list() -> None:
    library = corpus()
    runbook = library.runbooks["every-step-type"]
    quick = printout.render(runbook, library.contacts, "md", "nl")
    _, steps = quick.split("## Stap 1 ·", 1)
    assert "KPN Network Operations Centre (nummers in de telefoonlijst)" in steps
    assert "+31 00 000 0000" not in steps
    full = printout.render(runbook, library.contacts, "md", "nl", full=True)
    _, steps = full.split("## Stap 1 ·", 1)
    assert "Storingslijn: +31 00 000 0000 (VOORBEELD)" in steps


def test_sources_once_at_the_end_and_notes_only_in_full() -> None:
    big = shipped()
    runbook = big.runbooks["112-onbereikbaar"]
    noted = next(s for s in runbook.steps.values() if s.note)
    last_title = runbook.steps[walking_order(runbook)[-1]].title.get("nl")
    for fmt, shown_as in (("md", page.md_escape), ("html", lambda text: text)):
        quick = printout.render(runbook, big.contacts, fmt, "nl", big.all_runbooks())
        shown = visible_text(quick) if fmt == "html" else quick
        after_steps = shown.rfind(shown_as(last_title))
        for source in runbook.sources.values():
            assert shown.count(shown_as(source.title)) == 1, source.id
            assert shown.find(shown_as(source.title)) > after_steps, source.id
        assert shown_as(noted.note.get("nl"))[:40] not in shown
        full = printout.render(runbook, big.contacts, fmt, "nl", big.all_runbooks(), full=True)
        full_shown = visible_text(full) if fmt == "html" else full
        assert shown_as(noted.note.get("nl"))[:40] in full_shown


@pytest.mark.parametrize("fmt", printout.FORMATS)
def test_example_numbers_are_flagged(fmt: str) -> None:
    library = corpus()
    runbook = library.runbooks["every-step-type"]
    for lang in ("nl", "en"):
        t = Messages(lang)
        text = printout.render(runbook, library.contacts, fmt, lang)
        assert t("print.example-legend") in text
        row = re.search(r"\+31 00 000 0000.{0,80}", text)
        assert row and t("print.example-short") in row.group(), row
    unknown = printout.render(runbook, {}, fmt, "nl")
    assert "kpn-noc (niet in het register)" in unknown


def test_marks_survive_a_printer_without_colour() -> None:
    library = corpus()
    paper = printout.build(library.runbooks["every-step-type"], library.contacts, "nl")
    css = print_layout.css(paper)
    for rule in (".crit", ".flag", ".legend"):
        found = re.search(re.escape(rule) + r" \{([^}]*)\}", css)
        assert found, rule
        assert "bold" in found.group(1) and "border" in found.group(1), rule
    colours = set(re.findall(r"#[0-9a-fA-F]{3,6}\b", css))
    assert colours <= {"#000", "#999"}  # black, and the screen-only page separator


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.data: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.data.append(data)


def test_html_is_self_contained_a4_and_escaped(tmp_path: Path) -> None:
    hostile_copy(tmp_path)
    library = corpus(tmp_path)
    runbook = library.runbooks["every-step-type"]
    text = printout.render(runbook, library.contacts, "html", "nl", library.all_runbooks())
    checker = _Checker()
    checker.feed(text)
    assert "script" not in checker.tags and "link" not in checker.tags
    assert not {"src", "href", "onload", "onerror"} & set(checker.attrs)
    assert "url(" not in text and "@import" not in text
    assert "@page { size: A4;" in text
    # The seal and the title run in the page margins, as CSS strings: escaped there too.
    assert re.search(r"@top-left \{ content: \"[^\"]*" + runbook.sha256, text)
    assert "counter(page)" in text and "counter(pages)" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    assert text.count("</style>") == 1
    assert HOSTILE in "".join(checker.data)  # shown as text, exactly


def test_markdown_is_escaped(tmp_path: Path) -> None:
    hostile_copy(tmp_path)
    library = corpus(tmp_path)
    text = printout.render(library.runbooks["every-step-type"], library.contacts, "md", "nl")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert r"\*vet\*" in text and r"\[link\](http://x)" in text and r"\|" in text
    assert r"&amp;amp;" in text and r"\#" in text
    assert r"1\. &lt;script" in text and "<br>- regel" in text  # after <br>: still inline


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("1. een", r"1\. een"),
        ("- een\n- twee", r"\- een<br>- twee"),
        ("+", r"\+"),
        ("1.2.0", "1.2.0"),
        ("-5 graden", "-5 graden"),
        ("---", r"\---"),
        ("==", r"\=="),
        ("a_b*c", r"a\_b\*c"),
        ("", ""),
        ("<b>&", "&lt;b&gt;&amp;"),
        ("# kop", r"\# kop"),
        ("`x` ~y~", r"\`x\` \~y\~"),
    ],
)
def test_md_escape(text: str, escaped: str) -> None:
    assert page.md_escape(text) == escaped


@pytest.mark.parametrize(
    "text", ['a"b', "a\\b", "</style><script>", "é ü → x", "a\nb", "\x1b[31m", "ab12 cd"]
)
def test_css_string_cannot_end_the_string_or_the_sheet(text: str) -> None:
    quoted = page.css_string(text)
    inner = quoted[1:-1]
    assert quoted[0] == quoted[-1] == '"'
    assert '"' not in inner and "<" not in inner and "\n" not in inner and "\x1b" not in inner
    # Every escape is six hex digits and a space: decode them back.
    decoded = re.sub(r"\\([0-9a-f]{6}) ", lambda m: chr(int(m[1], 16)), inner)
    assert decoded == text.replace("\x1b", "\\x1b")


def _plans() -> list[tuple[str, printout.Printout]]:
    found = []
    for library in (corpus(), shipped()):
        for runbook_id, runbook in library.runbooks.items():
            for full in (False, True):
                paper = printout.build(
                    runbook, library.contacts, "nl", library.all_runbooks(), full=full
                )
                found.append((f"{runbook_id}{' --full' if full else ''}", paper))
    return found


def test_the_page_plan_never_fills_a_page_beyond_its_height() -> None:
    for name, paper in _plans():
        planned = print_layout.plan(paper)
        assert sorted(planned.steps) == [s.number for s in paper.steps], name
        assert list(planned.steps.values()) == sorted(planned.steps.values()), name
        assert min(planned.steps.values()) >= 2, name  # page 1 is the phone list
        assert max(planned.used) <= print_blocks.HEIGHT, name
        assert len(planned.pages) == len(planned.used), name


def test_the_112_quick_reference_is_planned_on_at_most_14_pages() -> None:
    big = shipped()
    runbook = big.runbooks["112-onbereikbaar"]
    paper = printout.build(runbook, big.contacts, "nl", big.all_runbooks())
    planned = print_layout.plan(paper)
    assert len(planned.pages) <= 14
    assert Messages("nl")("print.index") in planned.pages[1]  # on page 2
    html = printout.render(runbook, big.contacts, "html", "nl", big.all_runbooks())
    assert f'<meta name="draaiboek-pages" content="{len(planned.pages)}">' in html
    for number, page_no in planned.steps.items():  # the index says the planned page
        row = rf'<td class="no">{number}</td><td>[^<]*</td><td class="pg">{page_no}<'
        assert re.search(row, html), number
        assert f'id="step-{number}"' in planned.pages[page_no - 1]


def test_a_checklist_goes_on_over_the_page_only_between_its_rows() -> None:
    """A checklist taller than what is left on a page is split between its rows, with its
    title again and the column heads on the next page; other steps move whole."""
    continued = Messages("nl")("print.continued")
    split = 0
    for name, paper in _plans():
        for html in print_layout.plan(paper).pages:
            for more in re.findall(r'<section class="step more">(.*?)</section>', html, re.S):
                split += 1
                assert f"({continued})" in more and 'class="item ihead"' in more, name
    assert split  # the shipped runbooks have checklists that are split


def test_cli_print(tmp_path: Path) -> None:
    result = runner.invoke(app, ["print", str(EXAMPLE), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "## Step 1 · Can 112 be reached?" in result.stdout
    assert result.stdout.index("## Phone list") < result.stdout.index("## Step 1")
    target = tmp_path / "out.html"
    result = runner.invoke(
        app,
        [
            "print",
            "every-step-type",
            "--runbooks",
            str(CORPUS),
            "--format",
            "html",
            "--full",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "+31 00 000 0000" in target.read_text(encoding="utf-8").split("step-1", 1)[1]
    assert runner.invoke(app, ["print", str(EXAMPLE), "--format", "pdf"]).exit_code == 2
    result = runner.invoke(app, ["print", str(EXAMPLE), "-o", str(tmp_path / "no" / "x.md")])
    assert result.exit_code == 1 and "x.md" in result.stderr


def test_a_runbook_with_errors_is_not_printed(tmp_path: Path) -> None:
    for name in ("sub-procedure.yaml", "contacts.yaml"):
        shutil.copy(CORPUS / name, tmp_path / name)
    broken = tmp_path / "every-step-type.yaml"
    broken.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("next: lijst", "next: lijstje"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["print", str(broken)])
    assert result.exit_code == 1 and result.stderr and result.stdout == ""
