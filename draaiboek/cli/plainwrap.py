"""Plain text wrapped as rich wraps it, quickly, for the common case; None for the rest.

A walk piped to a file or another program prints plain text, wrapped at the console's width.
rich's own route (markup, segments, its word-by-word wrap) costs about as much per screen as
the two fsync'd journal appends of a step, so the common case is done here: a line that fits
is printed as it is, and a line of one-cell characters whose only white space is the space is
wrapped with string searches. Everything else (tabs, control codes, wide or zero-width
characters, other white space, a word longer than the width) is left to rich (None).

This is rich's greedy word wrap (`Text.wrap`: words are white space, non-space, white space;
a word that does not fit starts the next line; trailing white space beyond the width goes).
tests/test_render.py checks it against the installed rich with generated text, in CI with the
lowest rich allowed (.ci/lowest) and the pinned one (constraints.txt); it holds for rich 13.0.0,
14.0.0 and 15.0.0. Done with rich's public `Text.wrap` instead, a piped walk took about a third
longer per step when measured (the screen of a step went from about 0.1 to 0.4 ms).
"""

from __future__ import annotations

import re

from rich.cells import cell_len

# Control codes (rich strips some, passes others) and tabs (rich expands them).
_AWKWARD = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
# Characters rich counts as one cell each (part of its own list); the only white space among
# them are the space and the no-break space. _OTHER finds any other character.
_NARROW = re.compile(r"[\x20-\x7e\xa0-\xac\xae-\u02ff]*")
_OTHER = re.compile(r"[^\x20-\x7e\xa0-\xac\xae-\u02ff]")


def wrapped(text: str, width: int) -> str | None:
    """`text` (plain, lines split at "\\n") as rich prints it in `width` cells, each line
    ending in a newline; None where only rich can say."""
    if _AWKWARD.search(text) is not None:
        return None
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width and (_NARROW.fullmatch(line) or cell_len(line) <= width):
            out.append(line)  # it fits: rich prints it unchanged
            continue
        if "\xa0" in line or not _single_cells(line):
            return None
        pieces = _wrap_at_spaces(line, width)
        if pieces is None:
            return None
        out += pieces
    return "\n".join(out) + "\n"


def _single_cells(line: str) -> bool:
    """Whether every character takes one cell (as rich measures) and none is white space but
    the space."""
    return all(not other.isspace() and cell_len(other) == 1 for other in set(_OTHER.findall(line)))


def _wrap_at_spaces(line: str, width: int) -> list[str] | None:
    """The pieces rich cuts a line of one-cell characters and spaces into; None when a word is
    wider than the width (rich folds it)."""
    pieces = []
    end = len(line.rstrip(" "))  # past the last word
    pos = 0  # where the current output line starts: a word (with the line's leading spaces)
    while end - pos > width:
        first = line.find(" ", len(line) - len(line[pos:].lstrip(" ")))
        if (first if first >= 0 else len(line)) - pos > width:
            return None
        limit = pos + width  # a word must end by here to fit
        if line[limit] == " ":
            cut = len(line) - len(line[limit:].lstrip(" "))  # the next word starts the next line
        else:
            cut = line.rfind(" ", pos, limit) + 1  # the word running past the limit does
        pieces.append(_trimmed(line[pos:cut], width))
        pos = cut
    pieces.append(_trimmed(line[pos:], width))
    return pieces


def _trimmed(piece: str, width: int) -> str:
    """Trailing spaces beyond the width go (rich's Text.rstrip_end)."""
    if len(piece) <= width:
        return piece
    spaces = len(piece) - len(piece.rstrip())
    return piece[: len(piece) - min(spaces, len(piece) - width)]
