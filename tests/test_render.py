"""The walk screen's plain-text output (a pipe, a file) must be exactly what rich would print."""

from __future__ import annotations

import io
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markup import escape
from rich.rule import Rule
from rich.text import Text

from draaiboek.cli.output import Part
from draaiboek.cli.render import Screen
from draaiboek.model.catalogue import Messages
from draaiboek.model.text import visible

PIECES = [
    "a", "bb", "word", "lange", " ", "  ", "   ", "\n", " \n", "é", "☎", "—", "漢字", "\u0301",
    "\xa0", "\u3000", "\u200b", "\t", "\r", "[", "]", "\\", "\\[", "[bold]", "[/]", "[/bold]",
    "[bold red]", "[/bold red]", "[red]", "[/red]", "[dim]", "[@click]", "·", "✓", "x" * 12,
    "y" * 90, "ab cd ef gh",
]  # fmt: skip
KINDS = ["text", "centred", "rule"]


def _console(out: io.StringIO, width: int) -> Console:
    return Console(file=out, width=width, highlight=False, emoji=False, no_color=True)


def _by_rich(lines: list[tuple[str, str]], width: int) -> str:
    out = io.StringIO()
    console = _console(out, width)
    for markup, how in lines:
        if how == "rule":
            console.print(Rule(style="dim"))
        elif how == "centred":
            console.print(markup, justify="center")
        else:
            console.print(markup)
    return out.getvalue()


def _by_screen(lines: list[tuple[str, str]], width: int) -> str:
    out = io.StringIO()
    screen = Screen(_console(out, width), Messages("nl"), "Europe/Amsterdam", {})
    assert screen._plain()
    with screen.block():
        for line in lines:
            screen._add(line)
    return out.getvalue()


def _outcome(
    draw: Callable[[list[tuple[str, str]], int], str], lines: list[tuple[str, str]], width: int
) -> str:
    try:
        return draw(lines, width)
    except Exception as exc:  # the same markup error either way
        return f"{type(exc).__name__}"


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from(PIECES), max_size=25), st.booleans(),
                  st.sampled_from(KINDS)),
        min_size=1, max_size=4,
    ),
    st.sampled_from([1, 3, 10, 20, 40, 80, 100]),
)  # fmt: skip
def test_plain_output_is_what_rich_prints(
    drawn: list[tuple[list[str], bool, str]], width: int
) -> None:
    lines = [("".join(pieces) if raw else escape("".join(pieces)), how)
             for pieces, raw, how in drawn]  # fmt: skip
    assert _outcome(_by_screen, lines, width) == _outcome(_by_rich, lines, width)


def test_a_long_step_text_wraps_as_rich_wraps_it() -> None:
    text = (
        "Houd de lijn vrij voor terugbellen en spreek een vast tijdstip af voor de volgende "
        "update. Als niemand opneemt, probeer het na vijf minuten opnieuw.  "
    ) * 3
    lines = [(escape(text), "text"), ("[bold]Kop[/] · v1 · incident x", "text"), ("", "rule")]
    for width in (40, 80, 100):
        assert _by_screen(lines, width) == _by_rich(lines, width)


WORDS = ["a", "bb", "word", "lange", "ë", "coördinatie", " ", " ", "  ", "     ", "x" * 12,
         "y" * 30, "ab cd", "\n", ".", ","]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40), st.sampled_from([5, 10, 20, 40, 80]))
def test_plain_text_wraps_as_rich_wraps_it(words: list[str], width: int) -> None:
    lines = [(escape("".join(words)), "text")]
    assert _by_screen(lines, width) == _by_rich(lines, width)


# --- lines built from parts (plain text and styled text), as the walk's screens build them ----

STYLES = [None, "bold", "dim", "bold cyan", "red", "bold red on white"]


def _visible(part: Part) -> Part:
    return visible(part) if isinstance(part, str) else (visible(part[0]), part[1])


def _parts_by_rich(lines: list[tuple[Part, ...]], width: int) -> str:
    """What rich prints of the parts once control characters are written out (model.text)."""
    out = io.StringIO()
    console = _console(out, width)
    for parts in lines:
        console.print(Text.assemble(*(_visible(part) for part in parts)))
    return out.getvalue()


def _parts_by_screen(lines: list[tuple[Part, ...]], width: int) -> str:
    out = io.StringIO()
    screen = Screen(_console(out, width), Messages("nl"), "Europe/Amsterdam", {})
    with screen.block():
        for parts in lines:
            screen.line(*parts)
    return out.getvalue()


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.lists(st.sampled_from(PIECES), max_size=8), st.sampled_from(STYLES)),
            max_size=5,
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([1, 3, 10, 20, 40, 80, 100]),
)
def test_lines_from_parts_are_what_rich_prints(
    drawn: list[list[tuple[list[str], str | None]]], width: int
) -> None:
    lines = [
        tuple("".join(text) if style is None else ("".join(text), style) for text, style in line)
        for line in drawn
    ]
    assert _parts_by_screen(lines, width) == _parts_by_rich(lines, width)


def test_markup_in_a_runbook_text_is_shown_as_text() -> None:
    hostile = "Bel [bold]nu[/bold] of [/] [@click]x[/] \\[ \\"
    width = 100
    shown = _parts_by_screen([(hostile,), ((hostile, "bold cyan"),)], width)
    assert shown == f"{hostile}\n{hostile}\n"
