"""How much room a text takes on paper: line counts for the printout's own page plan.

Chromium prints `counter(page)` in a page's margin but has no `target-counter()`, so the
printout cannot ask the browser on which page a step lands: it plans the pages itself (see
`print_layout`) and must know how many lines each text wraps to. The widths below are those of
DejaVu Sans, the printout's first font and the one Debian's Chromium falls back to; each is the
larger of DejaVu Sans and Liberation Sans (Arial's metrics), so that a text never takes more
room than planned in either. Other fonts (Helvetica, Arial) are narrower: the plan then leaves
some space, never too little.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

PT = 25.4 / 72  # millimetres per point

_ASCII = "".join(chr(code) for code in range(32, 127))
# Advance widths in thousandths of an em, for the characters of _ASCII in order.
_REGULAR = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 556, 1015, 684, 686, 722,
    770, 667, 611, 778, 752, 295, 500, 667, 557, 863, 748, 787, 667, 787, 722, 667, 611, 732,
    684, 989, 685, 667, 685, 390, 337, 390, 838, 556, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,
    525, 636, 337, 636, 838,
)  # fmt: skip
_BOLD = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 611, 1000, 774, 762, 734,
    830, 683, 683, 821, 837, 372, 556, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812,
    774, 1103, 771, 724, 725, 457, 365, 457, 838, 556, 500, 675, 716, 593, 716, 678, 435, 716,
    712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652,
    582, 712, 365, 712, 838,
)  # fmt: skip
_MONO = 602  # every character of DejaVu Sans Mono and Liberation Mono
_WIDE = 1000  # anything else not derived from a Latin letter: as wide as an em dash
_SPECIAL = {"→": 1000, "—": 1000, "–": 556, "…": 1000, "·": 380, "“": 657, "”": 657, "‘": 380}
_SPECIAL |= {"’": 380, "×": 838, "≤": 838, "≥": 838, "€": 636, "°": 500, "\u00a0": 318}
# The browser's widths are summed in floating point and glyphs are kerned: a little margin.
_SAFETY = 1.02


@cache
def _em(char: str, bold: bool, mono: bool) -> float:
    if mono:
        return _MONO
    table = _BOLD if bold else _REGULAR
    index = _ASCII.find(char)
    if index >= 0:
        return table[index]
    if char in _SPECIAL:
        return _SPECIAL[char] * (1.08 if bold else 1.0)
    base = unicodedata.normalize("NFD", char)[:1]  # é -> e: accents do not widen a letter
    index = _ASCII.find(base) if base != char else -1
    return table[index] if index >= 0 else _WIDE


def width(text: str, size: float, bold: bool = False, mono: bool = False) -> float:
    """The width in millimetres of `text` on one line at `size` points."""
    ems = sum(_em(char, bold, mono) for char in text)
    return ems / 1000 * size * PT * _SAFETY


@dataclass(frozen=True)
class Run:
    """A stretch of text in one font: size in points, bold, monospaced."""

    text: str
    size: float
    bold: bool = False
    mono: bool = False


def count_runs(runs: Sequence[Run], room: float, first: float = 0.0) -> int:
    """How many lines these runs, one after the other, wrap to in a box `room` millimetres
    wide, breaking at spaces as a browser does (a word wider than the box is broken anywhere,
    as `overflow-wrap: anywhere` lets it); `first` millimetres of the first line are taken
    already. A line break in a text starts a new line. Nothing but spaces takes no line."""
    if not any(run.text.strip() for run in runs):
        return 0
    lines, used = 1, first
    for run in runs:
        space = width(" ", run.size, run.bold, run.mono)
        for number, paragraph in enumerate(run.text.split("\n")):
            if number:
                lines, used = lines + 1, 0.0
            words = paragraph.split(" ")
            for index, word in enumerate(words):
                gap = space if index or (paragraph[:1] == " ") else 0.0
                if not word:
                    used += gap if used > 0 else 0.0
                    continue
                wide = width(word, run.size, run.bold, run.mono)
                if used + gap + wide <= room:
                    used += gap + wide
                    continue
                if used > 0:
                    lines += 1
                while wide > room:  # a long word, e.g. an address: broken where the line ends
                    lines += 1
                    wide -= room
                used = wide
    return lines


def count_lines(
    text: str,
    room: float,
    size: float,
    bold: bool = False,
    mono: bool = False,
    first: float = 0.0,
) -> int:
    """How many lines `text` in one font wraps to in a box `room` millimetres wide (see
    `count_runs`)."""
    return count_runs([Run(text, size, bold, mono)], room, first)


def fits_on_one_line(text: str, room: float, size: float, bold: bool = False) -> bool:
    """Whether `text` stays on one line in `room` millimetres."""
    return width(text, size, bold) <= room
