"""The printed runbook: every step in walking order, numbers flagged, escaped, A4 HTML."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

import draaiboek.cli.author  # noqa: F401  (registers the commands)
from draaiboek.cli.app import app
from draaiboek.load.library import Library, load_library
from draaiboek.model.catalogue import Messages
from draaiboek.services import page, printout
from draaiboek.services.graph import walking_order

CORPUS = Path(__file__).parent / "corpus" / "valid"
EXAMPLE = CORPUS / "every-step-type.yaml"
HOSTILE = "<script>alert(1)</script> *vet* [link](http://x) | # &amp;"
# Settings from the developer's shell must not change what the tests see.
runner = CliRunner(
    env={
        "DRAAIBOEK_LANG": None,
        "DRAAIBOEK_RUNBOOKS": None,
        "DRAAIBOEK_HOME": None,
        "NO_COLOR": "1",
    }
)


def corpus(folder: Path = CORPUS) -> Library:
    return load_library([folder], today=date(2026, 1, 1))


def hostile_copy(tmp_path: Path) -> Path:
    for name in ("sub-procedure.yaml", "contacts.yaml"):
        shutil.copy(CORPUS / name, tmp_path / name)
    text = EXAMPLE.read_text(encoding="utf-8").replace('"Bel 112 testen"', json.dumps(HOSTILE))
    text = text.replace('"Vanuit alle netwerken"', json.dumps("1. " + HOSTILE + "\n- regel"))
    target = tmp_path / "every-step-type.yaml"
    target.write_text(text, encoding="utf-8")
    return target


@pytest.mark.parametrize("fmt", printout.FORMATS)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_step_numbered_in_walking_order(fmt: str, lang: str) -> None:
    library = corpus()
    runbook = library.runbooks["every-step-type"]
    text = printout.render(runbook, library.contacts, fmt, lang, library.all_runbooks())
    step_word = Messages(lang)("print.step")
    positions = []
    for number, step_id in enumerate(walking_order(runbook), start=1):
        title = runbook.steps[step_id].title.get(lang)
        match = re.search(rf"{step_word} {number} · .*{re.escape(title)}.*{step_id}", text)
        assert match, (number, step_id)
        positions.append(match.start())
    assert positions == sorted(positions)
    assert text.count(runbook.sha256) >= 2 and "1.2.0" in text
    goto = Messages(lang)
    assert goto("print.goto", n=2) in text and goto("print.goto", n=3) in text  # the options
    assert ("T+15 min" in text) and ("15 min" in text)
    assert ("Calamiteitencoördinator" if lang == "nl" else "Emergency coordinator") in text
    assert "Subprocedure" in text or "Sub-procedure" in text  # the sub-runbook's title
    assert Messages(lang)("print.critical") in text


def test_markdown_has_the_seal_at_top_and_bottom_and_boxes() -> None:
    library = corpus()
    runbook = library.runbooks["every-step-type"]
    lines = printout.render(runbook, library.contacts, "md", "nl").strip().splitlines()
    assert runbook.sha256 in lines[0] and runbook.sha256 in lines[-1]
    assert "every-step-type" in lines[0] and "versie 1.2.0" in lines[-1]
    ticks = [line for line in lines if line.startswith("- [ ] ")]
    assert len(ticks) == 2 + 3 + 2 + 1 + 1 + 2  # options, action, items, input, runbook, end
    assert all("tijd:" in line for line in ticks)


@pytest.mark.parametrize("fmt", printout.FORMATS)
def test_example_numbers_are_flagged(fmt: str) -> None:
    library = corpus()
    runbook = library.runbooks["every-step-type"]
    for lang, flag in (
        ("nl", "VOORBEELDNUMMER — NIET GEBRUIKEN"),
        ("en", "EXAMPLE NUMBER — DO NOT USE"),
    ):
        text = printout.render(runbook, library.contacts, fmt, lang)
        assert re.search(r"\+31 00 000 0000\W+(strong class=\"warn\">)?\s*" + flag, text), text
    unknown = printout.render(runbook, {}, fmt, "nl")
    assert "kpn-noc (niet in het register)" in unknown


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
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
    assert "@page { size: A4;" in text and "page-break-inside: avoid" in text
    assert re.search(r'class="running-head">[^\n]*' + runbook.sha256, text)
    assert re.search(r'class="running-foot">[^\n]*' + runbook.sha256, text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
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


def test_cli_print(tmp_path: Path) -> None:
    result = runner.invoke(app, ["print", str(EXAMPLE), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Step 1 · Decision: Can 112 be reached?" in result.stdout
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
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert runner.invoke(app, ["print", str(EXAMPLE), "--format", "pdf"]).exit_code == 2
    result = runner.invoke(app, ["print", str(EXAMPLE), "-o", str(tmp_path / "no" / "x.md")])
    assert result.exit_code == 1 and "cannot write" in result.stderr


def test_a_runbook_with_errors_is_not_printed(tmp_path: Path) -> None:
    for name in ("sub-procedure.yaml", "contacts.yaml"):
        shutil.copy(CORPUS / name, tmp_path / name)
    broken = tmp_path / "every-step-type.yaml"
    broken.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("next: lijst", "next: lijstje"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["print", str(broken)])
    assert result.exit_code == 1 and "error" in result.stderr and result.stdout == ""
