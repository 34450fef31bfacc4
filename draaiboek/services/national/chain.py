"""An event as the store receives it: the exact bytes its hash covers.

The store checks ``hash == sha256(body)`` itself and reads seq and prev from the body, so the
body must be byte for byte what the journal hashed: the journal's canonical JSON of the event
without ``hash``. Every body is checked against the event's own hash before it leaves the
station, so a journal written under another hash rule is refused here, never forwarded wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from draaiboek.journal.canonical import canonical_body
from draaiboek.services.national.connect import NationalError


def body_of(event: Mapping[str, Any]) -> tuple[str, str]:
    """(hash, body) of a journal event; NationalError when the hash does not cover the body."""
    fields = {key: value for key, value in event.items() if key != "hash"}
    body = canonical_body(fields)
    stored = event.get("hash")
    if not isinstance(stored, str) or hashlib.sha256(body.encode("utf-8")).hexdigest() != stored:
        raise NationalError(
            f"event {event.get('seq')} does not hash to its own hash under the rule this version "
            "forwards: run 'draaiboek verify' on the incident"
        )
    return stored, body
