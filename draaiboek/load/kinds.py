"""Whether a YAML file is meant as a draaiboek file, from its text alone (even when it does not
parse): for `validate --only-draaiboek`, which a pre-commit hook runs on every YAML file of a
repository and which must pass over a CI workflow or a `.pre-commit-config.yaml`, yet never over
a runbook that lost its `format:` line.
"""

from __future__ import annotations

import re

# Keys at the top level of a file (column 0, optionally quoted) that only draaiboek files have
# together. A runbook is recognised by `steps`, or `start` with one of its other keys (a GitLab
# CI file may well have a job called `start`); the other kinds by two keys, so that a
# `contacts:` or `cases:` in some other tool's file is not taken for one of ours.
_TOP_KEY = re.compile(r"""^(?:"([^"\n]+)"|'([^'\n]+)'|([A-Za-z_][\w-]*))[ \t]*:(?:[ \t]|$)""", re.M)
_FORMAT = re.compile(r"""^["']?format["']?[ \t]*:[ \t]*["']?draaiboek""", re.M)
_SIGNS = (
    frozenset({"steps"}),
    frozenset({"start", "id"}),
    frozenset({"start", "title"}),
    frozenset({"start", "version"}),
    frozenset({"cases", "runbook"}),
    frozenset({"injects", "runbook"}),
    frozenset({"expectations", "runbook"}),
    frozenset({"contacts", "format"}),
)


def top_level_keys(text: str) -> set[str]:
    """The keys written at the start of a line: a block mapping's top-level keys."""
    return {next(group for group in match.groups() if group) for match in _TOP_KEY.finditer(text)}


def looks_like_draaiboek(raw: bytes) -> bool:
    """True when the file says `format: draaiboek...` or has the top-level keys of a runbook
    (`steps`, or `start` with `id`, `title` or `version`), a test or a scenario (`runbook` with
    `cases`, `injects` or `expectations`) or a contacts registry (`format` with `contacts`)."""
    text = raw.decode("utf-8", errors="replace")
    if _FORMAT.search(text):
        return True
    keys = top_level_keys(text)
    return any(sign <= keys for sign in _SIGNS)
