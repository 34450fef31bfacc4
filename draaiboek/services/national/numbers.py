"""Phone numbers in published text, checked against the contacts registry.

The 2019 lesson: a national NL-Alert carried a newspaper's tip line. Every number in a public
message or NL-Alert text is found and flagged unless it is a registry number that is neither an
example nor a proposal (not yet verified).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from draaiboek.model.runbook import Contact

# Digits with the separators people type in numbers (space, dash, dot, slash, parentheses),
# optionally starting with + or 00. Times (18:00) and dates in words are not matched; dates
# with dashes (24-06-2019) are, and dropped by `normalise` (they do not start like a number).
_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[\d \-./()]{0,18}\d)?(?!\w)")
_SHORT = re.compile(r"^(?:112|144|1400|14\d{3}|18\d{2})$")


@dataclass(frozen=True)
class Known:
    """A registry number: who it belongs to and whether it may be published."""

    contact: str
    flag: str  # "" (verified: neither an example nor a proposal) | "example" | "unverified"


@dataclass(frozen=True)
class Found:
    """A number as written in a published text, its digits, and why it is flagged ('' = ok)."""

    text: str
    digits: str
    flag: str  # "" | "not-in-registry" | "example" | "unverified"
    contact: str | None


def normalise(text: str) -> str | None:
    """The national form of a Dutch phone number (0 + digits, short numbers as they are), or
    None when `text` is not one: +31 6 1234 5678, 0031612345678 and 06-12345678 all give
    0612345678; 112 stays 112."""
    plus = text.lstrip().startswith("+")
    # "+31 (0)20 ..." writes the trunk 0 in parentheses: it is not dialled after +31.
    digits = re.sub(r"\D", "", text.replace("(0)", ""))
    if plus or digits.startswith("00"):
        digits = digits[2:] if digits.startswith("00") else digits
        if digits.startswith("31"):
            return "0" + digits[2:] if 9 <= len(digits) - 2 <= 10 else None
        return "+" + digits if 8 <= len(digits) <= 15 else None
    if _SHORT.match(digits):
        return digits
    if digits.startswith("0") and 8 <= len(digits) <= 11:
        return digits
    return None


def registry(contacts: Mapping[str, Contact]) -> dict[str, Known]:
    """Normalised number -> what the registry says of it. A number listed twice is verified
    when any of its entries is."""
    known: dict[str, Known] = {}
    for contact in contacts.values():
        for number in contact.numbers:
            digits = normalise(number.number)
            if digits is None:
                continue
            if contact.is_example(number):
                flag = "example"
            elif contact.proposal or number.proposal:
                flag = "unverified"
            else:
                flag = ""
            if digits not in known or (not flag and known[digits].flag):
                known[digits] = Known(contact.id, flag)
    return known


def find_numbers(text: str, known: Mapping[str, Known]) -> list[Found]:
    """Every phone number in `text`, each with its flag."""
    found = []
    for match in _CANDIDATE.finditer(text):
        written = match.group(0).strip(" -./()")
        digits = normalise(written)
        if digits is None:
            continue
        entry = known.get(digits)
        flag = "not-in-registry" if entry is None else entry.flag
        found.append(Found(written, digits, flag, entry.contact if entry else None))
    return found


def all_numbers(texts: Iterable[str], known: Mapping[str, Known]) -> list[Found]:
    return [found for text in texts for found in find_numbers(text, known)]
