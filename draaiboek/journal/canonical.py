"""The journal's line format: the canonical JSON of an event, its hash, and checking one line.

Every line is one event, a JSON object with ``seq`` (0, 1, 2, ...), ``at`` (UTC, ISO 8601 with
microseconds), ``type``, ``by``, the event's own fields, ``prev`` (the previous event's ``hash``,
``null`` for the first) and ``hash``. The rule, deliberately small enough to re-implement in ten
lines without this package::

    body = json.dumps(event_without_hash, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")
    hash = hashlib.sha256(body).hexdigest()
    line = json.dumps(event_with_hash, <same options>).encode("utf-8") + b"\\n"

Standard library only: the journal must stay verifiable on a bare emergency laptop.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

Event = dict[str, Any]

RESERVED_FIELDS = frozenset({"seq", "at", "type", "by", "prev", "hash"})

# One shared encoder: json.dumps() with non-default options builds a new encoder on every call,
# which would dominate the cost of verifying a long journal.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# Same output for every valid value, but refuses NaN/Infinity when writing: they are not JSON and
# would make the journal unreadable for verifiers in other languages.
_STRICT_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_DECODER = json.JSONDecoder()


def event_hash(event_without_hash: Mapping[str, Any]) -> str:
    """The hash of an event: sha256 hex of its canonical JSON without the ``hash`` field."""
    return hashlib.sha256(_ENCODER.encode(event_without_hash).encode("utf-8")).hexdigest()


def seal(event: Event) -> tuple[Event, bytes]:
    """Add ``hash`` to ``event`` (which has every other field) and give the line to write.

    Returns the event as a reader will parse it back (tuples become lists, and so on) and the
    line's bytes, newline included. Raises ValueError when a value is not plain JSON (NaN,
    Infinity, an object of another type, a string that is not valid Unicode).
    """
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


def parse_line(raw: bytes) -> tuple[Event | None, str]:
    """The event on one complete line (without its newline), or None and why not."""
    try:
        obj = _DECODER.decode(raw.decode("utf-8"))
    except ValueError:  # includes UnicodeDecodeError and JSONDecodeError
        # Only looked at on failure, so good lines pay nothing for the nicer message.
        if not raw or raw.isspace():
            return None, "blank line"
        return None, "line is not valid JSON"
    if type(obj) is not dict:
        return None, "line is not a JSON object"
    return obj, ""


def line_problem(raw: bytes, obj: Event, seq: int, prev: str | None) -> str:
    """Why the parsed line ``raw`` is not the event ``seq`` following hash ``prev`` ("" if it
    is): its own hash, canonical form, required fields, seq and prev, in that order."""
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
    return ""


def type_marker(kind: str) -> bytes:
    """Bytes found on every canonical line of an event of this type: a cheap filter before
    decoding a line. A line with them may still be of another type (an object nested in a field
    can have a "type" key), so check the decoded event's type too."""
    return b'"type":' + _ENCODER.encode(kind).encode("utf-8")
