"""The journal's line format: the canonical JSON of an event, its hash, and checking one line.

Every line is one event, a JSON object with ``seq`` (0, 1, 2, ...), ``at`` (UTC, ISO 8601 with
microseconds), ``type``, ``by``, the event's own fields, ``prev`` (the previous event's ``hash``,
``null`` for the first) and ``hash``. The rule, deliberately small enough to re-implement in ten
lines without this package::

    body = json.dumps(event_without_hash, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")
    hash = hashlib.sha256(body).hexdigest()
    line = json.dumps(event_with_hash, <same options>).encode("utf-8") + b"\\n"

The first event names the rule in ``hash_rule``:

- ``jcs-sha256`` (written since this field exists): the event holds no floats, no integer beyond
  ±(2**53 - 1) and no object key with a character outside the Basic Multilingual Plane. For
  such values the bytes above are exactly RFC 8785 (JCS), so a verifier in any language that
  sorts keys and writes compact UTF-8 JSON gets the same hash: number formatting, the one thing
  languages disagree on, never comes up.
- ``json-sorted-sha256`` (journals without ``hash_rule``, written before): the same bytes, but
  floats were allowed and are written as Python writes them (``60.0``). They keep verifying and
  resuming under their own rule.

Standard library only: the journal must stay verifiable on a bare emergency laptop.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

Event = dict[str, Any]

RULE_FIELD = "hash_rule"
CURRENT_RULE = "jcs-sha256"
LEGACY_RULE = "json-sorted-sha256"
RULES = frozenset({CURRENT_RULE, LEGACY_RULE})
RESERVED_FIELDS = frozenset({"seq", "at", "type", "by", "prev", "hash", RULE_FIELD})
MAX_SAFE_INTEGER = 2**53 - 1  # beyond it, JSON readers that use doubles change the number

# One shared encoder: json.dumps() with non-default options builds a new encoder on every call,
# which would dominate the cost of verifying a long journal.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# Same output for every valid value, but refuses NaN/Infinity when writing: they are not JSON and
# would make the journal unreadable for verifiers in other languages.
_STRICT_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_DECODER = json.JSONDecoder()


class _FloatFound(ValueError):
    pass


def _no_float(text: str) -> float:
    raise _FloatFound(text)


# Under the current rule a float on a line is a problem; the hook costs nothing on lines without.
_NO_FLOAT_DECODER = json.JSONDecoder(parse_float=_no_float)


def canonical_body(event_without_hash: Mapping[str, Any]) -> str:
    """The canonical JSON text of an event without its ``hash`` field (sorted keys, no spaces,
    non-ASCII as is): the text whose UTF-8 bytes :func:`event_hash` hashes, for a reader that
    must hand those exact bytes on (the national store checks the hash itself). Raises
    TypeError or ValueError for a value that is not JSON."""
    return _ENCODER.encode(event_without_hash)


def event_hash(event_without_hash: Mapping[str, Any]) -> str:
    """The hash of an event: sha256 hex of its canonical JSON without the ``hash`` field."""
    return hashlib.sha256(_ENCODER.encode(event_without_hash).encode("utf-8")).hexdigest()


def plain(value: Any) -> Any:
    """The nearest value the current rule accepts, for a caller that must not lose a value: a
    float that is a whole number becomes an int (``60.0`` -> ``60``), any other finite float its
    shortest decimal text (``12.5`` -> ``"12.5"``), an integer beyond ±(2**53 - 1) its decimal
    text; mappings and sequences are converted throughout (tuples become lists). Other values
    are returned as they are (``seal`` refuses what is still not plain JSON)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
            return int(value)
        return repr(value) if math.isfinite(value) else value
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def _check_plain(value: Any, where: str) -> None:
    """ValueError naming the place of a value the current rule does not allow."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, float):
        raise ValueError(
            f"{where} is not plain JSON for the journal: a float ({value!r}); give an integer "
            "or the number as text"
        )
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(
                f"{where} is not plain JSON for the journal: beyond ±(2**53 - 1); give it as text"
            )
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and any(ord(char) > 0xFFFF for char in key):
                raise ValueError(
                    f"key {key!r} in {where} is not plain JSON for the journal: a character "
                    "outside the Basic Multilingual Plane (its sort order differs between "
                    "languages)"
                )
            _check_plain(item, f"{where}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_plain(item, f"{where}[{index}]")


def seal(event: Event, rule: str) -> tuple[Event, bytes]:
    """Add ``hash`` to ``event`` (which has every other field) under ``rule``, and give the line
    to write.

    Returns the event as a reader will parse it back (tuples become lists, and so on) and the
    line's bytes, newline included. Raises ValueError when a value is not plain JSON (NaN,
    Infinity, an object of another type, a string that is not valid Unicode) or, under the
    current rule, a float, a too large integer or an odd key (see :func:`plain`).
    """
    if rule == CURRENT_RULE:
        _check_plain(event, "the event")
    try:
        body = _STRICT_ENCODER.encode(event).encode("utf-8")
        event["hash"] = hashlib.sha256(body).hexdigest()
        text = _STRICT_ENCODER.encode(event)
        line = text.encode("utf-8") + b"\n"
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        event.pop("hash", None)
        raise ValueError(f"fields must be plain JSON values: {exc}") from exc
    logged: Event = _DECODER.decode(text)
    return logged, line


def parse_line(raw: bytes, rule: str = LEGACY_RULE) -> tuple[Event | None, str]:
    """The event on one complete line (without its newline), or None and why not. Under the
    current rule a line with a float does not parse either."""
    try:
        obj = (_NO_FLOAT_DECODER if rule == CURRENT_RULE else _DECODER).decode(raw.decode("utf-8"))
    except _FloatFound as found:
        return None, f"a float ({found}) in a journal whose hash rule {rule} has none"
    except ValueError:  # includes UnicodeDecodeError and JSONDecodeError
        # Only looked at on failure, so good lines pay nothing for the nicer message.
        if not raw or raw.isspace():
            return None, "blank line"
        return None, "line is not valid JSON"
    if type(obj) is not dict:
        return None, "line is not a JSON object"
    return obj, ""


def rule_of(first: Mapping[str, Any]) -> tuple[str, str]:
    """The hash rule the journal whose first event is ``first`` uses, and "" or why it is not
    one this version knows."""
    rule = first.get(RULE_FIELD, LEGACY_RULE)
    if rule not in RULES:
        return LEGACY_RULE, f"unknown hash rule {rule!r} (written by a newer draaiboek?)"
    return str(rule), ""


def line_problem(raw: bytes, obj: Event, seq: int, prev: str | None) -> str:
    """Why the parsed line ``raw`` is not the event ``seq`` following hash ``prev`` ("" if it
    is): its own hash, canonical form, required fields, seq and prev, in that order."""
    problem = own_problem(raw, obj)
    if problem:
        return problem
    found = obj.get("seq")
    if type(found) is not int:
        return "seq missing or not an integer"
    if found != seq:
        return f"seq {seq} expected, found {found} (event removed or reordered)"
    if obj["prev"] != prev:
        return (
            "first event must have prev null"
            if seq == 0
            else "prev does not match hash of previous event"
        )
    if seq == 0:
        return rule_of(obj)[1]
    return ""


def own_problem(raw: bytes, obj: Event) -> str:
    """Why the parsed line ``raw`` is not an event by itself ("" if it is): its own hash, its
    canonical form and the fields every event has. The chain (seq, prev) is not looked at."""
    stored = obj.pop("hash", None)
    if type(stored) is not str:
        return "hash field missing or not a string"
    body = _ENCODER.encode(obj).encode("utf-8")
    obj["hash"] = stored
    if hashlib.sha256(body).hexdigest() != stored:
        return "hash does not match content (event changed)"
    # The hash member sorts after "at" and "by", so in the canonical line it is always preceded
    # by a comma; removing it must give exactly the hashed body. This catches hand edits that
    # keep the meaning (spacing, key order, duplicate keys).
    if raw.replace(b',"hash":"' + stored.encode("ascii") + b'"', b"", 1) != body:
        return "line is not in canonical form (edited by hand)"
    if not (
        type(obj.get("at")) is str
        and type(obj.get("type")) is str
        and type(obj.get("by")) is str
        and "prev" in obj
    ):
        return "required field missing or of the wrong type (seq, at, type, by, prev)"
    return ""


def type_marker(kind: str) -> bytes:
    """Bytes found on every canonical line of an event of this type: a cheap filter before
    decoding a line. A line with them may still be of another type (an object nested in a field
    can have a "type" key), so check the decoded event's type too."""
    return b'"type":' + _ENCODER.encode(kind).encode("utf-8")
