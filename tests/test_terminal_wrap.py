"""What must stay whole on screen (a phone number, a command to copy) is never broken where a
line wraps: on a terminal (rich draws the line) and in plain output (a pipe, a file)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

import draaiboek.cli.main  # noqa: F401  (registers every command)
from draaiboek.cli.app import app
from draaiboek.cli.output import KEEP, ScreenOutput, whole

REPO = Path(__file__).resolve().parent.parent
NUMBER = "+31 00 000 0001"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def screen(width: int, terminal: bool) -> tuple[ScreenOutput, io.StringIO]:
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        highlight=False,
        emoji=False,
        force_terminal=terminal,
        color_system="standard" if terminal else None,
        no_color=not terminal,
    )
    return ScreenOutput(console), out


def lines_of(out: io.StringIO) -> list[str]:
    return ANSI.sub("", out.getvalue()).rstrip("\n").split("\n")


def test_a_number_at_the_edge_moves_to_the_next_line_whole() -> None:
    for terminal in (False, True):
        output, out = screen(80, terminal)
        before = "☎ Landelijke 112-centrale (LMS, Driebergen) — Operationele lijn (voorbeeld): "
        output.line(before, (whole(NUMBER), "bold"), " (VOORBEELDNUMMER — NIET BELLEN)")
        lines = lines_of(out)
        assert any(NUMBER in line for line in lines), lines
        assert all(len(line) <= 80 for line in lines)
        assert KEEP not in out.getvalue()
        if terminal:
            assert "\x1b[1m" in out.getvalue()  # still bold


def test_a_command_wider_than_the_screen_is_one_line() -> None:
    command = "draaiboek resume 20261129-2056-112-onbereikbaar-b40c --home /tmp/a/very/long/path"
    for terminal in (False, True):
        output, out = screen(60, terminal)
        output.say(f"Gepauzeerd. Verder gaan:\n  {whole(command)}")
        lines = lines_of(out)
        assert lines == ["Gepauzeerd. Verder gaan:", f"  {command}"], lines


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-():", min_size=1, max_size=12)


@given(
    before=st.lists(_WORD, max_size=12),
    after=st.lists(_WORD, max_size=12),
    width=st.integers(min_value=20, max_value=100),
    terminal=st.booleans(),
)
def test_a_whole_text_is_never_broken(
    before: list[str], after: list[str], width: int, terminal: bool
) -> None:
    output, out = screen(width, terminal)
    output.line(" ".join(before) + " ", (whole(NUMBER), "bold"), " " + " ".join(after))
    text = ANSI.sub("", out.getvalue())
    assert NUMBER in text
    assert " ".join(text.split()) == " ".join([*before, NUMBER, *after])  # nothing lost
    assert all(len(line) <= width for line in text.rstrip("\n").split("\n"))


def test_the_walk_keeps_numbers_and_the_resume_command_whole(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = CliRunner().invoke(
        app,
        [
            "start",
            "112-onbereikbaar",
            "--runbooks",
            str(REPO / "runbooks"),
            "--operator",
            "J. de Vries",
            "--home",
            str(home),
            "--exercise",
        ],
        input="15:34\nj\n",
        env={"COLUMNS": "80", "NO_COLOR": "1", "DRAAIBOEK_LANG": None, "DRAAIBOEK_HOME": None},
    )
    shown = result.output
    numbers = re.findall(r"\+31 00 000 \d{4}", shown)
    assert numbers  # the contacts of the steps shown
    assert not re.search(r"\+31\s*\n|\+31 00\s*\n|\+31 00 000\s*\n", shown)
    incident = next(home.glob("incidents/*")).name
    assert re.search(rf"^  \S*draaiboek resume {incident} --home \S+$", shown, re.M), shown
