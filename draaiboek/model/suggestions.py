"""Suggestions for a misspelt name ("did you mean ...?"), for findings and errors."""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """` (did you mean 'einde'?)` for the known name closest to `name` (difflib's ratio of at
    least 0.6), or "" when none is close: appended to a message as it stands."""
    import difflib  # only needed when something is wrong: not on the walk's start-up path

    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
