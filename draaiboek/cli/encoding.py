"""Output to a stream that cannot encode every character (a Windows code page, a terminal set to
Latin-1, PYTHONIOENCODING=cp1252): degrade, never fail.

What the tool prints is Unicode (Dutch text, ✓, ☎, —). Where stdout or stderr is not UTF-8,
a character its encoding lacks is written as a stand-in instead of raising UnicodeEncodeError
(which would end a walk as an internal error): a symbol of ours gets an ASCII word or sign
(✓ -> "ok", ☎ -> "tel"), a letter its base letter (ő -> "o"), anything else "?".
"""

from __future__ import annotations

import codecs
import sys
import unicodedata

ERRORS = "draaiboek-stand-in"

_STAND_INS = {
    "✓": "ok",
    "✗": "x",
    "☎": "tel",
    "↪": "->",
    "→": "->",
    "⏰": "(!)",
    "—": "-",
    "–": "-",
    "·": "-",
    "…": "...",
    "─": "-",
    "•": "*",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "\u00a0": " ",
}


def stand_in(char: str) -> str:
    """An ASCII text for one character that the output cannot encode."""
    if char in _STAND_INS:
        return _STAND_INS[char]
    base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
    return base or "?"


def _handler(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(stand_in(char) for char in bad), error.end


codecs.register_error(ERRORS, _handler)


def degrade_unencodable() -> None:
    """Make stdout and stderr write stand-ins for what their encoding lacks (UTF-8 streams, and
    streams that are not real text files, such as a test runner's, are left as they are)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        reconfigure = getattr(stream, "reconfigure", None)
        if not encoding or reconfigure is None:
            continue
        try:
            if codecs.lookup(encoding).name == "utf-8":
                continue
            reconfigure(errors=ERRORS)
        except (LookupError, ValueError, OSError):  # an unknown codec, a closed stream
            continue
