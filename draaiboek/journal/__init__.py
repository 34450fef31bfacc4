"""The append-only, hash-chained incident journal: the only code that knows its on-disk format.

Imports nothing from the rest of draaiboek (never YAML, runbooks or the clock: times are passed
in). The public API, for everything else:

- :class:`Journal` — the one writer: ``Journal.create``, ``Journal.open`` (or
  ``open_folding``, which hands the events to a fold while checking them), ``append``,
  ``store_file``, ``close``;
- :func:`read` — the events, as a stream; :func:`stream` — the same, checking the chain;
- :func:`last_event` and :func:`of_types` — cheap partial reads;
- :func:`verify` — check a journal, naming the first broken line;
- :func:`folder_of`, :func:`is_incident` — which folders are incidents.

Modules: ``canonical`` (line format and hash rule), ``files`` (names, durable writes), ``lock``
(one writer), ``stream`` (reading and verifying), ``reading`` (partial reads), ``recovery``
(torn tails), ``writer`` (the Journal).
"""

from draaiboek.journal.canonical import RESERVED_FIELDS, Event, event_hash
from draaiboek.journal.errors import JournalDamaged, JournalError, JournalLocked
from draaiboek.journal.files import folder_of, is_incident
from draaiboek.journal.reading import last_event, of_types
from draaiboek.journal.recovery import Recovery
from draaiboek.journal.stream import EventStream, VerifyResult, read, stream, verify
from draaiboek.journal.writer import Journal

__all__ = [
    "RESERVED_FIELDS",
    "Event",
    "EventStream",
    "Journal",
    "JournalDamaged",
    "JournalError",
    "JournalLocked",
    "Recovery",
    "VerifyResult",
    "event_hash",
    "folder_of",
    "is_incident",
    "last_event",
    "of_types",
    "read",
    "stream",
    "verify",
]
