"""Semantic versions of runbooks and scenarios: parse, order, match a range.

Used by `diff` (which raise a change calls for) and by scenarios (which runbook versions they
were written for). No dependency: the subset of semver that runbooks use.
"""

from __future__ import annotations

import re
from typing import Any

_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$")
_COMPARATOR = re.compile(r"(>=|<=|>|<|==|=|\^|~)?\s*([0-9][0-9A-Za-z.-]*)")
Version = tuple[int, int, int, tuple[tuple[int, int | str], ...]]


def parse_version(text: str) -> Version:
    match = _VERSION.match(text.strip())
    if not match:
        raise ValueError(f"not a semantic version (MAJOR.MINOR.PATCH): {text!r}")
    pre = tuple((0, int(p)) if p.isdigit() else (1, p) for p in (match[4] or "").split(".") if p)
    return int(match[1]), int(match[2]), int(match[3]), pre


def precedence(version: Version) -> tuple[Any, ...]:
    # semver precedence: a pre-release comes before its release; numeric parts before text
    major, minor, patch, pre = version
    return (major, minor, patch, 0 if pre else 1, pre)


def version_matches(version: str, wanted: str) -> bool:
    """Does `version` satisfy every comparator in `wanted` (e.g. '>=1.0.0 <2.0.0', '^1.2.0')?"""
    have = precedence(parse_version(version))
    found = _COMPARATOR.findall(wanted)
    if not found or _COMPARATOR.sub("", wanted).strip():
        raise ValueError(f"not a version range: {wanted!r}")
    for op, text in found:
        bound = parse_version(text)
        low, major, minor = precedence(bound), bound[0], bound[1]
        if op in ("^", "~"):
            if op == "~" or (major == 0 and minor > 0):
                top = (major, minor + 1, 0)
            else:
                top = (major + 1, 0, 0) if major else (0, 0, bound[2] + 1)
            ok = low <= have < (*top, 0, ())
        else:
            ok = {">=": have >= low, "<=": have <= low, ">": have > low, "<": have < low}.get(
                op, have == low
            )
        if not ok:
            return False
    return True
