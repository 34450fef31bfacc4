"""Text is text: which characters are refused in what a person or a file gives us, and how text
that holds them anyway is shown.

Refused: C0 control characters except tab and newline, DEL, and C1 (U+0080..U+009F). Such a
character does nothing useful in a runbook, a note or a name, and on a terminal it can move the
cursor, recolour the screen or hide text (an escape sequence). A file that holds one is a
finding (`validate`), a typed line that holds one is asked again; what is stored already (an
older journal, a stored runbook copy) is shown with the character written out as ``\\x1b``.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_LINE_END = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # tab and newline too


def first_control(text: str) -> int | None:
    """The index of the first refused control character in `text`; None when there is none."""
    found = CONTROL.search(text)
    return found.start() if found is not None else None


def describe_control(text: str) -> str:
    """The first refused control character of `text` as a person can read it ("U+001B"), or ""
    when there is none."""
    index = first_control(text)
    return f"U+{ord(text[index]):04X}" if index is not None else ""


def _written_out(found: re.Match[str]) -> str:
    char = found.group()
    return {"\n": "\\n", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}")


def visible(text: str, *, one_line: bool = False) -> str:
    """`text` with every refused control character written out (``"\\x1b"`` for ESC), so that
    it shows on a screen, in a report or a graph as what it is and does nothing; with
    `one_line`, tabs and newlines are written out too (a name in a header, an id)."""
    pattern = _CONTROL_OR_LINE_END if one_line else CONTROL
    if pattern.search(text) is None:  # nearly always: no copy
        return text
    return pattern.sub(_written_out, text)


_SURROGATE = re.compile(r"[\ud800-\udfff]")  # bytes that were not UTF-8 (surrogateescape)


def refusal(line: str) -> tuple[str, str] | None:
    """Why a typed line is not taken as it is, as (code, detail), or None when it is fine:
    "not-utf8" for bytes that were not UTF-8 (decoded with surrogateescape, as a terminal's
    line editor does), "control-character" with the character ("U+001B")."""
    if _SURROGATE.search(line) is not None:
        return "not-utf8", ""
    if first_control(line) is not None:
        return "control-character", describe_control(line)
    return None
