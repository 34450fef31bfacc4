"""Text is text: control characters refused where text comes in (a file, a typed line) and
written out where stored text goes out (screen, printout, graph, report)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from draaiboek.cli.render import Screen
from draaiboek.load.documents import read_document
from draaiboek.model.catalogue import Messages
from draaiboek.model.text import CONTROL, describe_control, first_control, refusal, visible
from draaiboek.services.page import esc, md_escape

# Every character the rule refuses: C0 but tab and newline, DEL, C1.
REFUSED = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]]


@pytest.mark.parametrize("char", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_every_refused_character_is_found_and_written_out(char: str) -> None:
    text = f"a{char}b"
    assert first_control(text) == 1
    assert describe_control(text) == f"U+{ord(char):04X}"
    assert visible(text) == f"a\\x{ord(char):02x}b"
    assert refusal(text) == ("control-character", f"U+{ord(char):04X}")


@pytest.mark.parametrize("text", ["", "gewoon", "tab\there", "twee\nregels", "ë · ☎ [/x]"])
def test_tab_newline_and_ordinary_text_pass(text: str) -> None:
    assert first_control(text) is None
    assert visible(text) is text  # nothing to write out: no copy
    assert refusal(text) is None


def test_one_line_writes_out_tab_and_newline_too() -> None:
    assert visible("Jan\nPiet\tKees", one_line=True) == "Jan\\nPiet\\tKees"


def test_bytes_that_were_not_utf8_are_refused() -> None:
    line = b"caf\xe9 \xff".decode("utf-8", errors="surrogateescape")
    assert refusal(line) == ("not-utf8", "")


@given(st.text())
def test_visible_text_holds_no_control_character(text: str) -> None:
    assert CONTROL.search(visible(text)) is None
    assert "\n" not in visible(text, one_line=True)


def _screen(out: io.StringIO) -> Screen:
    console = Console(file=out, width=100, highlight=False, emoji=False, no_color=True)
    return Screen(console, Messages("nl"), "Europe/Amsterdam", {})


@pytest.mark.parametrize("how", ["line", "say", "styled"])
def test_a_stored_escape_sequence_is_shown_written_out_on_screen(how: str) -> None:
    out = io.StringIO()
    screen = _screen(out)
    note = "rood \x1b[31mRED\x1b[0m \x9b2J \x00 klaar"
    if how == "line":
        screen.line("notitie: ", note)
    elif how == "styled":
        screen.line((note, "bold"))
    else:
        screen.say("notitie: " + note.replace("[", "\\["))
    shown = out.getvalue()
    assert CONTROL.search(shown) is None
    assert "\\x1b[31mRED\\x1b[0m \\x9b2J \\x00 klaar" in shown


def test_markdown_and_html_write_control_characters_out() -> None:
    note = "zie \x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\"
    for rendered in (md_escape(note), esc(note)):
        assert CONTROL.search(rendered) is None
        assert "x1b" in rendered


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_control_character_written_as_a_yaml_escape_is_a_finding_at_its_value(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path,
        "format: draaiboek-contacts/1\n"
        "contacts:\n"
        "  kpn-noc:\n"
        '    name: "KPN \\e[2J NOC"\n'
        "    numbers:\n"
        '      - {label: Storingslijn, number: "+31 00 000 0000"}\n',
    )
    document, findings = read_document(path)
    assert document is not None and document.schema_valid
    found = [(f.code, f.line, f.column, f.path) for f in findings]
    assert found == [("control-character", 4, 11, "$.contacts.kpn-noc.name")]
    assert "U+001B" in findings[0].message


def test_a_control_character_in_a_key_is_a_finding_at_the_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'format: draaiboek-contacts/1\ncontacts:\n  "kpn\\x07noc":\n    name: KPN\n',
    )
    _, findings = read_document(path)
    control = [(f.line, f.column) for f in findings if f.code == "control-character"]
    assert control == [(3, 3)]


def test_a_file_without_a_backslash_is_not_walked_for_control_characters(
    tmp_path: Path,
) -> None:
    # YAML cannot hold a raw control character (the reader refuses it as binary), so only an
    # escape in a double-quoted string can write one: no backslash, nothing to look for.
    path = _write(tmp_path, "format: draaiboek-contacts/1\ncontacts: {}\n")
    _, findings = read_document(path)
    assert [f for f in findings if f.code == "control-character"] == []
